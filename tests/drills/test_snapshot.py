"""A drill tests the plan the bank had when the scenario was drawn: a later revision of the plan never
rewrites the drill's expected actions or its snapshot."""

from yingji.drills import services
from yingji.orgs.models import Person
from yingji.plans import services as plans
from yingji.plans.models import Plan


def _revise_first_step(code: str, text: str) -> None:
    author = Person.objects.get(user__username="branch_duty").user
    approver = Person.objects.get(user__username="hq_duty").user
    draft = plans.start_revision(actor=author, plan=Plan.objects.get(code=code))
    step = draft.steps.order_by("order").first()
    plans.update_step(actor=author, step=step, action=text, position=step.position.code, timing=step.timing)
    plans.submit_for_review(actor=author, version=draft)
    plans.approve(actor=approver, version=draft)


def test_a_new_plan_version_leaves_the_drawn_scenario_as_it_was(hexie_admin, hexie_sub_branch, library):
    plan = Plan.objects.get(code="outlet-service-customer-injured")
    drill = services.create_from_plan(
        actor=hexie_admin.user, unit=hexie_sub_branch, units=[hexie_sub_branch], plan=plan
    )
    scenario = drill.scenarios.get()
    before = (scenario.snapshot, list(scenario.expected_actions.values_list("action", flat=True)))
    drawn = scenario.plan_version_id

    _revise_first_step("outlet-service-customer-injured", "大堂经理立即查看伤情并报告网点负责人（修订）")

    scenario.refresh_from_db()
    assert Plan.objects.get(pk=plan.pk).current_version.pk != drawn
    assert (scenario.snapshot, list(scenario.expected_actions.values_list("action", flat=True))) == before
    assert scenario.plan_version_id == drawn
    # A drill planned now draws the revision: every drill tests the plan the bank really has.
    later = services.create_from_plan(
        actor=hexie_admin.user, unit=hexie_sub_branch, units=[hexie_sub_branch], plan=plan
    )
    assert later.scenarios.get().expected_actions.get(order=1).action.endswith("（修订）")
