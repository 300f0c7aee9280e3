"""`make run`'s demo bank: 江南分行's plan of the current year, approved, part done with evidence, one
task done late and one overdue."""

from datetime import datetime

from yingji.core import clock
from yingji.yearplan.demo import load_demo_yearplan
from yingji.yearplan.figures import year_figures
from yingji.yearplan.models import AnnualPlan, PlanStatus, TaskStatus


def test_the_demo_plan_is_approved_part_done_one_late_one_overdue(demo, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    from yingji.security.demo import load_demo_inspections

    with clock.frozen(datetime(2026, 12, 3, 10, tzinfo=clock.SHANGHAI)):
        load_demo_inspections()
        assert load_demo_yearplan() == {"plans": 1}
        assert load_demo_yearplan() == {"plans": 0}
        plan = AnnualPlan.objects.get(unit__code="JN", year=2026)
        assert plan.status == PlanStatus.APPROVED and plan.approved_by.user.username == "jn_president"
        figures = year_figures(plan.unit, 2026)
    assert figures == {"tasks_total": 10, "tasks_done": 9, "tasks_done_late": 1, "tasks_overdue": 1}
    late = plan.tasks.get(template__key="letters-employees")
    assert late.done_late and late.files.count() == 1
    overdue = plan.tasks.get(status=TaskStatus.OPEN)
    assert overdue.template.key == "inspections" and overdue.links.count() == 1
    assert all(t.files.exists() for t in plan.tasks.filter(status=TaskStatus.DONE))
