"""The API answers once a batch is stored; a job evaluates every pending batch together, a period later
(YINGJI_SIGNAL_EVALUATE_SECONDS), so a crossing raises its warning within seconds without each request
paying for the evaluation."""

import json
from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from yingji.core.testing import run_jobs
from yingji.monitoring import integrations, services
from yingji.monitoring.models import PendingBatch, SignalPoint, SignalWarning, WarningStatus

from .conftest import point

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_token(rules, unit, hexie_president):
    integration, raw = services.issue_integration(
        actor=None,
        name="和谐支行排队系统",
        kind="queue_system",
        units=[unit("JN01")],
        contact=hexie_president,
    )
    return integration, raw


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """A batch over the API, as a server would answer it: what it leaves for after the commit happens."""

    def send(raw: str, points: list[dict]):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/v1/signals",
                json.dumps({"points": points}, default=str),
                content_type="application/json",
                headers={"Authorization": f"Bearer {raw}"},
            )

    return send


@pytest.fixture
def evaluated(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return run_jobs()

    return run


def queue(at, people: int) -> list[dict]:
    return [point("JN0101", "queue_length", at.isoformat(), people, source="queue")]


def test_a_crossing_is_stored_at_once_and_raised_by_the_evaluation_a_second_later(
    post, evaluated, now, queue_token
):
    integration, raw = queue_token
    at = now.advance(minutes=0)
    answer = post(raw, queue(at, 45))
    assert answer.status_code == 200 and answer.json() == {"stored": 1, "duplicates": 0, "warnings": []}
    assert SignalPoint.objects.count() == 1 and PendingBatch.objects.count() == 1
    assert not SignalWarning.objects.exists()  # not evaluated in the request
    job = DBTaskResult.objects.get(task_path__endswith="evaluate_pending")
    assert job.run_after == at + timedelta(seconds=1)

    evaluated()
    warning = SignalWarning.objects.get()
    assert (
        warning.status == WarningStatus.RAISED and warning.value == 45 and warning.integration == integration
    )
    assert warning.raised_at - at <= timedelta(seconds=5)
    assert not PendingBatch.objects.exists()


def test_many_batches_make_one_job_and_each_is_evaluated_once(post, evaluated, now, queue_token):
    _integration, raw = queue_token
    at = now.advance(minutes=0)
    for people in (10, 12, 45, 44):
        assert post(raw, queue(at, people)).status_code == 200
        at = now.advance(seconds=10)
    # The first batch of the period enqueued the job; the others only waited for it.
    assert DBTaskResult.objects.filter(task_path__endswith="evaluate_pending").count() == 1
    assert PendingBatch.objects.count() == 4
    evaluated()
    assert SignalWarning.objects.count() == 1 and not PendingBatch.objects.exists()


def test_a_batch_sent_twice_is_stored_once_and_evaluates_to_the_same_warning(
    post, evaluated, now, queue_token
):
    _integration, raw = queue_token
    at = now.advance(minutes=0)
    first = post(raw, queue(at, 45))
    again = post(raw, queue(at, 45))
    assert first.json()["stored"] == 1 and again.json()["duplicates"] == 1
    evaluated()
    assert SignalPoint.objects.count() == 1 and SignalWarning.objects.count() == 1


def test_a_failed_evaluation_leaves_its_batches_pending_for_the_next(post, now, queue_token, monkeypatch):
    _integration, raw = queue_token
    post(raw, queue(now.advance(minutes=0), 45))

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "evaluate", broken)
    with pytest.raises(RuntimeError):
        services.evaluate_pending()
    assert PendingBatch.objects.count() == 1 and not SignalWarning.objects.exists()
    monkeypatch.undo()
    assert services.evaluate_pending()[0] == 1
    assert SignalWarning.objects.count() == 1


def test_a_token_revoked_on_the_page_is_refused_at_once_and_elsewhere_within_the_cache(
    post, now, queue_token, settings, hq_duty
):
    integration, raw = queue_token
    assert post(raw, queue(now.advance(minutes=0), 5)).status_code == 200
    # Revoked by another process: this one trusts its copy for the cache's seconds (本行设定) …
    type(integration).objects.filter(pk=integration.pk).update(revoked_at=now.advance(seconds=1))
    assert post(raw, queue(now.advance(seconds=1), 5)).status_code == 200
    settings.YINGJI_SIGNAL_TOKEN_CACHE_SECONDS = 0  # … and no longer once they have passed.
    assert post(raw, queue(now.advance(seconds=1), 5)).status_code == 401

    other, other_raw = services.issue_integration(
        actor=None,
        name="和谐支行排队系统二",
        kind="queue_system",
        units=[integration.units.get()],
        contact=integration.contact,
    )
    settings.YINGJI_SIGNAL_TOKEN_CACHE_SECONDS = 60
    assert post(other_raw, queue(now.advance(seconds=1), 5)).status_code == 200
    services.revoke_integration(actor=hq_duty.user, integration=other)  # revoked in this process
    assert post(other_raw, queue(now.advance(seconds=1), 5)).status_code == 401
    assert not any(hit[1] is not None and hit[1].pk == other.pk for hit in integrations._known.values())


def test_a_surge_over_before_the_evaluation_ran_still_raises_its_warning_and_clears_later(
    post, evaluated, now, queue_token
):
    """The evaluation runs a moment after the points: a queue of 45 for ten seconds, back to 12 by then,
    is a crossing all the same (the bench lost 13 of 20 such crossings before this was so)."""
    _integration, raw = queue_token
    start = now.advance(minutes=0)
    for seconds, people in ((0, 10), (5, 45), (10, 12), (15, 11)):
        assert post(raw, queue(start + timedelta(seconds=seconds), people)).status_code == 200
    now.advance(seconds=16)
    evaluated()
    warning = SignalWarning.objects.get()
    assert warning.status == WarningStatus.RAISED and warning.value == 45
    assert warning.condition_since == start + timedelta(seconds=5)

    # Normal readings for the clearing minutes (本行设定) clear it, as for any other warning.
    for minute in range(1, 8):
        post(raw, queue(start + timedelta(minutes=minute), 8))
        now.advance(minutes=1)
        evaluated()
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLEARED


def test_a_reading_that_never_crossed_raises_nothing_however_late_it_is_evaluated(
    post, evaluated, now, queue_token
):
    _integration, raw = queue_token
    start = now.advance(minutes=0)
    for seconds, people in ((0, 10), (5, 30), (10, 12)):  # 30 is the threshold, not above it
        post(raw, queue(start + timedelta(seconds=seconds), people))
    now.advance(minutes=3)
    evaluated()
    assert not SignalWarning.objects.exists()
