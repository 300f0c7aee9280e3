"""audit_verify's checks, in one streaming walk of the chain:

- the chain: every entry's hash, its link to the one before, no gap in chain_seq, the head not ahead;
- every signed checkpoint: its signature under a configured public key, and the chain's hash at its
  chain_seq equal to the one it signed (so rewriting an entry and recomputing every hash after it, as a
  database superuser can, fails at the first checkpoint after the entry);
- timeliness: no committed entry waited longer than AUDIT_SEQUENCE_BOUND_SECONDS to be chained
  (measured from when it committed at the earliest, see sequencer.py), and none still waits longer.
  Entries chained by the sequencer's first pass on a database (what a fresh install's loaders wrote
  before any worker ran) have no earlier pass to measure from, and are not measured.

`ok` covers the first two (integrity); `timely` the last."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings

from yingji.core import clock

from . import keys
from .chain import GENESIS, checkpoint_message, entry_hash
from .models import AuditEntry, ChainHead, Checkpoint

FIELDS = (
    "chain_seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "unit_id",
    "data",
    "prev_hash",
    "visible_after",
    "sequenced_at",
    "hash",
)
LISTED = 20  # late or waiting entries named one by one; the rest counted


@dataclass
class Verdict:
    ok: bool
    verified: int
    bad_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0
    keys_configured: bool = True
    late: list[tuple[int, float]] = field(default_factory=list)  # (chain_seq, seconds waited)
    late_count: int = 0
    waiting: list[tuple[int, float]] = field(default_factory=list)  # (seq, seconds so far), unchained
    waiting_count: int = 0

    @property
    def timely(self) -> bool:
        return not self.late_count and not self.waiting_count


def verify_chain(batch_size: int = 2000) -> Verdict:
    """Walk the chain in chain order, streaming; name the first entry or checkpoint that does not hold,
    and the entries that waited too long."""
    bound = timedelta(seconds=settings.AUDIT_SEQUENCE_BOUND_SECONDS)
    verdict = Verdict(True, 0)
    try:
        public = keys.public_keys()
    except keys.KeyProblem as problem:
        return Verdict(False, 0, None, str(problem))
    verdict.keys_configured = bool(public)
    signed = _checkpoints(public, verdict)
    if not verdict.ok:
        return verdict
    expected_seq, prev_hash = 1, GENESIS
    chained = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("chain_seq")
    for row in chained.values_list(*FIELDS).iterator(chunk_size=batch_size):
        entry = dict(zip(FIELDS, row, strict=True))
        seq = entry.pop("chain_seq")
        if seq != expected_seq:
            return _broken(
                verdict, expected_seq, f"entry #{expected_seq} is missing (next present is #{seq})"
            )
        if entry["prev_hash"] != prev_hash:
            return _broken(
                verdict, seq, f"entry #{seq} does not link to entry #{seq - 1} (removed or reordered)"
            )
        stored = entry.pop("hash")
        if entry_hash(seq=seq, **entry) != stored:
            return _broken(verdict, seq, f"entry #{seq} was altered (its hash does not match)")
        for checkpoint in signed.pop(seq, []):
            if checkpoint.hash != stored:
                return _broken(
                    verdict,
                    seq,
                    f"the checkpoint signed at {checkpoint.at:%Y-%m-%d %H:%M:%S} UTC names another hash for "
                    f"entry #{seq}: entries up to #{seq} were rewritten",
                )
        if (
            entry["visible_after"] is not None
        ):  # None: chained by the first pass ever, nothing to measure from
            waited = entry["sequenced_at"] - max(entry["at"], entry["visible_after"])
            if waited > bound:
                verdict.late_count += 1
                if len(verdict.late) < LISTED:
                    verdict.late.append((seq, waited.total_seconds()))
        prev_hash, expected_seq, verdict.verified = stored, seq + 1, verdict.verified + 1
    if signed:
        first = min(signed)
        return _broken(
            verdict,
            first,
            f"a signed checkpoint names entry #{first}, which the chain does not have (entries after "
            f"#{verdict.verified} are missing)",
        )
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != verdict.verified or head.hash != prev_hash):
        return _broken(
            verdict,
            verdict.verified + 1,
            f"entries after #{verdict.verified} are missing (the chain head is at #{head.seq})",
        )
    _waiting(verdict, bound)
    return verdict


def _checkpoints(public: dict, verdict: Verdict) -> dict[int, list[Checkpoint]]:
    """Every checkpoint's signature; the good ones by the chain_seq they name."""
    by_seq: dict[int, list[Checkpoint]] = {}
    for checkpoint in Checkpoint.objects.order_by("at", "id"):
        verdict.checkpoints += 1
        key = public.get(checkpoint.key_id)
        when = f"{checkpoint.at:%Y-%m-%d %H:%M:%S} UTC"
        if key is None:
            _broken(
                verdict,
                checkpoint.seq,
                f"the checkpoint signed at {when} names key {checkpoint.key_id}, which is not among the "
                "configured public keys",
            )
            return by_seq
        message = checkpoint_message(seq=checkpoint.seq, hash=checkpoint.hash, at=checkpoint.at)
        if not keys.signature_holds(key, checkpoint.signature, message):
            _broken(verdict, checkpoint.seq, f"the checkpoint signed at {when} does not hold (bad signature)")
            return by_seq
        by_seq.setdefault(checkpoint.seq, []).append(checkpoint)
    return by_seq


def _waiting(verdict: Verdict, bound: timedelta) -> None:
    """Committed entries not chained yet that are older than the bound."""
    now = clock.now()
    old = AuditEntry.objects.filter(chain_seq__isnull=True, at__lt=now - bound).order_by("seq")
    verdict.waiting_count = old.count()
    verdict.waiting = [(seq, (now - at).total_seconds()) for seq, at in old.values_list("seq", "at")[:LISTED]]


def _broken(verdict: Verdict, seq: int, reason: str) -> Verdict:
    verdict.ok, verdict.bad_seq, verdict.reason = False, seq, reason
    return verdict
