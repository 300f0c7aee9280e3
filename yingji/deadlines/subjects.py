"""What a deadline tells the app that owns it when a checkpoint fires, without importing that app."""

from collections.abc import Callable
from typing import Any

# on_checkpoint(deadline, checkpoint) runs inside the firing transaction: "r50", "r80", "due", "up".
_registry: dict[str, Callable[[Any, str], None]] = {}


def register(subject_type: str, on_checkpoint: Callable[[Any, str], None]) -> None:
    _registry[subject_type] = on_checkpoint


def handler_for(subject_type: str) -> Callable[[Any, str], None] | None:
    return _registry.get(subject_type)
