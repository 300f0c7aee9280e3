from dataclasses import dataclass

from .chain import GENESIS, entry_hash
from .models import AuditEntry, ChainHead

FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "unit_id",
    "data",
    "prev_hash",
    "hash",
)


@dataclass
class Verdict:
    ok: bool
    verified: int
    bad_seq: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> Verdict:
    """Walk the chain in seq order, streaming; name the first entry that does not hold."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    rows = AuditEntry.objects.order_by("seq").values_list(*FIELDS).iterator(chunk_size=batch_size)
    for row in rows:
        entry = dict(zip(FIELDS, row, strict=True))
        seq = entry["seq"]
        if seq != expected_seq:
            return Verdict(
                False, count, expected_seq, f"entry #{expected_seq} is missing (next present is #{seq})"
            )
        if entry["prev_hash"] != prev_hash:
            return Verdict(
                False, count, seq, f"entry #{seq} does not link to entry #{seq - 1} (removed or reordered)"
            )
        stored = entry.pop("hash")
        if entry_hash(**entry) != stored:
            return Verdict(False, count, seq, f"entry #{seq} was altered (its hash does not match)")
        prev_hash, expected_seq, count = stored, seq + 1, count + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != count or head.hash != prev_hash):
        return Verdict(
            False, count, count + 1, f"entries after #{count} are missing (the chain head is at #{head.seq})"
        )
    return Verdict(True, count)
