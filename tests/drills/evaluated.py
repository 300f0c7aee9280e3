"""An evaluated drill, made the way the product makes it, for the report's and the API's tests.

和谐支行's injured-customer drill: 韩应急 (应急管理员) controls and writes the report, 王大堂 plays,
刘和谐 (行长) evaluates and leads the evaluation, a regulator sits in the meeting. Event 1 at +0:10 with
the scenario clock at 09:00; the player reports after 7 minutes (expected within 5: late; the objective's
≤ 10 minutes is met); one finding with its corrective action; concluded."""

from datetime import time

from yingji.core import clock
from yingji.drills import evaluating, services
from yingji.drills.models import Drill, Objective
from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan


def person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


def evaluated_drill(now) -> Drill:
    admin, lobby, president = person("hexie_admin"), person("hexie_lobby"), person("hexie_president")
    sub_branch, outlet = Unit.objects.get(code="JN01"), Unit.objects.get(code="JN0101")
    drill = services.create_from_plan(
        actor=admin.user,
        unit=sub_branch,
        units=[sub_branch, outlet],
        plan=Plan.objects.get(code="outlet-service-customer-injured"),
        place="和谐路营业部大堂",
    )
    for inject in list(drill.injects.all()):
        services.remove_inject(actor=admin.user, inject=inject)
    for objective in list(drill.objectives.all()):
        objective.delete()
    scenario = drill.scenarios.get()
    scenario.clock_start = time(9, 0)
    scenario.save(update_fields=["clock_start"])
    services.add_participant(actor=admin.user, drill=drill, role="controller", person=admin)
    services.add_participant(actor=admin.user, drill=drill, role="player", person=lobby)
    lead = services.add_participant(actor=admin.user, drill=drill, role="evaluator", person=president)
    first, *others = scenario.expected_actions.order_by("order")
    first.expected_minutes = 5
    first.save(update_fields=["expected_minutes"])
    for other in others:  # one action keeps the story short
        other.delete()
    services.add_inject(
        actor=admin.user,
        drill=drill,
        offset_seconds=600,
        text="一位老人在大堂摔倒",
        channel="spoken",
        expected_actions=[first],
    )
    objective = services.add_objective(
        actor=admin.user, drill=drill, text="报告支行 ≤ 10 分钟", target_minutes=10, expected_action=first
    )
    services.issue_briefing(actor=admin.user, drill=drill)
    drill.refresh_from_db()

    services.start_run(actor=admin.user, drill=drill)
    now.advance(minutes=10)
    services.release_due(drill)
    now.advance(minutes=7)
    services.log_action(actor=lobby.user, drill=drill, expected_action=first)
    evaluating.rate_action(actor=president.user, expected_action=first, rating="S", note="报告稍晚")
    now.advance(minutes=3)
    services.end_run(actor=admin.user, drill=drill)
    drill.refresh_from_db()

    evaluating.record_hot_wash(actor=admin.user, drill=drill, text="处置有序，报告偏晚。")
    evaluating.update_meeting(
        actor=admin.user,
        drill=drill,
        meeting_at=clock.now(),
        place="支行三楼会议室",
        lead_evaluator=lead,
        strengths="员工冷静应对，相互协作。",
    )
    evaluating.add_attendee(
        actor=admin.user, drill=drill, category="regulator", name="周监管", organisation="江城金融监管分局"
    )
    evaluating.record_drill_finding(
        actor=admin.user,
        drill=drill,
        category="procedure",
        grade="rectification",
        text="大堂经理报告网点负责人偏晚。",
        expected_action=first,
        action_text="组织大堂经理复训报告流程。",
        owner=person("hexie_manager"),
    )
    objective = Objective.objects.select_related("drill").get(pk=objective.pk)  # as the page loads it
    evaluating.rate_objective(actor=president.user, objective=objective, rating="S")
    evaluating.conclude_evaluation(actor=admin.user, drill=drill)
    drill.refresh_from_db()
    return drill
