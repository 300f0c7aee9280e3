"""The assessment (考核): a score per unit from the year's figures and the bank's weights.

Each component is a rate from 0 to 100 read off the figures (tasks done on time of all tasks, letters
signed of all letters, …). A component whose denominator is 0 (nothing was due) or whose part of the
security year is not installed is left out, and the score is the weighted mean of the others:
score = Σ weightᵢ·rateᵢ / Σ weightᵢ. So it stays within 0–100, rises with every rate, and units of the
same type compare on the same footing. The weights are the bank's own (本行设定, `Weight` rows, edited by
head office's 应急管理员; the defaults below are what a new database starts from)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Weight

TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Component:
    code: str
    label: Promise
    explains: Promise
    numerator: Callable[[Mapping[str, int]], int]
    denominator: str
    default_weight: int


COMPONENTS = (
    Component(
        "task_on_time",
        _("Tasks done on time"),
        _("tasks done and not late, of all tasks of the year's plan"),
        lambda f: f["tasks_done"] - f["tasks_done_late"],
        "tasks_total",
        20,
    ),
    Component(
        "letter_sign",
        _("Letters signed"),
        _("responsibility letters signed, of all letters"),
        lambda f: f["letters_signed"],
        "letters_total",
        15,
    ),
    Component(
        "rectification_closure",
        _("Rectifications closed"),
        _("rectifications closed after the inspector's re-check, of all rectifications"),
        lambda f: f["rectifications_closed"],
        "rectifications_total",
        20,
    ),
    Component(
        "training_coverage",
        _("Training coverage"),
        _("staff who attended safety education, of all staff"),
        lambda f: f["staff_trained"],
        "staff",
        15,
    ),
    Component(
        "readiness",
        _("Readiness"),
        _("staff with a current acknowledgement and a passed quiz, of the staff concerned"),
        lambda f: f["staff_ready"],
        "staff_concerned",
        15,
    ),
    Component(
        "drill_done",
        _("Drills done"),
        _("required drills held (each unit × period of the bank's requirements), of those required"),
        lambda f: f["drill_periods_done"],
        "drill_periods_due",
        15,
    ),
)
BY_CODE = {c.code: c for c in COMPONENTS}


def rate(component: Component, figures: Mapping[str, int]) -> Decimal | None:
    """0–100 to one decimal; None when nothing was due or the figures are not there."""
    try:
        numerator, denominator = component.numerator(figures), figures[component.denominator]
    except KeyError:
        return None
    if denominator <= 0:
        return None
    value = HUNDRED * Decimal(numerator) / Decimal(denominator)
    return min(HUNDRED, max(Decimal(0), value)).quantize(TENTH, ROUND_HALF_UP)


def weights() -> dict[str, int]:
    """The bank's weights: the stored rows, a component without a row at its default."""
    stored = dict(Weight.objects.values_list("component", "weight"))
    return {c.code: stored.get(c.code, c.default_weight) for c in COMPONENTS}


def score(rates: Mapping[str, Decimal | None], weights: Mapping[str, int]) -> Decimal | None:
    """The weighted mean of the rates that exist; None when no component with a weight has one."""
    counted = [
        (weights.get(code, 0), r) for code, r in rates.items() if r is not None and weights.get(code, 0) > 0
    ]
    total = sum(w for w, _r in counted)
    if not total:
        return None
    return (sum(Decimal(w) * r for w, r in counted) / Decimal(total)).quantize(TENTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class Scored:
    rates: dict[str, Decimal | None]
    weights: dict[str, int]
    score: Decimal | None

    def rows(self) -> list[tuple[Component, Decimal | None, int]]:
        return [(c, self.rates[c.code], self.weights[c.code]) for c in COMPONENTS]


def assess(figures: Mapping[str, int], current: Mapping[str, int] | None = None) -> Scored:
    current = dict(current if current is not None else weights())
    rates = {c.code: rate(c, figures) for c in COMPONENTS}
    return Scored(rates, current, score(rates, current))
