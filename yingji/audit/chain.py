import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64


def normalise(data: Any) -> Any:
    """What the JSON column will give back: hashing this keeps the hash stable across databases."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def utc_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    unit_id: int | None,
    data: Any,
    prev_hash: str,
    visible_after: datetime | None = None,
    sequenced_at: datetime | None = None,
) -> bytes:
    """Sorted keys, no whitespace, UTF-8, times as UTC ISO-8601 to the microsecond. `seq` is the place in
    the chain. The sequencer's two times are sealed too (so the wait audit_verify measures cannot be
    rewritten quietly); entries chained before there was a sequencer have neither, and hash as before."""
    body = {
        "seq": seq,
        "at": utc_text(at),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "unit_id": unit_id,
        "data": data,
        "prev_hash": prev_hash,
    }
    if visible_after is not None:
        body["visible_after"] = utc_text(visible_after)
    if sequenced_at is not None:
        body["sequenced_at"] = utc_text(sequenced_at)
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()


def checkpoint_message(*, seq: int, hash: str, at: datetime) -> bytes:
    """What a checkpoint's signature covers: the chain's head and the time it was signed."""
    return f"yingji-audit-checkpoint/1\n{seq}\n{hash}\n{utc_text(at)}\n".encode()
