"""Role cards: for each plan in force (its approved version) and each position the version names — in
its steps or its leadership group — what that position does, in order, with the timing of each step and
the reporting time limits that hold for the plan's events ("in 抢劫 as 大堂经理, I …").

`concerns()` answers which positions each current version names, in two queries for the whole library;
readiness and the quizzes read the same answer, so "concerned" means one thing everywhere."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.incidents.alerts import regulator_minutes
from yingji.notify import rulebook
from yingji.notify.models import NotificationRule
from yingji.orgs.models import Person, Position
from yingji.plans.models import Level, Plan, PlanVersion, Step, VersionStatus


@dataclass(frozen=True)
class Current:
    """A plan in force: its approved version and the positions that version names."""

    plan_id: int
    plan_code: str
    version_id: int
    number: int
    title: str
    sort_order: int
    positions: frozenset[int]


def leadership_codes(leadership: dict) -> dict[str, str]:
    """Position code → its role in the leadership group (组长, 副组长, 成员)."""
    roles: dict[str, str] = {}
    for code in leadership.get("members", []) or []:
        roles[code] = pgettext("leading group", "Member")
    for code in leadership.get("deputies", []) or []:
        roles[code] = pgettext("leading group", "Deputy leader")
    if leader := leadership.get("leader"):
        roles[leader] = pgettext("leading group", "Leader")
    return {code: role for code, role in roles.items() if code}


def concerns() -> dict[int, Current]:
    """Every plan in force by plan id, with the positions its current version names (two queries)."""
    versions = list(
        PlanVersion.objects.filter(status=VersionStatus.APPROVED)
        .select_related("plan")
        .only("id", "number", "title", "leadership", "plan__id", "plan__code", "plan__sort_order")
    )
    by_code = dict(Position.objects.values_list("code", "pk"))
    named: dict[int, set[int]] = {v.pk: set() for v in versions}
    for version_id, position_id in Step.objects.filter(version__status=VersionStatus.APPROVED).values_list(
        "version_id", "position_id"
    ):
        named.setdefault(version_id, set()).add(position_id)
    found = {}
    for v in versions:
        positions = named[v.pk] | {by_code[c] for c in leadership_codes(v.leadership or {}) if c in by_code}
        found[v.plan_id] = Current(
            v.plan_id, v.plan.code, v.pk, v.number, v.title, v.plan.sort_order, frozenset(positions)
        )
    return dict(sorted(found.items(), key=lambda item: (item[1].sort_order, item[1].plan_code)))


def names_any(version: PlanVersion, position_ids: set[int]) -> bool:
    """Whether the version names one of these positions, in a step or in its leadership group (one
    query at most): what `concerns()` answers for the whole library, asked of one version."""
    codes = set(leadership_codes(version.leadership or {}))
    if codes and Position.objects.filter(pk__in=position_ids, code__in=codes).exists():
        return True
    return Step.objects.filter(version=version, position_id__in=position_ids).exists()


@dataclass
class ReportLimit:
    kind: str
    level: str
    first_report_minutes: int
    regulator_minutes: int | None  # None: the regulator is not told of this kind at its level


@dataclass
class Card:
    plan: Plan
    version: PlanVersion
    position: Position
    steps: list[Step]
    leadership_role: str = ""
    group_leads: list[str] = field(default_factory=list)
    limits: list[ReportLimit] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.version.pk}-{self.position.code}"


def timing_text(step: Step) -> str:
    """ "At once", "within 30 minutes", "when 伤势较严重", "afterwards"."""
    if step.timing == "within" and step.minutes:
        return _("within %(n)s minutes") % {"n": step.minutes}
    if step.timing == "on_condition" and step.condition:
        # The sources often write the condition as a clause that already ends in 时 ("…抢劫时").
        if step.condition.endswith("时"):
            return step.condition
        return _("when: %(condition)s") % {"condition": step.condition}
    return str(step.get_timing_display())


def report_limits(plan: Plan, regional_minutes: int | None, rules=None) -> list[ReportLimit]:
    """For each event kind of the plan at its default level: the first report's limit (later is 缓报)
    and, where the regulator must be told, the regional deadline for that (both 本行设定 on the notify
    rules page)."""
    rules = rules or rulebook.current()
    limits = []
    for kind in plan.kinds.all():
        try:
            rule = rules.rule_for(kind.default_level)
        except NotificationRule.DoesNotExist:  # a database without notification rules: no limits
            continue
        kind_rule = rules.kind_rule(kind.pk)
        regulator = rule.regulator_report or bool(kind_rule and kind_rule.regulator_report)
        limits.append(
            ReportLimit(
                kind=kind.name,
                level=str(Level(kind.default_level).label),
                first_report_minutes=rule.late_report_minutes,
                regulator_minutes=regional_minutes if regulator else None,
            )
        )
    return limits


def cards_for(person: Person) -> list[Card]:
    """The person's cards: each plan in force that names one of their positions, one card per position,
    in plan order (four queries, whatever the library's size)."""
    held = {p.pk: p for p in person.positions.all()}
    current = [c for c in concerns().values() if c.positions & set(held)]
    if not current:
        return []
    versions = {
        v.pk: v
        for v in PlanVersion.objects.filter(pk__in=[c.version_id for c in current])
        .select_related("plan")
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.select_related("position").order_by("order")),
            "plan__kinds",
        )
    }
    rules = rulebook.current()
    regional = regulator_minutes(person.unit.acting_unit, rules=rules)
    cards = []
    for c in current:
        version = versions[c.version_id]
        roles = leadership_codes(version.leadership or {})
        limits = report_limits(version.plan, regional, rules)
        for position_id in sorted(c.positions & set(held), key=lambda pk: held[pk].sort_order):
            position = held[position_id]
            cards.append(
                Card(
                    plan=version.plan,
                    version=version,
                    position=position,
                    steps=[s for s in version.steps.all() if s.position_id == position_id],
                    leadership_role=roles.get(position.code, ""),
                    group_leads=[
                        g.get("name", "")
                        for g in version.groups or []
                        if g.get("leader_position") == position.code
                    ],
                    limits=limits,
                )
            )
    return cards
