"""The sequencer: chains committed entries off the write path, and signs checkpoints of the head.

Writers insert their entries unchained (services.py). `sequence()` takes the committed entries that have
no place in the chain yet, in the order of their numbers, and gives each the next `chain_seq`, the
previous entry's hash and its own. An entry whose transaction began first but committed after later
ones were chained (a long import) is simply not visible yet: it is chained by a later pass, after them.
So the chain's order is the sequencer's order, nothing committed is skipped, and nothing waits for it.

Every job worker runs it every `AUDIT_SEQUENCE_EVERY_SECONDS` (workers.py's ticker); one at a time:
on PostgreSQL a transaction-level advisory lock that the others do not wait for (they try again on their
next tick, so when the worker holding it dies another takes over within a tick), and the chain head's
row lock behind it; on SQLite the database's one write lock (BEGIN IMMEDIATE) serialises them.

`drained_at` records when a pass chained everything it could see. An entry found by the next pass was
not visible then, so it committed after that time: audit_verify measures an entry's wait from then
(or from its own time, if later), not from when its transaction began."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from yingji.core import clock, rows

from . import keys
from .chain import checkpoint_message, entry_hash
from .models import AuditEntry, ChainHead, Checkpoint

logger = logging.getLogger("yingji.audit")

# pg_try_advisory_xact_lock's key: "yjaudseq" as a 64-bit integer, the same in every process.
LOCK_KEY = int.from_bytes(b"yjaudseq", "big") & 0x7FFF_FFFF_FFFF_FFFF
BATCH = 1000

_PENDING_FIELDS = ("id", "seq", "at", "actor_id", "actor_name", "action", "object_type", "object_id")
_PENDING_FIELDS += ("unit_id", "data")
_CHAIN = (
    f"UPDATE {rows.table(AuditEntry)} SET chain_seq = %s, prev_hash = %s, hash = %s, visible_after = %s,"
    " sequenced_at = %s WHERE id = %s AND chain_seq IS NULL"
)
_MOVE_HEAD = f"UPDATE {rows.table(ChainHead)} SET seq = %s, hash = %s, drained_at = %s WHERE id = 1"


@dataclass
class Pass:
    """What one call did: entries chained, the checkpoint signed (if any), and whether it ran at all
    (False: another sequencer held the lock)."""

    ran: bool = False
    chained: int = 0
    checkpoint: Checkpoint | None = None
    head: tuple[int, str] = (0, "")
    warnings: list[str] = field(default_factory=list)


def sequence(*, batch: int = BATCH, sign: bool = True) -> Pass:
    """Chain every committed, unchained entry (in transactions of `batch` entries); after each, sign a
    checkpoint if the last one is older than AUDIT_CHECKPOINT_EVERY_SECONDS and the head has moved."""
    result = Pass()
    while True:
        with transaction.atomic():
            if not _lock():
                return result
            result.ran = True
            chained, result.head = _chain_batch(batch)
            result.chained += chained
            # After every batch, so that a chain that never drains (a long surge) is still signed.
            if sign:
                result.checkpoint = _checkpoint_if_due(result.head, result.warnings) or result.checkpoint
            if chained < batch:
                return result


def _lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # BEGIN IMMEDIATE already holds the database's write lock
    return rows.one("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])[0]


def _chain_batch(batch: int) -> tuple[int, tuple[int, str]]:
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    # Before the read: whatever committed before this moment is in what the read sees.
    seen_at = clock.now()
    pending = list(
        AuditEntry.objects.filter(chain_seq__isnull=True)
        .order_by("seq")
        .values_list(*_PENDING_FIELDS)[:batch]
    )
    seq, prev, now = head.seq, head.hash, clock.now()
    updates = []
    for row in pending:
        entry = dict(zip(_PENDING_FIELDS, row, strict=True))
        entry_id = entry.pop("id")
        entry.pop("seq")
        seq += 1
        sealed = entry_hash(**entry, seq=seq, prev_hash=prev, visible_after=head.drained_at, sequenced_at=now)
        updates.append((seq, prev, sealed, head.drained_at, now, entry_id))
        prev = sealed
    if updates:
        with connection.cursor() as cursor:
            cursor.executemany(_CHAIN, updates)
    drained_at = seen_at if len(pending) < batch else head.drained_at
    rows.run(_MOVE_HEAD, [seq, prev, drained_at])
    return len(updates), (seq, prev)


def _checkpoint_if_due(head: tuple[int, str], warnings: list[str]) -> Checkpoint | None:
    seq, hash_ = head
    if seq == 0:
        return None
    last = Checkpoint.objects.order_by("-at").first()
    now = clock.now()
    if last is not None:
        if last.seq == seq and last.hash == hash_:
            return None
        if now - last.at < timedelta(seconds=settings.AUDIT_CHECKPOINT_EVERY_SECONDS):
            return None
    try:
        signer = keys.signer()
    except keys.KeyProblem as problem:
        logger.error("audit checkpoint not signed: %s", problem)
        warnings.append(str(problem))
        return None
    if signer is None:
        warnings.append("no checkpoint key configured: the chain is sequenced but no checkpoint signed")
        return None
    return sign_checkpoint(signer, seq, hash_, now)


def sign_checkpoint(signer: keys.Signer, seq: int, hash_: str, at: datetime) -> Checkpoint:
    signature = signer.sign(checkpoint_message(seq=seq, hash=hash_, at=at))
    return Checkpoint.objects.create(seq=seq, hash=hash_, at=at, key_id=signer.key_id, signature=signature)


_said: set[str] = set()


def tick() -> None:
    """What the job worker's ticker runs: one pass, logged when it did something worth a line (a
    warning once per process, not on every tick)."""
    done = sequence()
    if done.checkpoint is not None:
        logger.info("audit checkpoint signed at #%s", done.checkpoint.seq)
    for warning in done.warnings:
        if warning not in _said:
            _said.add(warning)
            logger.warning("audit sequencer: %s", warning)
