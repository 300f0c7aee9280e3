"""The rules every report reads, cached per process: event kinds, level rules, notification rules and
their positions, regulator deadlines, group robots. They change a few times a year and a regional surge
reads them thousands of times a minute.

A report asks `current()` once: one indexed read of the `RulesVersion` token. The copy is read again
when the token differs, so a change is seen by the next report on every process. The token is replaced
by a signal handler on every save, delete and positions change of those models, whoever writes them
(the rule pages, the plan library loader, the admin); a writer that bypasses signals (`update()`,
`bulk_create()`) calls `changed()` itself. Invalidating a cache is bookkeeping, not business logic: the
services still say every business step themselves."""

import threading
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from yingji.core import rows
from yingji.orgs.models import Position
from yingji.plans.models import EventKind, LevelRule

from .models import KindNotificationRule, NotificationRule, RegulatorDeadline, RulesVersion, Webhook


@dataclass(frozen=True)
class Rulebook:
    token: str
    kinds: dict[str, EventKind] = field(default_factory=dict)
    level_rules: list[LevelRule] = field(default_factory=list)
    by_level: dict[str, NotificationRule] = field(default_factory=dict)
    level_positions: dict[str, list[Position]] = field(default_factory=dict)
    by_kind: dict[int, KindNotificationRule] = field(default_factory=dict)
    kind_positions: dict[int, list[Position]] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    regulator_minutes: dict[int, int] = field(default_factory=dict)
    webhooks: dict[int, list[Webhook]] = field(default_factory=dict)

    def kind(self, code: str) -> EventKind | None:
        return self.kinds.get(code)

    def rules_for(self, kind: EventKind) -> list[LevelRule]:
        """What `plans.classify.rules_for` reads: the kind's own rules, its group's, and the general ones."""
        return [
            r
            for r in self.level_rules
            if r.kind_id == kind.pk or (r.kind_id is None and r.group in (kind.group, ""))
        ]

    def rule_for(self, level: str) -> NotificationRule:
        try:
            return self.by_level[level]
        except KeyError:
            raise NotificationRule.DoesNotExist(f"no notification rule for level {level}") from None

    def kind_rule(self, kind_id: int) -> KindNotificationRule | None:
        return self.by_kind.get(kind_id)

    def told_positions(self, level: str, kind_id: int) -> list[Position]:
        return self.level_positions.get(level, []) + self.kind_positions.get(kind_id, [])

    def position(self, code: str) -> Position:
        try:
            return self.positions[code]
        except KeyError:
            raise Position.DoesNotExist(f"no position {code}") from None


_lock = threading.Lock()
_cached: Rulebook | None = None


_TOKEN = f"SELECT token FROM {rows.table(RulesVersion)} WHERE id = 1"


def _token() -> str:
    # Asked by every report: a statement written once, not a query compiled each time.
    row = rows.one(_TOKEN)
    return row[0] if row else ""


def _load(token: str) -> Rulebook:
    by_level = {r.level: r for r in NotificationRule.objects.prefetch_related("positions")}
    by_kind = {r.kind_id: r for r in KindNotificationRule.objects.prefetch_related("positions")}
    webhooks: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(is_active=True).order_by("pk"):
        webhooks.setdefault(hook.unit_id, []).append(hook)
    return Rulebook(
        token=token,
        kinds={k.code: k for k in EventKind.objects.all()},
        level_rules=list(LevelRule.objects.order_by("code")),
        by_level=by_level,
        level_positions={level: list(r.positions.all()) for level, r in by_level.items()},
        by_kind=by_kind,
        kind_positions={kind_id: list(r.positions.all()) for kind_id, r in by_kind.items()},
        positions={p.code: p for p in Position.objects.all()},
        regulator_minutes=dict(RegulatorDeadline.objects.values_list("unit_id", "minutes")),
        webhooks=webhooks,
    )


def current() -> Rulebook:
    """The rules as the database has them now: one read of the version token, the rest from memory
    unless the token changed. Inside a transaction that changed the rules, that transaction's view."""
    global _cached
    token = _token()
    if not token:  # a database whose rules came only from migrations: give it a token once
        changed()
        token = _token()
    cached = _cached
    if cached is not None and cached.token == token:
        return cached
    loaded = _load(token)
    with _lock:
        _cached = loaded
    return loaded


def changed() -> None:
    """The rules changed: a new token, so every process reads them again at its next report. This
    process forgets its copy at once, and again when the transaction ends (a rollback must not leave
    it with rules that never were)."""
    global _cached
    token = uuid.uuid4().hex
    if not RulesVersion.objects.filter(pk=1).update(token=token):
        RulesVersion.objects.bulk_create([RulesVersion(pk=1, token=token)], ignore_conflicts=True)
        RulesVersion.objects.filter(pk=1).update(token=token)
    _cached = None
    transaction.on_commit(_forget)


def _forget() -> None:
    global _cached
    _cached = None


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("action", "post_").startswith("post_"):  # m2m_changed says pre_ and post_
        changed()


WATCHED = (EventKind, LevelRule, NotificationRule, KindNotificationRule, RegulatorDeadline, Webhook, Position)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"rulebook-save-{model._meta.label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"rulebook-delete-{model._meta.label}")
    for through in (NotificationRule.positions.through, KindNotificationRule.positions.through):
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"rulebook-m2m-{through._meta.label}")
