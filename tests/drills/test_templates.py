"""The two ready templates are the seeds: 000's seven scenarios drawing the outlet-service plans, and
002's major-complaint drill with its times 09:00 … 18:00 and its four working groups."""

from datetime import time

from django.test import override_settings

from yingji.audit.models import AuditEntry
from yingji.drills import services
from yingji.drills.models import DrillTemplate, Inject
from yingji.drills.templates import load_templates
from yingji.plans.models import Plan

SEVEN = [
    "outlet-service-customer-injured",
    "outlet-service-group-visit",
    "outlet-service-customer-robbed",
    "outlet-service-media-interview",
    "outlet-service-special-customer-filming",
    "outlet-service-staff-threatened",
    "outlet-service-natural-disaster",
]


def _new(actor, unit, units, template, **kwargs):
    return services.create_from_template(
        actor=actor.user, unit=unit, units=units, template=template, **kwargs
    )


def test_the_major_complaint_drill_runs_on_the_seeds_clock_with_its_four_groups(
    major_complaint, hexie_admin, hexie_sub_branch
):
    drill = _new(hexie_admin, hexie_sub_branch, [hexie_sub_branch], major_complaint)

    injects = list(drill.injects.order_by("offset_seconds", "number"))
    clocks = [i.clock_time.strftime("%H:%M") for i in injects if not i.contingency_for_id]
    seed = ["09:00", "10:00", "10:00", "11:00", "11:10", "11:30", "14:00", "15:00", "16:00", "17:00", "18:00"]
    assert clocks == seed
    assert [i.offset_text for i in injects[:6]] == ["+0:00", "+1:00", "+1:00", "+2:00", "+2:10", "+2:30"]
    assert injects[-1].offset_text == "+9:00" and "评估会议" in injects[-1].text
    assert {i.channel for i in injects[1:3]} == {"poster", "social_post"}
    groups = ["综合协调小组", "客户安抚小组", "舆情监测与应对小组", "业务处理小组"]
    assert [g["name"] for g in drill.groups] == groups
    assert {i.recipient_group for i in injects if i.recipient == Inject.Recipient.GROUP} == set(groups)
    scenario = drill.scenarios.get()
    assert scenario.clock_start == time(9, 0) and scenario.plan_version.plan.code == "outlet-major-complaint"
    leadership = scenario.expected_actions.get(order=3)
    assert "领导小组" in leadership.action and leadership.deadline_on_clock() == time(11, 10)
    contingency = next(i for i in injects if i.contingency_for_id)
    assert contingency.contingency_for.order == 8 and contingency.clock_time == time(16, 30)


def test_the_quarterly_drill_draws_the_seven_outlet_service_plans_with_their_steps(
    quarterly, hexie_admin, hexie_sub_branch, hexie_outlet
):
    drill = _new(hexie_admin, hexie_sub_branch, [hexie_sub_branch, hexie_outlet], quarterly)

    scenarios = list(drill.scenarios.order_by("order"))
    assert [s.plan_version.plan.code for s in scenarios] == SEVEN
    assert scenarios[0].title == "场景一 客户意外受伤" and scenarios[6].title == "场景七 自然灾害"
    for scenario in scenarios:
        steps = list(Plan.objects.get(code=scenario.snapshot["plan"]).current_version.steps.order_by("order"))
        actions = list(scenario.expected_actions.order_by("order"))
        assert [(a.action, a.position_id, a.source_step_id) for a in actions] == [
            (s.action, s.position_id, s.pk) for s in steps
        ]
        assert [s["action"] for s in scenario.snapshot["steps"]] == [s.action for s in steps]
    assert drill.scope == "combined" and drill.injects.count() == 7
    # 内训师 is the controller where one exists; the outlet's staff play with their real positions.
    players = drill.participants.filter(role="player")
    assert players.filter(name="王大堂", position__code="lobby_manager").exists()


@override_settings(YINGJI_DRILL_REPORT_MINUTES=8, YINGJI_DRILL_SCENARIO_MINUTES=20)
def test_the_figures_the_seed_does_not_give_are_the_banks_own(quarterly, hexie_admin, hexie_sub_branch):
    drill = _new(hexie_admin, hexie_sub_branch, [hexie_sub_branch], quarterly)

    objective = drill.objectives.get(order=1)
    assert objective.target_minutes == 8 and objective.bank_own
    assert objective.expected_action.action == "网点负责人打电话向上级管理部门报备"
    assert objective.met(7.5) is True and objective.met(9) is False and objective.met(None) is None
    assert [i.offset_text for i in drill.injects.order_by("number")][:3] == ["+0:00", "+0:20", "+0:40"]


def test_a_tabletop_compresses_the_day_into_an_hour_and_keeps_the_scenario_clock(
    major_complaint, hexie_admin, hexie_sub_branch
):
    drill = _new(
        hexie_admin,
        hexie_sub_branch,
        [hexie_sub_branch],
        major_complaint,
        form="tabletop",
        compress_to_minutes=60,
    )

    last = drill.injects.order_by("-offset_seconds").first()
    assert last.offset_text == "+1:00" and last.clock_time == time(18, 0)
    assert drill.injects.get(number=5).offset_seconds == round(130 * 60 / 540 * 60)
    assert drill.form == "tabletop"


def test_loading_the_templates_again_changes_nothing(templates):
    before = (DrillTemplate.objects.count(), AuditEntry.objects.count())
    assert load_templates() == {"created": 0, "updated": 0, "unchanged": 2}
    assert (DrillTemplate.objects.count(), AuditEntry.objects.count()) == before
