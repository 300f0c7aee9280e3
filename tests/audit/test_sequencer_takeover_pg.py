"""Two job workers on one PostgreSQL (processes on this machine stand in for machines): the sequencer
runs in both, one at a time, and when one is killed the other carries on sealing within the bound; with
both gone nothing seals the entries, so it was the workers that did."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from yingji.audit import services
from yingji.audit.models import AuditEntry
from yingji.audit.verify import verify_chain

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="workers on one PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def write(count: int) -> None:
    for n in range(count):
        with transaction.atomic():
            services.record(actor=None, action="bench.write", object_type="bench", object_id=str(n))


def all_sealed_within(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not AuditEntry.objects.filter(chain_seq__isnull=True).exists():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def workers(checkpoint_key, tmp_path):
    db = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "YINGJI_VAR_DIR": str(tmp_path),
        "YINGJI_AUDIT_SEQUENCE_EVERY_SECONDS": "0.2",
        "YINGJI_AUDIT_SIGNING_KEY_FILE": str(checkpoint_key[0]),
        "YINGJI_AUDIT_PUBLIC_KEYS_FILE": str(checkpoint_key[1]),
    }
    started = [
        subprocess.Popen(
            [sys.executable, "manage.py", "jobs_worker", "--queue-name", "*", "--worker-id", f"w{i}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in (1, 2)
    ]
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_the_other_worker_carries_on_sealing_when_one_is_killed(workers):
    first, second = workers
    write(10)
    assert all_sealed_within(60), "no worker sealed the entries"  # the workers' start-up included
    write(20)
    first.send_signal(signal.SIGKILL)  # perhaps in the middle of a pass: its transaction is rolled back
    first.wait(10)
    write(20)
    assert all_sealed_within(3)  # the survivor took over within the bound and a tick
    second.send_signal(signal.SIGKILL)
    second.wait(10)
    write(5)
    time.sleep(1.5)
    assert AuditEntry.objects.filter(chain_seq__isnull=True).count() == 5  # nobody else sealed them
    chained = list(
        AuditEntry.objects.exclude(chain_seq=None).order_by("chain_seq").values_list("chain_seq", flat=True)
    )
    assert chained == list(range(1, 51))
    verdict = verify_chain()
    assert verdict.ok and verdict.checkpoints >= 1, verdict
