"""Audited writes per second with many concurrent writers on PostgreSQL (issue 22): the chain head on
the write path (before) against entries written unchained and sealed by the sequencer (after).

Each writer is a process with its own connection; each write is one transaction: the audit entry through
`yingji.audit.services.record`, then `--work-ms` of the rest of a service's transaction (pg_sleep), during
which the old path still holds the chain head. "before" is the old path, kept here only: lock the head
row, hash, insert the sealed entry, move the head. "after" is the product's path, with a sequencer process
running `sequence()` every AUDIT_SEQUENCE_EVERY_SECONDS beside the writers, as a job worker does; after
each run it reports the longest an entry waited to be sealed, and audit_verify's verdict.

Needs PostgreSQL on 127.0.0.1:5432 with trust auth for `postgres` (BENCH_PG overrides). It uses a scratch
database `yingji_audit_bench`, dropped and created. From the repo root:
    .venv/bin/python bench/audit_write.py [--writers 1,8,32] [--seconds 10] [--work-ms 0,2]
"""

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "yingji_audit_bench"
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"{PG}/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
os.environ.setdefault("YINGJI_VAR_DIR", "/tmp/yingji_audit_bench_var")


def scratch_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--work-ms", default="0,2")
    args = parser.parse_args()
    scratch_database()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "audit", verbosity=0)
    call_command("audit_keygen", "--if-missing", verbosity=0)

    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {args.seconds:.0f} s per run; the machine is shared"
    )
    print()
    print(
        "| work in the transaction | writers | before (chain head) writes/s | after (sequencer) writes/s |"
        " after/before | longest wait to be sealed | audit_verify |"
    )
    print("|---|---|---|---|---|---|---|")
    for work_ms in [float(w) for w in args.work_ms.split(",")]:
        for writers in [int(w) for w in args.writers.split(",")]:
            before = run(old_path, writers, args.seconds, work_ms)["rate"]
            after = run(new_path, writers, args.seconds, work_ms, sequencer=True)
            print(
                f"| {work_ms:g} ms | {writers} | {before:,.0f} | {after['rate']:,.0f} | "
                f"{after['rate'] / before:.2f} | {after['wait']:.2f} s | {after['verdict']} |",
                flush=True,
            )


def new_path(n: int) -> None:
    from yingji.audit import services

    services.record(actor=None, action="bench.write", object_type="bench", object_id=str(n), data={"n": n})


def old_path(n: int) -> None:
    """What record() did before issue 22: lock the head, seal the entry, move the head."""
    from yingji.audit import services
    from yingji.audit.chain import entry_hash
    from yingji.audit.models import AuditEntry, ChainHead
    from yingji.core import clock

    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    fields = {
        "seq": head.seq + 1,
        "at": clock.now(),
        "actor_id": None,
        "actor_name": "system",
        "action": "bench.write",
        "object_type": "bench",
        "object_id": str(n),
        "unit_id": None,
        "data": {"n": n},
        "prev_hash": head.hash,
    }
    sealed = entry_hash(**fields)
    chain_seq = fields.pop("seq")
    AuditEntry(**fields, seq=services._numbers(1)[0], chain_seq=chain_seq, hash=sealed).save(
        force_insert=True
    )
    ChainHead.objects.filter(pk=1).update(seq=chain_seq, hash=sealed)


def run(write, writers: int, seconds: float, work_ms: float, sequencer: bool = False) -> dict:
    """Writers (and the sequencer) are processes, as gunicorn's and the job worker's are: threads of one
    process would measure the GIL handing the head's holder its turn, not the database."""
    import multiprocessing

    from django.db import connections

    from yingji.audit.models import AuditEntry
    from yingji.audit.sequencer import sequence
    from yingji.audit.verify import verify_chain

    reset()
    connections.close_all()  # no connection crosses the fork
    fork = multiprocessing.get_context("fork")
    stop = fork.Event()
    counts = fork.Array("q", writers)
    processes = [fork.Process(target=writer, args=(write, i, stop, counts, work_ms)) for i in range(writers)]
    if sequencer:
        processes.append(fork.Process(target=sequencing, args=(stop,)))
    for process in processes:
        process.start()
    time.sleep(seconds)
    stop.set()
    for process in processes:
        process.join()
    result = {"rate": sum(counts) / seconds}
    if sequencer:
        sequence()
        waits = [
            (sealed - max(at, visible or at)).total_seconds()
            for at, visible, sealed in AuditEntry.objects.filter(sequenced_at__isnull=False).values_list(
                "at", "visible_after", "sequenced_at"
            )
        ]
        verdict = verify_chain()
        result["wait"] = max(waits, default=0.0)
        result["verdict"] = "intact" if verdict.ok else f"BROKEN: {verdict.reason}"
    return result


def writer(write, index: int, stop, counts, work_ms: float) -> None:
    from django.db import connection, transaction

    n = index * 10_000_000
    while not stop.is_set():
        with transaction.atomic():
            write(n)
            if work_ms:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(%s)", [work_ms / 1000])
        counts[index] += 1
        n += 1


def sequencing(stop) -> None:
    from django.conf import settings

    from yingji.audit.sequencer import sequence

    while not stop.wait(settings.AUDIT_SEQUENCE_EVERY_SECONDS):
        sequence()


def reset() -> None:
    """An empty log and chain for each run (TRUNCATE: the owner may, the triggers refuse row deletes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry, audit_chainhead, audit_checkpoint")


if __name__ == "__main__":
    main()
