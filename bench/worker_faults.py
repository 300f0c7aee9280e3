"""Dead workers lose no notice (issue 17): 1,000 notices sent through a slow SMS gateway by job workers
that are SIGKILLed at random moments, then every notice delivered and none shown twice.

What it does, on PostgreSQL, in a database of its own (created if missing; its rows from an earlier run
are removed first):
  1. migrate; 50 people with mobiles in one unit; --notices notices in rounds of 50 through
     `notify.services.notify` (each round one `deliver_notices` job, as an alarm leaves);
  2. --workers `manage.py jobs_worker` processes with SMS_GATEWAY=bench.worker_faults.SlowGateway: a
     fake platform that takes --sms-ms per message and records every message it receives (delivery key,
     mobile) in the table `bench_sms_received`, halfway through the send, as a real platform takes a
     message before it answers;
  3. --kills times, at a random moment 1–5 s apart, SIGKILL a worker that is running a job (any worker
     if none is) and start a new one in its place; the time until the dead worker's lease is reaped
     (its job put back, its deliveries marked "outcome unknown" and sent again) is measured;
  4. waits until every delivery is sent and no job is waiting or running (or --timeout), stops the
     workers, and prints the counts.

A platform that deduplicates on the message id shows one message per delivery key: a key received
twice is a repeat the platform drops ("deduplicated"); a delivery received under two keys would be a
duplicate the person sees. Exits 1 if a notice was not delivered, a delivery was seen twice, or a job
was left RUNNING.

Run from the repo root (it stops by itself within --timeout seconds, 300 by default):
    .venv/bin/python bench/worker_faults.py [--database-url postgres://postgres@127.0.0.1:5432/yj_faults]
        [--notices 1000] [--workers 2] [--kills 3] [--sms-ms 40] [--lease 10] [--seed N]
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

REPO = Path(__file__).resolve().parent.parent
LOG_DIR = REPO / "var" / "bench"
SUBJECT_TYPE = "bench.worker_faults"
PEOPLE = 50
WORKER_ENV = {
    "DJANGO_SETTINGS_MODULE": "yingji.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-bench-only-secret-key-bench-only-0123456789",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "SMS_GATEWAY": "bench.worker_faults.SlowGateway",
}


# --- the fake SMS platform (runs inside the workers) -------------------------------------------------


class SlowGateway:
    """An SMS platform that takes WORKER_FAULTS_SMS_MS per message and records each one it receives
    (outside the worker's transaction: the platform is another system)."""

    _db: psycopg.Connection | None = None

    def send(self, mobile: str, text: str, message_id: str) -> None:
        delay = int(os.environ.get("WORKER_FAULTS_SMS_MS", "40")) / 1000
        time.sleep(delay / 2)
        if SlowGateway._db is None:
            SlowGateway._db = psycopg.connect(os.environ["WORKER_FAULTS_GATEWAY_DSN"], autocommit=True)
        SlowGateway._db.execute(
            "INSERT INTO bench_sms_received (message_id, mobile) VALUES (%s, %s)", (message_id, mobile)
        )
        time.sleep(delay / 2)


# --- the run ------------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(url: str, lease: int) -> None:
    os.environ.update(WORKER_ENV, DATABASE_URL=url, JOB_LEASE_SECONDS=str(lease))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def prepare(notices: int) -> list[int]:
    """A clean slate, 50 people, and `notices` notices with their SMS deliveries and delivery jobs."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from yingji.core.models import JobFailure, WorkerLease
    from yingji.notify.models import Notice
    from yingji.notify.recipients import Recipient
    from yingji.notify.services import Subject, notify
    from yingji.orgs.models import Person, Unit, UnitType

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_sms_received (id bigserial PRIMARY KEY, message_id text,"
            " mobile text, received_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
        cursor.execute("TRUNCATE bench_sms_received")
    DBTaskResult.objects.all().delete()
    JobFailure.objects.all().delete()
    WorkerLease.objects.all().delete()
    Notice.objects.filter(subject_type=SUBJECT_TYPE).delete()

    unit = Unit.objects.filter(code="FAULTS").first() or Unit.objects.add_root(
        code="FAULTS", name="故障演练网点", type=UnitType.OUTLET
    )
    people = []
    for n in range(PEOPLE):
        user, _ = User.objects.get_or_create(username=f"faults_{n:02d}")
        person, _ = Person.objects.get_or_create(
            user=user, defaults={"unit": unit, "name": f"演练{n:02d}", "mobile": f"1370000{n:04d}"}
        )
        people.append(Recipient(person=person, unit=unit, reason="故障演练"))
    ids: list[int] = []
    for round_no in range(-(-notices // PEOPLE)):
        wanted = people[: min(PEOPLE, notices - round_no * PEOPLE)]
        subject = Subject(SUBJECT_TYPE, round_no, unit, f"演练通知 {round_no}", "故障演练。", "/notices/")
        with transaction.atomic():
            made = notify(subject=subject, recipients=wanted, ack_minutes=None, round_key="faults")
        ids += [n.pk for n in made]
    return ids


class Workers:
    """The worker processes, one per slot; a killed one is replaced by a new process (a new id)."""

    def __init__(self, count: int, env: dict[str, str], command: str) -> None:
        self.env = env
        self.command = command
        self.generation = 0
        self.procs: list[tuple[str, subprocess.Popen]] = [self.start(slot) for slot in range(count)]

    def start(self, slot: int) -> tuple[str, subprocess.Popen]:
        self.generation += 1
        worker_id = f"faults-{slot}-{self.generation}"
        log = open(LOG_DIR / f"worker_faults-{worker_id}.log", "w")  # noqa: SIM115 (kept by the process)
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                self.command,
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                *self.extra(worker_id),
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return worker_id, proc

    @staticmethod
    def extra(worker_id: str) -> list[str]:
        return ["--worker-id", worker_id, "--no-reload"]

    def kill(self, busy: set[str]) -> str:
        slots = [i for i, (wid, _) in enumerate(self.procs) if wid in busy] or list(range(len(self.procs)))
        slot = random.choice(slots)
        worker_id, proc = self.procs[slot]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.procs[slot] = self.start(slot)
        return worker_id

    def stop(self) -> None:
        for _, proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for _, proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def running_workers() -> set[str]:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(status="RUNNING").values_list("worker_ids", flat=True)
    return {ids[-1] for ids in rows if ids}


def watch_takeover(worker_id: str, killed_at: float, times: dict[str, float], deadline: float) -> None:
    """Until the dead worker holds nothing: no lease, no RUNNING job, no delivery it was sending."""
    from django.db import connection

    from yingji.core.models import WorkerLease
    from yingji.notify.models import Delivery

    try:
        while time.monotonic() < deadline:
            if (
                not WorkerLease.objects.filter(pk=worker_id).exists()
                and worker_id not in running_workers()
                and not Delivery.objects.filter(status="sending", claimed_by=worker_id).exists()
            ):
                times[worker_id] = time.monotonic() - killed_at
                return
            time.sleep(0.2)
    finally:
        connection.close()


def finished(notice_ids: list[int]) -> bool:
    from django_tasks_db.models import DBTaskResult

    from yingji.notify.models import Delivery

    unsent = Delivery.objects.filter(notice_id__in=notice_ids).exclude(status="sent").exists()
    return not unsent and not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


def counts(notice_ids: list[int]) -> dict[str, int]:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from yingji.core.models import JobFailure
    from yingji.notify.models import Delivery

    deliveries = list(Delivery.objects.filter(notice_id__in=notice_ids).select_related("notice"))
    keys = {d.key: d for d in deliveries}
    with connection.cursor() as cursor:
        cursor.execute("SELECT message_id, count(*) FROM bench_sms_received GROUP BY message_id")
        received = dict(cursor.fetchall())
    keys_per_delivery: dict[int, int] = {}
    for key in received:
        delivery_id = int(key.split("-")[1]) if key.startswith("yj-") else -1
        keys_per_delivery[delivery_id] = keys_per_delivery.get(delivery_id, 0) + 1
    return {
        "notices": len(set(notice_ids)),
        "deliveries": len(deliveries),
        "deliveries sent": sum(d.status == "sent" for d in deliveries),
        "deliveries taken over from a dead worker": sum(d.taken_over_at is not None for d in deliveries),
        "gateway messages received (raw)": sum(received.values()),
        "distinct delivery keys received": len(received),
        "repeats with the same key (deduplicated by the gateway)": sum(received.values()) - len(received),
        "deliveries never received by the gateway": sum(k not in received for k in keys),
        "keys received that are no delivery's": sum(k not in keys for k in received),
        "duplicates visible to the person": sum(n - 1 for n in keys_per_delivery.values() if n > 1),
        "jobs left RUNNING": DBTaskResult.objects.filter(status="RUNNING").count(),
        "jobs put back after a worker died (WorkerLost on /jobs/)": JobFailure.objects.filter(
            error__startswith="WorkerLost"
        ).count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("WORKER_FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yj_faults"),
    )
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--sms-ms", type=int, default=40)
    parser.add_argument("--lease", type=int, default=10, help="JOB_LEASE_SECONDS for the run (default 10)")
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--worker-command",
        default="jobs_worker",
        help="db_worker shows what happened before leases (no take-over: it runs into --timeout)",
    )
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    random.seed(seed)
    LOG_DIR.mkdir(parents=True, exist_ok=True)

    ensure_database(args.database_url)
    setup_django(args.database_url, args.lease)
    started = time.monotonic()
    notice_ids = prepare(args.notices)
    print(f"{len(notice_ids)} notices written in {time.monotonic() - started:.1f} s; seed {seed}")

    env = {
        **os.environ,
        **WORKER_ENV,
        "DATABASE_URL": args.database_url,
        "JOB_LEASE_SECONDS": str(args.lease),
        "WORKER_FAULTS_SMS_MS": str(args.sms_ms),
        "WORKER_FAULTS_GATEWAY_DSN": args.database_url,
    }
    deadline = time.monotonic() + args.timeout
    started = time.monotonic()
    workers = Workers(args.workers, env, args.worker_command)
    takeovers: dict[str, float] = {}
    watchers = []
    kills: list[tuple[str, float]] = []
    try:
        time.sleep(2.0)  # the workers start and take their first jobs
        for _ in range(args.kills):
            time.sleep(random.uniform(1.0, 5.0))
            killed_at = time.monotonic()
            worker_id = workers.kill(running_workers())
            kills.append((worker_id, killed_at - started))
            print(f"SIGKILL {worker_id} at {killed_at - started:.1f} s")
            watcher = threading.Thread(
                target=watch_takeover, args=(worker_id, killed_at, takeovers, deadline)
            )
            watcher.start()
            watchers.append(watcher)
        while time.monotonic() < deadline and not finished(notice_ids):
            time.sleep(0.5)
        done_after = time.monotonic() - started
    finally:
        workers.stop()
        for watcher in watchers:
            watcher.join()

    result = counts(notice_ids)
    width = max(map(len, result))
    print(
        f"\n{args.worker_command}: workers {args.workers}, lease {args.lease} s,"
        f" SMS {args.sms_ms} ms, seed {seed}"
    )
    print(f"{'all done after (s)':<{width}}  {done_after:.1f}")
    for name, value in result.items():
        print(f"{name:<{width}}  {value}")
    for worker_id, at in kills:
        taken = f"{takeovers[worker_id]:.1f} s" if worker_id in takeovers else "never"
        print(f"{'take-over of ' + worker_id + f' (killed at {at:.1f} s)':<{width}}  {taken}")
    failed = (
        result["deliveries sent"] != result["deliveries"]
        or result["deliveries"] < result["notices"]
        or result["deliveries never received by the gateway"]
        or result["keys received that are no delivery's"]
        or result["duplicates visible to the person"]
        or result["jobs left RUNNING"]
        or len(takeovers) != len(kills)
    )
    print("FAILED" if failed else "OK: every notice delivered, none shown twice")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
