"""Job workers that die lose nothing, and a database that goes away stops no worker.

Each worker (`python manage.py jobs_worker`) holds a lease: a WorkerLease row that a thread of its own
renews every few seconds. A worker that is killed, or whose machine is gone, stops renewing; once its
lease is older than `JOB_LEASE_SECONDS` it is dead, and the next live worker to look (each looks every
third of a lease, on its own schedule, not only when a job comes) takes over what it held:

- its RUNNING jobs are put back to READY and run again by whoever is free (jobs are at-least-once and
  their effects idempotent);
- what the apps registered with `register_reaper` is handed the dead workers too: the notices' deliveries
  it was sending are marked "outcome unknown" and sent again with the same delivery key, so a channel
  that deduplicates shows them once.

Apps can also register work every worker repeats on a short period (`register_periodic`, run by a third
thread, the Ticker, on its own connection): the audit sequencer, which chains the committed audit
entries; the work takes its own lock, so that one worker at a time does it and another carries on
when that one dies.

So a dead worker's work is taken over within about a lease and a third (30 s + 10 s by default). A job
RUNNING under a worker that never held a lease (the plain `db_worker` command, a release before leases)
is taken over once it started more than UNLEASED_AFTER ago.

When the database is unreachable the worker logs it, waits 1, 2, 4 … up to 30 s, reconnects and carries
on; a job the outage cut short is put back to run again."""

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db import close_old_connections as _close_old_connections
from django.db.models import DateTimeField, ExpressionWrapper, Value
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import JobFailure, WorkerLease

logger = logging.getLogger("yingji.workers")

UNLEASED_AFTER = timedelta(minutes=15)
OUTAGE_WAIT_CAP_SECONDS = 30

# What an app does with the workers found dead: f(dead=worker ids, live=worker ids) -> how many taken over.
Reaper = Callable[..., int]
_reapers: list[Reaper] = []


def register_reaper(reaper: Reaper) -> None:
    """`reaper(dead=…, live=…)` runs in every reap, after the jobs are put back (an app's ready())."""
    if reaper not in _reapers:
        _reapers.append(reaper)


# Work every worker repeats (an app's ready()): (f(), how many seconds between two runs).
_periodic: list[tuple[Callable[[], object], Callable[[], float]]] = []


def register_periodic(work: Callable[[], object], every: Callable[[], float]) -> None:
    """`work()` runs in every worker's ticker thread every `every()` seconds (read from the settings
    when the worker starts). It must be safe on many workers at once (its own lock)."""
    if all(work is not known for known, _ in _periodic):
        _periodic.append((work, every))


def close_old_connections() -> None:
    """Drop connections that broke or aged out (a name of its own so tests can keep theirs)."""
    _close_old_connections()


def lease_seconds() -> int:
    return settings.JOB_LEASE_SECONDS


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


def _expired_before():
    """The database's now minus a lease: leases last seen before it are dead."""
    return ExpressionWrapper(Now() - Value(timedelta(seconds=lease_seconds())), output_field=DateTimeField())


def outage_wait(failures: int) -> float:
    """Seconds to wait after the n-th failure in a row to reach the database: 1, 2, 4 … capped at 30."""
    return float(min(2 ** max(failures - 1, 0), OUTAGE_WAIT_CAP_SECONDS))


# --- the lease ------------------------------------------------------------------------------------


class Lease:
    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id

    def renew(self) -> None:
        """Say this worker is alive. A lease removed while the worker was cut off (its jobs taken over)
        is written again: the worker carries on."""
        if WorkerLease.objects.filter(pk=self.worker_id).update(last_seen=Now()):
            return
        try:
            with transaction.atomic():
                WorkerLease.objects.create(
                    worker_id=self.worker_id,
                    host=socket.gethostname()[:255],
                    pid=os.getpid(),
                    started_at=timezone.now(),
                    last_seen=Now(),
                )
        except IntegrityError:  # written meanwhile
            pass

    def release(self) -> None:
        """On the way out: put back any job still marked as ours, and remove the lease."""
        with transaction.atomic():
            for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "worker_ids"):
                if row.worker_ids and row.worker_ids[-1] == self.worker_id:
                    DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
                        status=TaskResultStatus.READY
                    )
            WorkerLease.objects.filter(pk=self.worker_id).delete()


# --- taking over ----------------------------------------------------------------------------------


def reap(*, by: str = "") -> int:
    """Take over what dead workers held: their RUNNING jobs go back to READY, then each registered
    reaper takes over its own rows. Safe on many workers at once (conditional updates). Returns how
    many jobs and rows were taken over."""
    dead = dict(WorkerLease.objects.filter(last_seen__lt=_expired_before()).values_list("pk", "host"))
    live = set(WorkerLease.objects.exclude(pk__in=dead).values_list("pk", flat=True))
    unleased_before = timezone.now() - UNLEASED_AFTER
    taken = 0
    with transaction.atomic():
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        for row in running.only("id", "worker_ids", "started_at", "task_path", "args_kwargs"):
            owner = row.worker_ids[-1] if row.worker_ids else ""
            if owner in live or (owner not in dead and row.started_at and row.started_at > unleased_before):
                continue
            if DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY
            ):
                taken += 1
                _record_takeover(row, owner, by)
                logger.warning(
                    "job %s %s of the dead worker %s put back to run", row.pk, row.task_path, owner
                )
        for reaper in _reapers:
            taken += reaper(dead=set(dead), live=live)
        if dead:
            WorkerLease.objects.filter(pk__in=dead, last_seen__lt=_expired_before()).delete()
    return taken


def _record_takeover(row: DBTaskResult, owner: str, by: str) -> None:
    """A line on the jobs page: staff see that a worker died in this job and that it runs again."""
    from . import clock

    kwargs = row.args_kwargs.get("kwargs", {})
    JobFailure.objects.create(
        task_path=row.task_path[:255],
        task_result_id=str(row.pk),
        arguments={"args": row.args_kwargs.get("args", []), "kwargs": kwargs},
        attempt=int(kwargs.get("_attempt", 1)),
        max_attempts=settings.JOB_MAX_ATTEMPTS,
        error=f"WorkerLost: worker {owner or '?'} stopped renewing its lease; taken over by {by or '?'}",
        failed_at=clock.now(),
        retry_at=clock.now(),
    )


class Keeper(threading.Thread):
    """The worker's second thread: renews its lease every sixth of a lease and takes over from dead
    workers every third, whatever job the worker's main thread is in. It keeps its own connection."""

    def __init__(self, lease: Lease) -> None:
        super().__init__(name=f"lease-{lease.worker_id}", daemon=True)
        self.lease = lease
        self.stopping = threading.Event()
        self.beat_seconds = max(lease_seconds() / 6, 0.5)
        self.reap_seconds = max(lease_seconds() / 3, 1.0)
        self.cut_off = False

    def run(self) -> None:
        next_reap = time.monotonic() + random.uniform(0, self.reap_seconds)
        try:
            while not self.stopping.wait(self.beat_seconds):
                try:
                    self.lease.renew()
                    if time.monotonic() >= next_reap:
                        reap(by=self.lease.worker_id)
                        next_reap = time.monotonic() + self.reap_seconds
                    if self.cut_off:
                        logger.warning("worker %s: the database is back", self.lease.worker_id)
                    self.cut_off = False
                except DatabaseError as exc:
                    if not self.cut_off:
                        logger.warning("worker %s cannot renew its lease: %s", self.lease.worker_id, exc)
                    self.cut_off = True
                    close_old_connections()
        finally:
            from django.db import connections

            connections.close_all()  # this thread's own

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.beat_seconds + 5)


class Ticker(threading.Thread):
    """The worker's third thread: runs the registered periodic work on its own connection, whatever
    job the main thread is in. A failure is logged and tried again on the next tick."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"ticker-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()
        self.work = [(work, max(float(every()), 0.05)) for work, every in _periodic]
        self.cut_off = False

    def run(self) -> None:
        due = [time.monotonic() + random.uniform(0, period) for _, period in self.work]
        try:
            while self.work and not self.stopping.wait(max(min(due) - time.monotonic(), 0)):
                for index, (work, period) in enumerate(self.work):
                    if time.monotonic() < due[index]:
                        continue
                    try:
                        work()
                        self.cut_off = False
                    except (
                        OperationalError,
                        InterfaceError,
                    ) as exc:  # an outage: said once, tried on every tick
                        if not self.cut_off:
                            logger.warning(
                                "worker %s: %s cannot reach the database: %s",
                                self.worker_id,
                                work.__qualname__,
                                exc,
                            )
                        self.cut_off = True
                        close_old_connections()
                    except Exception:  # a tick that failed is tried again on the next
                        logger.exception("worker %s: periodic %s failed", self.worker_id, work.__qualname__)
                    due[index] = time.monotonic() + period
        finally:
            from django.db import connections

            connections.close_all()  # this thread's own

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


# --- the worker -----------------------------------------------------------------------------------


class LeasedWorker(Worker):
    """django-tasks-db's worker with a lease, a reaper, and a loop that outlives the database."""

    def __init__(self, *, keeper: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lease = Lease(self.worker_id)
        self.keeper = Keeper(self.lease) if keeper else None
        self.ticker = Ticker(self.worker_id) if keeper else None
        self.current: DBTaskResult | None = None  # the job in hand
        self.interrupted: DBTaskResult | None = None  # a job an outage cut short, to put back
        self.failures = 0  # database failures in a row

    def run(self) -> None:
        logger.info("starting worker %s (pid %s), lease %s s", self.worker_id, os.getpid(), lease_seconds())
        if self.startup_delay and self.interval:
            time.sleep(random.random())
        registered = False
        if self.keeper is not None:
            self.keeper.start()
        if self.ticker is not None:
            self.ticker.start()
        try:
            while self.running:
                task_result = None
                try:
                    close_old_connections()
                    if not registered:
                        self.lease.renew()
                        registered = True
                    if self.interrupted is not None:
                        self._put_back(self.interrupted)
                        self.interrupted = None
                    task_result, fetched = self._fetch()
                    if task_result is not None:
                        self.current = task_result
                        self.run_task(task_result)
                        self.current = None
                    if self.failures:
                        logger.warning("worker %s: the database is back", self.worker_id)
                    self.failures = 0
                except (OperationalError, InterfaceError) as exc:
                    self._cut_off(exc)
                    continue
                if self.batch and fetched and task_result is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and task_result is None:
                    time.sleep(self.interval)
        finally:
            self._stop()

    def _fetch(self) -> tuple[DBTaskResult | None, bool]:
        """Claim the next job (as django-tasks-db does); (None, False) while the database is locked."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None, False
            raise
        return task_result, True

    def _cut_off(self, exc: Exception) -> None:
        if self.current is not None:
            self.interrupted, self.current = self.current, None
            self.running_task = False
        self.failures += 1
        wait = outage_wait(self.failures)
        logger.error(
            "worker %s cannot reach the database (%s: %s); trying again in %.0f s",
            self.worker_id,
            type(exc).__name__,
            exc,
            wait,
        )
        time.sleep(wait)
        close_old_connections()

    def _put_back(self, row: DBTaskResult) -> None:
        """The job the outage cut short runs again (at-least-once), unless it was finished or taken."""
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=row.pk)
                .only("status", "worker_ids")
                .first()
            )
            if (
                row is not None
                and row.status == TaskResultStatus.RUNNING
                and row.worker_ids[-1:] == [self.worker_id]
            ):
                DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.READY)

    def _stop(self) -> None:
        if self.ticker is not None:
            self.ticker.stop()
        if self.keeper is not None:
            self.keeper.stop()
        try:
            self.lease.release()
        except DatabaseError as exc:  # the database is away: the lease runs out and others take over
            logger.warning("worker %s could not release its lease: %s", self.worker_id, exc)
