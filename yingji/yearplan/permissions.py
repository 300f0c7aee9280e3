"""Who may do what with annual plans. Read by the services (which refuse) and by the pages (which hide
the buttons), so the two cannot disagree.

- A plan is drawn up and edited (while a draft) by who answers for the unit's security work: its
  应急管理员, security staff, heads and leaders who see it (the corrective register's recorders).
- It is approved by someone else than who submitted it (four eyes): a head or leader (行长, 行领导,
  网点负责人 …) of the unit itself or of a unit above it.
- A task is worked (evidence, done) by its owner: the person named, a holder of the owner position at
  the owner unit, or whoever may draw up the plan."""

from yingji.corrective import permissions as corrective
from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode, Unit

from .models import AnnualPlan, PlanStatus, PlanTask

SECURITY_OFFICER = "security_officer"
APPROVING = {PositionCode.PRESIDENT, PositionCode.LEADER, "vice_president"}


def sees(person: Person | None, unit: Unit) -> bool:
    return person is not None and person.is_active and visibility.can_see_unit(person.user, unit)


def can_draw_up(person: Person | None, unit: Unit) -> bool:
    if person is None or not sees(person, unit):
        return False
    return corrective.can_record(person, unit) or person.holds(SECURITY_OFFICER)


def leads(person: Person | None, unit: Unit) -> bool:
    """A head or leader of `unit` itself or of a unit above it (a department acts for its unit)."""
    if person is None or not person.is_active:
        return False
    home = person.unit.acting_unit
    if not unit.path.startswith(home.path):
        return False
    return any(p.is_unit_head or p.code in APPROVING for p in person.positions.all())


def can_approve(person: Person | None, plan: AnnualPlan) -> bool:
    return (
        person is not None
        and plan.status == PlanStatus.SUBMITTED
        and person.pk != plan.submitted_by_id
        and leads(person, plan.unit)
    )


def is_owner(person: Person | None, task: PlanTask) -> bool:
    if person is None or not person.is_active:
        return False
    if task.owner_person_id is not None:
        return person.pk == task.owner_person_id
    return (
        task.owner_position_id is not None
        and person.unit.acting_unit.pk == task.owner_unit.acting_unit.pk
        and any(p.pk == task.owner_position_id for p in person.positions.all())
    )


def can_work(person: Person | None, task: PlanTask) -> bool:
    return is_owner(person, task) or can_draw_up(person, task.plan.unit)


def can_reopen(person: Person | None, task: PlanTask) -> bool:
    return leads(person, task.plan.unit) and sees(person, task.plan.unit)
