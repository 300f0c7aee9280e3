"""The one place a status changes. Each state machine lists its allowed moves in a table
{from_status: {to_status, ...}}; `transition` locks the row, checks the table, and saves."""

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from .errors import InvalidTransition

TransitionTable = Mapping[Any, set[Any] | frozenset[Any]]


def allowed(table: TransitionTable, current: Any, target: Any) -> bool:
    return target in table.get(current, ())


def transition(
    obj: models.Model,
    target: Any,
    *,
    table: TransitionTable,
    field: str = "status",
    expect: set[Any] | frozenset[Any] | None = None,
) -> Any:
    """Move `obj` to `target` under a row lock; returns the previous status.

    Two people acting at once are serialised by the lock: the second sees the first's result and is
    refused if the move is no longer allowed from there. `expect` narrows the table to the states this
    action starts from, where the table allows the target from several (a rejection that waited behind
    an approval must not turn the approved state back)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside the service's transaction")
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    current = getattr(locked, field)
    if not allowed(table, current, target) or (expect is not None and current not in expect):
        raise InvalidTransition(
            _("Cannot go from “%(current)s” to “%(target)s”.")
            % {"current": _display(obj, field, current), "target": _display(obj, field, target)}
        )
    setattr(obj, field, target)
    type(obj)._default_manager.filter(pk=obj.pk).update(**{field: target})
    return current


def _display(obj: models.Model, field: str, value: Any) -> str:
    choices = dict(obj._meta.get_field(field).flatchoices)
    return str(choices.get(value, value))
