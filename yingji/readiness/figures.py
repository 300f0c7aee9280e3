"""The year's readiness figures of a unit's subtree, for the year's summary (年度工作总结).

`year_figures(unit, year)` returns a dict of ints:

- ``staff_concerned``: active staff of the subtree whose position is named in the current version of at
  least one plan (staff no plan names are not counted);
- ``staff_ready``: of those, the ones with an acknowledgement of every card of every such plan's current
  version and a passed quiz of each such plan;
- ``acknowledgements_due``: cards (a person × a position they hold × a plan version in force naming it)
  not acknowledged yet;
- ``quizzes_passed``: quiz attempts (of plans and of the course) passed during `year` (Asia/Shanghai
  calendar year) by the subtree's active staff.

The first three describe readiness as it stands when the summary is drawn (acknowledgements belong to
the versions in force, which have no past state to replay); the last counts the year's work."""

from datetime import date

from yingji.core import inputs
from yingji.orgs.models import Unit

from . import selectors
from .models import QuizAttempt

KEYS = ("staff_concerned", "staff_ready", "acknowledgements_due", "quizzes_passed")


def year_figures(unit: Unit, year: int) -> dict[str, int]:
    total = selectors.summary(unit)
    passed = QuizAttempt.objects.filter(
        person__in=selectors.staff_of(unit),
        passed=True,
        submitted_at__gte=inputs.day_start(date(year, 1, 1)),
        submitted_at__lt=inputs.day_end(date(year, 12, 31)),
    ).count()
    return {
        "staff_concerned": total.concerned,
        "staff_ready": total.ready,
        "acknowledgements_due": total.cards_due,
        "quizzes_passed": passed,
    }
