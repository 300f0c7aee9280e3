from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, models, transaction

from yingji.core import clock, rows

from .chain import normalise
from .models import AuditEntry


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
    """Write one entry, unchained: the sequencer gives it its place in the chain moments after the
    write commits. Must run inside the service's transaction, so the change and its entry commit
    together or not at all. No lock is shared with other writers."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if unit is None:
            unit = _unit_of(obj)
    entry = _entry(_numbers(1)[0], actor, action, object_type, object_id, unit, data)
    entry.save(force_insert=True)
    return entry


def record_many(
    *, actor: User | AnonymousUser | None, action: str, items: list[tuple[models.Model, dict[str, Any]]]
) -> int:
    """One entry per (object, data), in order, written together: what a batch of ten thousand imported
    records needs, with exactly the entries `record` would have written one by one."""
    return record_each([(actor, action, obj, data) for obj, data in items])


Entry = tuple[User | AnonymousUser | None, str, models.Model, dict[str, Any]]


def record_each(entries: list[Entry]) -> int:
    """One entry per (actor, action, object, data), in order, in one insert: a batch of writes by
    different people (reports committed together) costs one statement for its numbers and one insert."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_each() must run inside the service's transaction")
    if not entries:
        return 0
    numbers = _numbers(len(entries))
    written = [
        _entry(number, actor, action, obj._meta.label_lower, str(obj.pk), _unit_of(obj), data)
        for number, (actor, action, obj, data) in zip(numbers, entries, strict=True)
    ]
    AuditEntry.objects.bulk_create(written, batch_size=1000)
    return len(written)


# Entry numbers. PostgreSQL: a sequence (0003_off_the_write_path), which hands out numbers to concurrent
# transactions without making them wait for each other. SQLite: every write transaction holds the
# database's one write lock from BEGIN (transaction_mode IMMEDIATE), so the largest number plus one is
# taken by one writer at a time.
if connection.vendor == "postgresql":
    _NUMBERS = "SELECT nextval('audit_entry_number') FROM generate_series(1, %s)"
else:
    _NUMBERS = f"SELECT COALESCE(MAX(seq), 0) FROM {rows.table(AuditEntry)}"


def _numbers(count: int) -> list[int]:
    if connection.vendor == "postgresql":
        return sorted(row[0] for row in rows.every(_NUMBERS, [count]))
    last = rows.one(_NUMBERS)[0]
    return list(range(last + 1, last + 1 + count))


def _entry(seq: int, actor, action, object_type, object_id, unit, data) -> AuditEntry:
    actor_id, actor_name = _actor(actor)
    return AuditEntry(
        seq=seq,
        at=clock.now(),
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        unit_id=unit.pk if unit is not None else None,
        data=normalise(data or {}),
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
