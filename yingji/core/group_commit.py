"""Group commit: writes that arrive together in one process commit together.

A regional surge sends hundreds of reports a second. Each costs a transaction: BEGIN, the number's
counter, the rows, the audit chain's head, the job, COMMIT, each a round trip to the database and a
WAL flush. Written together, twenty reports cost about what two cost alone.

How: a request hands its write to `GroupCommit.submit` and waits. If nobody is writing, it writes
itself: everything waiting at that moment, in one call of the batch writer (one transaction). Requests
that arrive meanwhile queue up; when the batch commits, the first of them is woken to write the next
batch. So a lone request writes at once, with no timer and no added latency, and under load each batch
is what arrived during the previous one. Every request still returns only after its own write
committed, or with its own error.

If a batch fails as a whole, each of its items is written again on its own, so one bad item (a
concurrent retry's unique key, say) fails alone and the others commit. Inside a transaction the caller
already holds, batching across threads is impossible (the write must commit or roll back with the
caller's), so the write is made at once, alone, in the caller's transaction."""

import threading
from collections.abc import Callable, Sequence

from django.db import transaction


class _Slot[T]:
    __slots__ = ("error", "item", "lead", "ready")

    def __init__(self, item: T):
        self.item = item
        self.ready = threading.Event()
        self.lead = False
        self.error: BaseException | None = None


class GroupCommit[T]:
    def __init__(self, write: Callable[[Sequence[T]], None], *, max_batch: int = 50):
        """`write` writes a batch in one transaction of its own, or raises and leaves nothing behind."""
        self._write = write
        self._max = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Slot[T]] = []
        self._writing = False

    def submit(self, item: T) -> None:
        """Write `item`, with whatever else is waiting; returns once it is committed, or raises its error."""
        if transaction.get_connection().in_atomic_block:
            self._write([item])
            return
        slot = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            lead = not self._writing
            self._writing = True
        if not lead:
            slot.ready.wait()
        if lead or slot.lead:
            self._write_waiting()
        if slot.error is not None:
            raise slot.error

    def _write_waiting(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting[: self._max], self._waiting[self._max :]
        try:
            self._write_batch(batch)
        finally:
            with self._lock:
                following = self._waiting[0] if self._waiting else None
                self._writing = following is not None
            for slot in batch:
                slot.ready.set()
            if following is not None:
                following.lead = True
                following.ready.set()

    def _write_batch(self, batch: list[_Slot[T]]) -> None:
        try:
            self._write([slot.item for slot in batch])
            return
        except BaseException as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
        for slot in batch:
            try:
                self._write([slot.item])
            except BaseException as exc:
                slot.error = exc
