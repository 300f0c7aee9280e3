"""A regional surge: many outlets report in the same moment. Reports arriving together in one server
process commit together, numbered without gaps, each with its own timeline and audit entry, and one
alarm job tells every chain; a double tap among them is one incident, and a report whose key another
server committed meanwhile answers with that incident without failing the reports batched with it."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from yingji.audit.models import AuditEntry
from yingji.audit.verify import verify_chain
from yingji.core import clock
from yingji.core.testing import run_jobs
from yingji.incidents import services
from yingji.incidents.jobs import ALARMS
from yingji.incidents.models import Incident, TimelineEvent
from yingji.incidents.services import intake
from yingji.notify.models import Notice

from .factories import kind, person, unit

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need real concurrent connections"
)

REPORTERS = ["hexie_lobby", "hexie_guard", "hexie_teller", "hexie_ops", "hexie_wealth"]


def report(username: str, key: str, description: str = "核心系统中断，柜面无法交易") -> Incident:
    reporter = person(username)
    return services.report_incident(
        reporter=reporter,
        kind=kind("customer_injured"),
        unit=unit("JN0101"),
        occurred_at=clock.now() - timedelta(minutes=3),
        description=description,
        idempotency_key=key,
    )


def held_first_batch(monkeypatch, waiting: int) -> None:
    """The first batch's write waits until `waiting` more reports queue behind it, so the next batch
    holds them all: what a surge does to a server without the test having to be lucky."""
    write = intake._write_reports
    first = threading.Event()

    def write_after_the_queue_fills(batch):
        if not first.is_set():
            first.set()
            deadline = time.monotonic() + 10
            while len(intake._reports._waiting) < waiting:
                assert time.monotonic() < deadline, "the other reports never queued"
                time.sleep(0.005)
        write(batch)

    monkeypatch.setattr(intake._reports, "_write", write_after_the_queue_fills)


def in_threads(calls: list) -> list:
    outcomes: list = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            outcomes[index] = call()
        except Exception as exc:  # the test reads it
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)  # the first takes the lead; the rest queue behind its write
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_reports_arriving_together_commit_together_numbered_without_gaps(demo, library, monkeypatch):
    held_first_batch(monkeypatch, waiting=5)
    calls = [lambda: report("hexie_manager", "first")]
    calls += [lambda u=u: report(u, f"surge-{u}") for u in REPORTERS]
    incidents = in_threads(calls)
    assert all(isinstance(i, Incident) for i in incidents), incidents

    numbers = sorted(int(i.number[-6:]) for i in incidents)
    assert numbers == list(range(numbers[0], numbers[0] + 6))  # gapless, one each
    alarms = DBTaskResult.objects.filter(task_path__endswith="raise_alarms").order_by("enqueued_at")
    assert [len(a.args_kwargs["kwargs"]["reports"]) for a in alarms] == [1, 5]
    for incident in incidents:
        assert incident.timeline.filter(event=TimelineEvent.REPORTED).count() == 1
        entry = AuditEntry.objects.get(action="incident.report", object_id=str(incident.pk))
        assert entry.actor_name == incident.reporter.name and entry.data["number"] == incident.number
    assert verify_chain().ok

    run_jobs(queue=ALARMS)
    for incident in incidents:
        told = set(
            Notice.objects.filter(subject_id=incident.pk).values_list("recipient__user__username", flat=True)
        )
        assert "hexie_president" in told and incident.reporter.user.username not in told


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_in_one_batch_is_one_incident(demo, library, monkeypatch):
    held_first_batch(monkeypatch, waiting=3)
    incidents = in_threads(
        [lambda: report("hexie_manager", "first")]
        + [lambda: report("hexie_lobby", "tap-tap")] * 2
        + [lambda: report("hexie_guard", "guard-1")]
    )
    assert incidents[1].pk == incidents[2].pk and incidents[1].number == incidents[2].number
    assert Incident.objects.count() == 3
    assert AuditEntry.objects.filter(action="incident.report").count() == 3
    numbers = sorted(int(n[-6:]) for n in Incident.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 3))


@pytest.mark.django_db(transaction=True)
def test_a_key_committed_meanwhile_by_another_server_answers_its_incident_in_the_batch(
    demo, library, monkeypatch
):
    elsewhere = report("hexie_lobby", "phone-retry")  # committed by another process's batch
    # This process checked the key before that commit landed, so the key reaches its batch.
    monkeypatch.setattr(intake, "_earlier", lambda key, **kw: (None, None))
    held_first_batch(monkeypatch, waiting=3)
    outcomes = in_threads(
        [
            lambda: report("hexie_manager", "first"),
            lambda: report("hexie_guard", "guard-1"),
            lambda: report("hexie_lobby", "phone-retry"),
            lambda: report("hexie_teller", "teller-1"),
        ]
    )
    assert all(isinstance(o, Incident) for o in outcomes), outcomes
    assert outcomes[2].pk == elsewhere.pk and outcomes[2].number == elsewhere.number
    assert Incident.objects.count() == 4
    # Found under the counters' lock: the batch was not failed and written again report by report.
    alarms = DBTaskResult.objects.filter(task_path__endswith="raise_alarms").order_by("enqueued_at")
    assert [len(a.args_kwargs["kwargs"]["reports"]) for a in alarms][-2:] == [1, 2]
    assert AuditEntry.objects.filter(action="incident.report").count() == 4
    assert verify_chain().ok
    numbers = sorted(int(n[-6:]) for n in Incident.objects.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + 4))  # the number it took is given back
