"""The drills' records for the access matrix (tests/test_access_matrix.py): a drill of 和谐支行 in which
only 和谐支行 takes part (so 和谐路营业部's lobby manager is "below" and must not see it), planned by its
president, with an outside evaluator to remove."""

from yingji.drills import services
from yingji.drills.models import Evaluation, ExpectedAction, MeetingAttendee, Objective
from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan


def records() -> dict[str, object]:
    president = Person.objects.select_related("user", "unit").get(user__username="hexie_president")
    sub_branch = Unit.objects.get(code="JN01")
    drill = services.create_from_plan(
        actor=president.user,
        unit=sub_branch,
        units=[sub_branch],
        plan=Plan.objects.get(code="outlet-service-customer-injured"),
    )
    evaluator = services.add_participant(
        actor=president.user, drill=drill, role="evaluator", name="监管部门某处长", category="regulator"
    )
    # An attendee of the evaluation meeting, written directly: the services add one only after the run.
    attendee = MeetingAttendee.objects.create(
        evaluation=Evaluation.objects.create(drill=drill), name="监管部门某处长", category="regulator"
    )
    return {
        "drill": drill.pk,
        "drill_requirement": _requirement(),
        "drill_participant": evaluator.pk,
        "drill_inject": drill.injects.get().pk,
        "drill_action": ExpectedAction.objects.filter(scenario__drill=drill).first().pk,
        "drill_objective": Objective.objects.create(drill=drill, order=1, text="报告支行").pk,
        "drill_attendee": attendee.pk,
    }


def _requirement() -> int:
    """A drill requirement of the bank (head-office configuration), added by head office's 应急管理员."""
    from yingji.drills.requirements import add_requirement

    hq = Person.objects.select_related("user").get(user__username="hq_duty")
    return add_requirement(actor=hq.user, unit_type="sub_branch", plan=None, every_months=6, warn_days=20).pk
