from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, models, transaction

from yingji.core import clock, rows

from .chain import entry_hash, normalise
from .models import AuditEntry, ChainHead


def record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    unit=None,
    data: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the service's transaction, so the change and
    its entry commit together or not at all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    seq, prev = _hold_head()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if unit is None:
            unit = _unit_of(obj)
    entry = _chained(seq + 1, prev, actor, action, object_type, object_id, unit, data)
    entry.save(force_insert=True)
    _move_head(entry.seq, entry.hash)
    return entry


def record_many(
    *, actor: User | AnonymousUser | None, action: str, items: list[tuple[models.Model, dict[str, Any]]]
) -> int:
    """One entry per (object, data), chained in order and written together under one hold of the chain
    head: what a batch of ten thousand imported records needs, with exactly the entries `record` would
    have written one by one."""
    return record_each([(actor, action, obj, data) for obj, data in items])


Entry = tuple[User | AnonymousUser | None, str, models.Model, dict[str, Any]]


def record_each(entries: list[Entry]) -> int:
    """One entry per (actor, action, object, data), chained in order under one hold of the chain head:
    a batch of writes by different people (reports committed together) costs one lock, one insert."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_each() must run inside the service's transaction")
    if not entries:
        return 0
    seq, prev = _hold_head()
    chained = []
    for actor, action, obj, data in entries:
        seq += 1
        entry = _chained(seq, prev, actor, action, obj._meta.label_lower, str(obj.pk), _unit_of(obj), data)
        chained.append(entry)
        prev = entry.hash
    AuditEntry.objects.bulk_create(chained, batch_size=1000)
    _move_head(seq, prev)
    return len(chained)


# Every audited write locks the chain head: statements written once. The head's row is made by the first
# entry; without FOR UPDATE (SQLite) the write lock taken at BEGIN serialises writers instead.
_HEAD = f"SELECT seq, hash FROM {rows.table(ChainHead)} WHERE id = 1" + (
    " FOR UPDATE" if connection.features.has_select_for_update else ""
)
_MOVE_HEAD = f"UPDATE {rows.table(ChainHead)} SET seq = %s, hash = %s WHERE id = 1"


def _hold_head() -> tuple[int, str]:
    """The chain head's number and hash, locked until the caller's transaction ends."""
    row = rows.one(_HEAD)
    if row is None:
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        return head.seq, head.hash
    return row[0], row[1]


def _move_head(seq: int, hash_: str) -> None:
    rows.run(_MOVE_HEAD, [seq, hash_])


def _chained(seq: int, prev_hash: str, actor, action, object_type, object_id, unit, data) -> AuditEntry:
    actor_id, actor_name = _actor(actor)
    fields = {
        "seq": seq,
        "at": clock.now(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "unit_id": unit.pk if unit is not None else None,
        "data": normalise(data or {}),
        "prev_hash": prev_hash,
    }
    return AuditEntry(
        **fields,
        hash=entry_hash(**fields),
        unit_path=unit.path if unit is not None else "",
        unit_name=unit.name if unit is not None else "",
    )


def _actor(actor) -> tuple[int | None, str]:
    if actor is None or not actor.is_authenticated:
        return None, "system"
    person = getattr(actor, "person", None)
    return actor.pk, person.name if person is not None else actor.get_username()


def _unit_of(obj: models.Model):
    from yingji.orgs.models import Unit

    if isinstance(obj, Unit):
        return obj
    return getattr(obj, "unit", None)
