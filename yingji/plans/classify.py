"""Classification: the level of an event from its kind and facts, with the reasons that gave it.

Rules are data (LevelRule rows). Every rule that matches proposes a level; the kind's default level is
the floor; where they disagree the highest wins (理财预案: 防止风险扩散). Raising a fact can only add
matching rules, so it never lowers the level."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from yingji.core.errors import InvalidInput

from .models import EventKind, Fact, Level, LevelRule, severity

INTEGER_FACTS = {
    Fact.OUTLETS_AFFECTED,
    Fact.INJURED,
    Fact.DEATHS,
    Fact.CUSTOMERS_GATHERED,
    Fact.SYSTEM_DOWN_MINUTES,
}
BOOLEAN_FACTS = {Fact.MEDIA_EXPOSURE}
DECIMAL_FACTS = {Fact.AMOUNT_YUAN}
MAX_FACT = Decimal("1e13")


@dataclass(frozen=True)
class Reason:
    source: str  # "default" or the rule's code
    level: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "level": self.level, "text": self.text}


@dataclass(frozen=True)
class Classification:
    level: str
    reasons: list[Reason] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "reasons": [r.as_dict() for r in self.reasons]}


def parse_facts(raw: Any) -> dict[str, Any]:
    """Check the facts a report carries; any unknown key or bad value is refused with its field."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput(_("Facts must be an object."), fields={"facts": _("Facts must be an object.")})
    facts: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        if key not in Fact.values:
            errors[f"facts.{key}"] = _("Unknown fact. Known facts: %s") % ", ".join(Fact.values)
        elif key in BOOLEAN_FACTS:
            if not isinstance(value, bool):
                errors[f"facts.{key}"] = _("Must be true or false.")
            else:
                facts[key] = value
        elif key in INTEGER_FACTS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_FACT:
                errors[f"facts.{key}"] = _("Must be a whole number, zero or more.")
            else:
                facts[key] = value
        else:
            number = _decimal(value)
            if number is None:
                errors[f"facts.{key}"] = _("Must be an amount, zero or more.")
            else:
                facts[key] = number
    if errors:
        raise InvalidInput(_("Some facts are not valid."), fields=errors)
    return facts


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > MAX_FACT:
        return None
    return number


def rules_for(kind: EventKind) -> list[LevelRule]:
    return list(
        LevelRule.objects.filter(
            Q(kind=kind) | Q(kind__isnull=True, group=kind.group) | Q(kind__isnull=True, group="")
        )
    )


def classify(kind: EventKind, facts: dict[str, Any], rules: list[LevelRule] | None = None) -> Classification:
    facts = parse_facts(facts)
    reasons = [Reason("default", kind.default_level, _("Default level of “%(kind)s”.") % {"kind": kind.name})]
    for rule in rules if rules is not None else rules_for(kind):
        value = facts.get(rule.fact)
        if value is None:
            continue
        if Decimal(int(value) if isinstance(value, bool) else value) >= rule.threshold:
            reasons.append(Reason(rule.code, rule.level, rule.description))
    level = max((r.level for r in reasons), key=severity)
    return Classification(level=Level(level).value, reasons=reasons)


@dataclass(frozen=True)
class LevelDecision:
    level: str
    classified: str
    reason: str
    overridden: bool


def decide_level(classification: Classification, requested: str | None, reason: str = "") -> LevelDecision:
    """A person may raise the level with a reason, and lower it below the rules only with a written
    reason, which is kept with the decision."""
    if requested is None or requested == classification.level:
        return LevelDecision(classification.level, classification.level, "", False)
    if requested not in Level.values:
        raise InvalidInput(_("Unknown level."), fields={"level": _("Unknown level.")})
    reason = (reason or "").strip()
    if severity(requested) < severity(classification.level):
        if len(reason) < 10:
            raise InvalidInput(
                _("Lowering the level below the rules needs a written reason (10 characters or more)."),
                fields={"reason": _("A written reason is required.")},
            )
    elif not reason:
        raise InvalidInput(_("Raising the level needs a reason."), fields={"reason": _("Required.")})
    return LevelDecision(requested, classification.level, reason, True)
