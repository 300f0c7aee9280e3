"""Writes arriving together commit together: a lone write goes at once, writes arriving while one is
written go together next, each caller returns once its own write is done, and a bad write fails alone."""

import threading
import time

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.core.group_commit import GroupCommit


class Recorder:
    """A batch writer that records each batch, can hold the first one, and refuses items named 'bad'."""

    def __init__(self, hold_first: bool = False):
        self.batches: list[list[str]] = []
        self.written: list[str] = []
        self.release = threading.Event()
        self.hold_first = hold_first
        self.lock = threading.Lock()

    def __call__(self, batch):
        with self.lock:
            self.batches.append(list(batch))
            first = len(self.batches) == 1
        if first and self.hold_first:
            assert self.release.wait(5)
        if "bad" in batch:
            raise ValueError("refused")
        with self.lock:
            self.written.extend(batch)


def submit_in_threads(commit: GroupCommit, items: list[str]) -> tuple[list[threading.Thread], dict]:
    outcomes: dict[str, str] = {}

    def send(item: str) -> None:
        try:
            commit.submit(item)
            outcomes[item] = "written"
        except ValueError:
            outcomes[item] = "refused"

    threads = [threading.Thread(target=send, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    return threads, outcomes


def wait_for(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.005)


def test_a_lone_write_is_made_at_once_by_itself():
    writer = Recorder()
    GroupCommit(writer).submit("report 1")
    assert writer.batches == [["report 1"]]


def test_writes_arriving_while_one_is_made_go_together_next_and_each_returns_after_its_own():
    writer = Recorder(hold_first=True)
    commit = GroupCommit(writer)
    first, outcomes = submit_in_threads(commit, ["first"])
    wait_for(lambda: writer.batches)  # the first write has started and is held
    later, later_outcomes = submit_in_threads(commit, [f"report {n}" for n in range(5)])
    wait_for(lambda: len(commit._waiting) == 5)
    assert not outcomes and not later_outcomes  # nobody has returned before their write
    writer.release.set()
    for thread in first + later:
        thread.join(5)
    assert writer.batches[0] == ["first"]
    assert sorted(writer.batches[1]) == [f"report {n}" for n in range(5)]
    assert len(writer.batches) == 2
    assert set(later_outcomes.values()) == {"written"}


def test_a_batch_that_fails_is_written_again_one_by_one_so_only_the_bad_write_fails():
    writer = Recorder(hold_first=True)
    commit = GroupCommit(writer)
    first, _ = submit_in_threads(commit, ["first"])
    wait_for(lambda: writer.batches)
    later, outcomes = submit_in_threads(commit, ["good 1", "bad", "good 2"])
    wait_for(lambda: len(commit._waiting) == 3)
    writer.release.set()
    for thread in first + later:
        thread.join(5)
    assert outcomes == {"good 1": "written", "bad": "refused", "good 2": "written"}
    assert sorted(writer.written) == ["first", "good 1", "good 2"]


def test_a_batch_is_never_larger_than_its_limit():
    writer = Recorder(hold_first=True)
    commit = GroupCommit(writer, max_batch=3)
    first, _ = submit_in_threads(commit, ["first"])
    wait_for(lambda: writer.batches)
    later, outcomes = submit_in_threads(commit, [f"r{n}" for n in range(7)])
    wait_for(lambda: len(commit._waiting) == 7)
    writer.release.set()
    for thread in first + later:
        thread.join(5)
    assert [len(b) for b in writer.batches] == [1, 3, 3, 1]
    assert len(outcomes) == 7 and set(outcomes.values()) == {"written"}


@pytest.mark.django_db
def test_inside_a_transaction_the_write_is_made_at_once_in_that_transaction():
    seen = []

    def writer(batch):
        seen.append((list(batch), transaction.get_connection().in_atomic_block, threading.get_ident()))

    with transaction.atomic():
        GroupCommit(writer).submit("escalated complaint")
    assert seen == [(["escalated complaint"], True, threading.get_ident())]


@settings(max_examples=25, deadline=None)
@given(
    senders=st.integers(min_value=1, max_value=40),
    limit=st.integers(min_value=1, max_value=10),
    bad=st.sets(st.integers(min_value=0, max_value=39), max_size=5),
)
def test_every_write_is_made_exactly_once_however_the_writes_arrive(senders, limit, bad):
    writer = Recorder()
    commit = GroupCommit(writer, max_batch=limit)
    items = ["bad" if n in bad else f"r{n}" for n in range(senders)]
    threads, outcomes = submit_in_threads(commit, list(dict.fromkeys(items)))
    for thread in threads:
        thread.join(10)
    good = [i for i in dict.fromkeys(items) if i != "bad"]
    assert sorted(writer.written) == sorted(good)
    assert all(len(b) <= limit for b in writer.batches)
    assert all(outcomes[i] == "written" for i in good)
    assert outcomes.get("bad", "refused") == "refused"
    assert not commit._waiting and not commit._writing
