"""Reads of the plan library. Plans are the bank's common content: every signed-in person reads the
approved versions; drafts and reviews are for emergency administrators."""

import difflib
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.orgs.models import Position

from . import structure
from .models import EventGroup, EventKind, LevelRule, Plan, PlanVersion, Step, VersionStatus


def approved_plans() -> QuerySet[Plan]:
    current = PlanVersion.objects.filter(status=VersionStatus.APPROVED).annotate(step_count=Count("steps"))
    return Plan.objects.prefetch_related(Prefetch("versions", queryset=current), "kinds")


def search_plans(*, text: str = "", kind: str = "", unit_type: str = "", group: str = "") -> QuerySet[Plan]:
    """Chinese has no spaces between words, so search is a substring match over titles, principles and
    steps of the approved versions, for every term the person typed (separated by spaces)."""
    plans = approved_plans().filter(versions__status=VersionStatus.APPROVED)
    for term in text.split():
        plans = plans.filter(
            Q(versions__title__icontains=term)
            | Q(versions__steps__action__icontains=term)
            | Q(versions__principles__icontains=term)
            | Q(kinds__name__icontains=term),
            versions__status=VersionStatus.APPROVED,
        )
    if kind:
        plans = plans.filter(kinds__code=kind)
    if group:
        plans = plans.filter(kinds__group=group)
    if unit_type:
        plans = (
            plans.filter(unit_types__contains=unit_type)
            if _json_contains_supported()
            else plans.filter(unit_types__icontains=f'"{unit_type}"')
        )
    return plans.distinct().order_by("sort_order", "code")


def fitting_plans(*, kind: EventKind | str, unit_type: str) -> list[Plan]:
    """The plans in force for an event of this kind at a unit of this type: a plan answers the kind and
    names the unit type (a plan that names no unit type fits every unit). An outlet's 重大投诉 gets the
    outlet plan, not the call centre's."""
    code = kind.code if isinstance(kind, EventKind) else kind
    plans = approved_plans().filter(versions__status=VersionStatus.APPROVED, kinds__code=code).distinct()
    return [p for p in plans.order_by("sort_order", "code") if not p.unit_types or unit_type in p.unit_types]


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


@dataclass
class GroupShelf:
    group: str
    label: str
    kinds: list[EventKind]


def library_shelves() -> list[GroupShelf]:
    """Kinds by group, each with its approved plans, for the browse page (three queries)."""
    plans = Prefetch("plans", queryset=approved_plans().order_by("sort_order"))
    kinds = EventKind.objects.prefetch_related(plans).order_by("group", "sort_order")
    shelves: dict[str, GroupShelf] = {}
    for kind in kinds:
        shelf = shelves.setdefault(kind.group, GroupShelf(kind.group, EventGroup(kind.group).label, []))
        shelf.kinds.append(kind)
    order = list(EventGroup.values)
    return sorted(shelves.values(), key=lambda s: order.index(s.group))


def version_with_steps(version: PlanVersion) -> PlanVersion:
    return (
        PlanVersion.objects.select_related("plan", "approved_by", "created_by")
        .prefetch_related(Prefetch("steps", queryset=Step.objects.select_related("position")))
        .get(pk=version.pk)
    )


@dataclass
class GroupOutline:
    name: str
    leader: str  # the leader's position name, or ""
    duties: str
    steps: list[Step] = field(default_factory=list)


@dataclass
class ApproverOutline:
    label: str  # the source's words
    who: str  # whom the product asks


@dataclass
class VersionOutline:
    """What a version page shows besides its steps: the leading group as position names, the working
    groups each with its steps, who approves termination, and whether any position was inferred."""

    leadership: list[tuple[str, list[str]]]
    groups: list[GroupOutline]
    approvers: list[ApproverOutline]
    has_inferred: bool


APPROVER_UNITS = {
    "incident": lambda: _("the incident's unit"),
    "above": lambda: _("the unit above"),
    "head_office": lambda: _("head office"),
}


def version_outline(version: PlanVersion, steps: list[Step]) -> VersionOutline:
    """One query for the position names, whatever the version names."""
    leadership = version.leadership or {}
    codes = (
        {leadership.get("leader", "")}
        | set(leadership.get("deputies", []))
        | set(leadership.get("members", []))
    )
    codes |= {g.get("leader_position", "") for g in version.groups}
    codes |= {a.get("position", "") for a in version.termination_approvers}
    names = dict(Position.objects.filter(code__in=codes - {""}).values_list("code", "name"))
    rows = [
        (pgettext("leading group", "Leader"), [leadership.get("leader", "")]),
        (pgettext("leading group", "Deputy leaders"), leadership.get("deputies", [])),
        (pgettext("leading group", "Members"), leadership.get("members", [])),
    ]
    groups = [
        GroupOutline(g["name"], names.get(g.get("leader_position", ""), ""), g.get("duties", ""))
        for g in version.groups
    ]
    by_name = {g.name: g for g in groups}
    for step in steps:
        if step.group in by_name:
            by_name[step.group].steps.append(step)
    approvers = []
    for approver in structure.approvers(version.termination_approvers):
        if approver.role == "leader":
            who = _("the incident's group leader (组长)")
        else:
            unit = APPROVER_UNITS.get(approver.unit, lambda: "")()
            who = _("%(position)s of %(unit)s") % {
                "position": names.get(approver.position, approver.position),
                "unit": unit,
            }
        approvers.append(ApproverOutline(approver.label, who))
    return VersionOutline(
        leadership=[(label, [names.get(c, c) for c in codes if c]) for label, codes in rows if any(codes)],
        groups=groups,
        approvers=approvers,
        has_inferred=any(step.position_inferred for step in steps),
    )


def level_rules() -> list[LevelRule]:
    """Every level rule, general ones first, for the library's 定级规则."""
    first = F("kind__sort_order").asc(nulls_first=True)  # PostgreSQL puts NULLs last unless told
    return list(LevelRule.objects.select_related("kind").order_by(first, "fact", "threshold", "code"))


def plan_by_code(code: str) -> Plan:
    return Plan.objects.prefetch_related("kinds", "versions").get(code=code)


@dataclass
class RoleCardSection:
    plan: Plan
    version: PlanVersion
    steps: list[Step]


def role_card(position: Position) -> list[RoleCardSection]:
    """Every step a position owns across the approved plans, grouped by plan, in plan order."""
    steps = (
        Step.objects.filter(position=position, version__status=VersionStatus.APPROVED)
        .select_related("version__plan")
        .order_by("version__plan__sort_order", "version__plan__code", "order")
    )
    sections: dict[int, RoleCardSection] = {}
    for step in steps:
        section = sections.get(step.version_id)
        if section is None:
            section = sections[step.version_id] = RoleCardSection(step.version.plan, step.version, [])
        section.steps.append(step)
    return list(sections.values())


def positions_with_step_counts() -> QuerySet[Position]:
    return Position.objects.annotate(
        step_count=Count("plan_steps", filter=Q(plan_steps__version__status=VersionStatus.APPROVED))
    ).order_by("sort_order")


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def step_line(step: Step) -> str:
    parts = [
        step.action,
        f"【{step.position.name}{_('（inferred）') if step.position_inferred else ''}】",
        step.get_timing_display(),
    ]
    if step.minutes:
        parts.append(f"{step.minutes} 分钟")
    if step.condition:
        parts.append(f"条件：{step.condition}")
    if step.branch:
        parts.append(f"分支：{step.branch}")
    if step.record:
        parts.append(f"记录：{step.record}")
    if step.group:
        parts.append(f"工作组：{step.group}")
    return " · ".join(parts)


def diff_versions(old: PlanVersion, new: PlanVersion) -> dict:
    """What changed between two versions: header fields, then steps line by line."""
    fields = []
    shown = {
        "groups": structure.groups_as_lines,
        "termination_approvers": lambda approvers: "；".join(a.get("label", "") for a in approvers),
    }
    for name in ("title", "principles", "groups", "termination", "termination_approvers"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            show = shown.get(name, str)
            fields.append(
                {
                    "field": PlanVersion._meta.get_field(name).verbose_name,
                    "old": show(before),
                    "new": show(after),
                }
            )
    old_lines = [step_line(s) for s in old.steps.select_related("position").order_by("order")]
    new_lines = [step_line(s) for s in new.steps.select_related("position").order_by("order")]
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        a=old_lines, b=new_lines, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", text) for text in old_lines[i1:i2])
        else:
            lines.extend(DiffLine("removed", text) for text in old_lines[i1:i2])
            lines.extend(DiffLine("added", text) for text in new_lines[j1:j2])
    return {
        "fields": fields,
        "lines": lines,
        "added": sum(1 for line in lines if line.kind == "added"),
        "removed": sum(1 for line in lines if line.kind == "removed"),
    }
