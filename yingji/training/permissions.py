"""Who may do what with training sessions. Read by the services (which refuse) and by the pages (which
hide the buttons), so the two cannot disagree."""

from yingji.corrective import permissions as corrective
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from .models import Session

TRAINER = "trainer"
SECURITY_OFFICER = "security_officer"


def sees(person: Person | None, unit: Unit) -> bool:
    return person is not None and person.is_active and visibility.can_see_unit(person.user, unit)


def can_plan(person: Person | None, unit: Unit) -> bool:
    """Plan a session at `unit`: who answers for it (应急管理员, heads and leaders who see it), its
    内训师 and security staff."""
    if person is None or not sees(person, unit):
        return False
    return corrective.can_record(person, unit) or person.holds(TRAINER) or person.holds(SECURITY_OFFICER)


def can_run(person: Person | None, session: Session) -> bool:
    """Hold it, mark attendance, add materials, record it: its trainer, who planned it, or who may plan
    sessions at its unit."""
    if person is None or not person.is_active:
        return False
    return person.pk in (session.trainer_id, session.planned_by_id) or can_plan(person, session.unit)
