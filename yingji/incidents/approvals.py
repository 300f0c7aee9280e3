"""Who approves ending the response (004 第十六条 "经领导小组和大厦安全保卫负责人批准",
第十七条 "报…领导小组和总行办公室批准"). The plan version names its approvers as data
(`PlanVersion.termination_approvers`); each becomes a slot of the termination request that one
person fills, and the case ends only when every slot is approved. A plan that names nobody gets the
default: the incident's 组长 and the 应急管理员 of the unit above, so no outlet ends its own case
alone. The proposer fills no slot."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yingji.orgs.models import Person, Position, PositionCode, Unit, UnitType

from .models import (
    Incident,
    Investigation,
    LevelChangeRequest,
    MemberRole,
    Status,
    TerminationApproval,
    TerminationRequest,
)

LEADER = "leader"
DEFAULT_APPROVERS = [
    {"role": LEADER, "label": ""},
    {"position": PositionCode.EMERGENCY_ADMIN, "unit": "above", "label": ""},
]


@dataclass(frozen=True)
class Slot:
    """One approval a plan asks for, resolved for one incident."""

    label: str
    role: str = ""
    position: Position | None = None
    unit: Unit | None = None


def _unit_for(incident: Incident, where: str) -> Unit:
    unit = incident.unit.acting_unit
    if where == "above":
        # The head office has nobody above it: its own unit approves.
        return unit.parent_unit or unit
    if where == "head_office":
        return Unit.objects.get_root(unit)
    return unit


def _default_label(entry: dict, position: Position | None, unit: Unit | None) -> str:
    if entry.get("role") == LEADER:
        return _("Group leader (组长)")
    return f"{unit.name if unit else ''}{position.name if position else ''}"


def required_slots(incident: Incident) -> list[Slot]:
    """The approvals this incident's plan version asks for (the default when it names none)."""
    version = incident.plan_version
    entries = (version.termination_approvers if version else None) or DEFAULT_APPROVERS
    codes = {e.get("position") for e in entries if e.get("position")}
    positions = {p.code: p for p in Position.objects.filter(code__in=codes)}
    slots = []
    for entry in entries:
        if entry.get("role") == LEADER:
            slots.append(Slot(label=entry.get("label") or _default_label(entry, None, None), role=LEADER))
            continue
        position = positions.get(entry.get("position", ""))
        unit = _unit_for(incident, entry.get("unit", "incident"))
        slots.append(
            Slot(
                label=entry.get("label") or _default_label(entry, position, unit),
                position=position,
                unit=unit,
            )
        )
    return slots


def holders(approval: TerminationApproval | Slot, incident: Incident) -> QuerySet[Person]:
    """Who may fill a slot: the incident's 组长, or the active holders of the position at the unit or one
    of its own departments (a branch's 应急管理员 sits in its 办公室)."""
    people = Person.objects.filter(user__is_active=True)
    if approval.role == LEADER:
        return people.filter(incident_roles__incident=incident, incident_roles__role=MemberRole.LEADER)
    if approval.position is None or approval.unit is None:
        return people.none()
    unit = approval.unit
    departments = Unit.objects.filter(
        path__startswith=unit.path, depth=unit.depth + 1, type=UnitType.DEPARTMENT
    )
    return people.filter(Q(unit=unit) | Q(unit__in=departments), positions=approval.position).distinct()


def may_fill(person: Person, approval: TerminationApproval, incident: Incident) -> bool:
    return holders(approval, incident).filter(pk=person.pk).exists()


def pending_request(incident: Incident) -> TerminationRequest | None:
    return incident.termination_requests.filter(decided_at__isnull=True).first()


@dataclass
class SlotView:
    approval: TerminationApproval
    who: list[str]
    mine: bool = False


@dataclass
class TerminationState:
    """What the room shows of the termination: the request waiting (or the last one decided), each
    slot with who approved it and when, or who may still approve it."""

    request: TerminationRequest
    slots: list[SlotView] = field(default_factory=list)
    pending: bool = False

    @property
    def decided_at(self) -> datetime | None:
        return self.request.decided_at


def room_state(incident: Incident, person: Person | None) -> TerminationState | None:
    request = (
        incident.termination_requests.select_related("proposed_by", "decided_by")
        .prefetch_related("approvals__decided_by", "approvals__position", "approvals__unit")
        .first()
    )
    if request is None:
        return None
    state = TerminationState(request=request, pending=request.decided_at is None)
    filled_by_me = any(a.decided_by_id == getattr(person, "pk", None) for a in request.approvals.all())
    for approval in request.approvals.all():
        who: list[str] = []
        mine = False
        if approval.decided_at is None and state.pending:
            people = list(holders(approval, incident).order_by("name"))
            who = [p.name for p in people]
            mine = (
                person is not None
                and person.pk != request.proposed_by_id
                and not filled_by_me
                and any(p.pk == person.pk for p in people)
            )
        state.slots.append(SlotView(approval=approval, who=who, mine=mine))
    return state


def can_approve_something(state: TerminationState | None) -> bool:
    return bool(state and state.pending and any(s.mine for s in state.slots))


# --- Lowering a level below the rules (理财预案: 按较高一级处理) -----------------------------------------

LEVEL_APPROVING_POSITIONS = (PositionCode.EMERGENCY_ADMIN, PositionCode.LEADER, PositionCode.PRESIDENT)


def may_lower(person: Person | None, incident: Incident) -> bool:
    """An 应急管理员, 行领导 or 行长 of a unit above the incident's unit (its departments count for it):
    the outlet that lowers its own event below the rules cannot also approve it."""
    if person is None or not person.user.is_active:
        return False
    own = person.unit.acting_unit
    unit = incident.unit.acting_unit
    above = own.depth < unit.depth and unit.path.startswith(own.path)
    return above and any(p.code in LEVEL_APPROVING_POSITIONS for p in person.positions.all())


def lowering_approvers(incident: Incident) -> list[Person]:
    """Who is asked: the holders of those posts at the nearest unit above that has any."""
    unit = incident.unit.acting_unit
    while (unit := unit.parent_unit) is not None:
        departments = Unit.objects.filter(
            path__startswith=unit.path, depth=unit.depth + 1, type=UnitType.DEPARTMENT
        )
        people = list(
            Person.objects.filter(
                Q(unit=unit) | Q(unit__in=departments),
                user__is_active=True,
                positions__code__in=LEVEL_APPROVING_POSITIONS,
            )
            .select_related("user", "unit")
            .distinct()
            .order_by("name")
        )
        if people:
            return people
    return []


def pending_lowering(incident: Incident) -> LevelChangeRequest | None:
    return (
        LevelChangeRequest.objects.filter(incident=incident, decided_at__isnull=True)
        .select_related("requested_by")
        .first()
    )


def room_context(incident: Incident, person: Person | None) -> dict:
    """What the room shows of the approvals waiting on this incident, and the rows of the accountability
    form (views.room_context)."""
    state = room_state(incident, person)
    ended = (Status.TERMINATED, Status.INVESTIGATING, Status.CLOSED)
    if state and state.request.approved and incident.status not in ended:
        state = None  # reopened during the watch: the approval that ended it is history (timeline)
    upcoming = []
    if incident.status == Status.RESPONDING and incident.plan_version_id:
        upcoming = [slot.label for slot in required_slots(incident)]
    lowering = pending_lowering(incident)
    return {
        "termination": state,
        "can_approve_termination": can_approve_something(state),
        "termination_approvers": upcoming,
        "watch_hours": settings.YINGJI_WATCH_HOURS,  # 本行设定, shown next to 观察期至
        "level_request": lowering,
        "can_decide_level_request": bool(
            lowering and person and person.pk != lowering.requested_by_id and may_lower(person, incident)
        ),
        "accountability_rows": _accountability_rows(incident),
    }


def _accountability_rows(incident: Incident) -> list[dict]:
    """The measures recorded so far and two empty rows for more (the investigation's form)."""
    if incident.status != Status.INVESTIGATING:
        return []
    measures = (
        Investigation.objects.filter(incident=incident).values_list("accountability", flat=True).first()
    )
    return [*(measures or []), {}, {}]
