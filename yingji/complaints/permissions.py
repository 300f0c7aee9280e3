"""Who may do what with a complaint. Every rule here is read by the services (which refuse) and by the
pages (which hide the buttons), so the two cannot disagree."""

from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode, Unit

from .models import Complaint, WorkOrder

CONSUMER_PROTECTION = "consumer_protection"
LEADING = {
    PositionCode.PRESIDENT,
    PositionCode.LEADER,
    "vice_president",
    "dept_head",
    PositionCode.OUTLET_HEAD,
}


def _codes(person: Person) -> set[str]:
    return {p.code for p in person.positions.all()}


def is_consumer_protection(person: Person | None) -> bool:
    return person is not None and CONSUMER_PROTECTION in _codes(person)


def leads(person: Person | None) -> bool:
    """A unit head or a leader: who may review, approve and escalate."""
    if person is None:
        return False
    return bool(_codes(person) & LEADING) or any(p.is_unit_head for p in person.positions.all())


def sees(person: Person | None, unit: Unit) -> bool:
    return person is not None and visibility.can_see_unit(person.user, unit)


def is_handler(person: Person | None, complaint: Complaint) -> bool:
    """The owner, the first receiver, or the handler of one of its work orders."""
    if person is None:
        return False
    if person.pk in (complaint.owner_id, complaint.receiver_id):
        return True
    return (
        complaint.work_orders.filter(assignee=person).exists()
        or complaint.work_orders.filter(
            to_unit=person.unit, state__in=["issued", "accepted", "proposed"]
        ).exists()
    )


def can_handle(person: Person | None, complaint: Complaint) -> bool:
    """Work on it: its handlers, and the consumer-protection staff and leaders who see it."""
    if person is None:
        return False
    if is_handler(person, complaint):
        return True
    seen = sees(person, complaint.unit) or sees(person, complaint.handling_unit)
    return seen and (is_consumer_protection(person) or leads(person))


def can_review(person: Person | None, complaint: Complaint) -> bool:
    """审核: a leader or consumer-protection officer who sees the complaint's unit, not the complained-about
    staff member (回避)."""
    return (
        person is not None
        and sees(person, complaint.unit)
        and (leads(person) or is_consumer_protection(person))
        and person.pk != complaint.staff_complained_id
    )


def is_superior_of(person: Person | None, unit: Unit) -> bool:
    """A leader of a unit above `unit` (the second extension needs a superior's approval)."""
    if person is None or not leads(person):
        return False
    own = person.unit.acting_unit
    return unit.path.startswith(own.path) and len(own.path) < len(unit.acting_unit.path)


def sees_personal_data(person: Person | None, complaint: Complaint) -> bool:
    """Phone and ID number unmasked: the handlers and the consumer-protection staff only."""
    return person is not None and (is_handler(person, complaint) or is_consumer_protection(person))


def member_of(person: Person, unit: Unit) -> bool:
    """Works in the unit, or in one of its own departments."""
    own = person.unit
    return own.pk == unit.pk or (
        own.path.startswith(unit.path) and own.type == "department" and own.depth == unit.depth + 1
    )


def can_accept(person: Person | None, order: WorkOrder) -> bool:
    """The handler the order names; without one, anyone of the receiving unit; its head in any case."""
    if person is None:
        return False
    if not member_of(person, order.to_unit):
        return order.assignee_id == person.pk
    if order.assignee_id is None or order.assignee_id == person.pk:
        return True
    return any(p.is_unit_head for p in person.positions.all())


def can_escalate(person: Person | None, complaint: Complaint) -> bool:
    """Escalate by hand to a reputation incident (a complaint spreading: a poster, WeChat posts): whoever
    may report an incident for its unit with authority, that is the leaders and unit heads, the
    consumer-protection staff and the emergency administrators who see it; never the person complained
    about (回避)."""
    if person is None or person.pk == complaint.staff_complained_id:
        return False
    if not sees(person, complaint.unit):
        return False
    return leads(person) or is_consumer_protection(person) or PositionCode.EMERGENCY_ADMIN in _codes(person)
