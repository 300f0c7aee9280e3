"""What notify tells the app a notice is about, without importing it: each app registers its subject
type with the hooks notify calls when a notice is acknowledged or escalated."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class SubjectHooks:
    on_acknowledged: Callable[[Any], None] | None = None
    on_escalated: Callable[[Any, list[Any]], None] | None = None


_registry: dict[str, SubjectHooks] = {}


def register(subject_type: str, hooks: SubjectHooks) -> None:
    _registry[subject_type] = hooks


def hooks_for(subject_type: str) -> SubjectHooks:
    return _registry.get(subject_type, SubjectHooks())
