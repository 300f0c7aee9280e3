"""Drills at every stage for the demo bank, so `make run` opens the drill pages on something real:
和谐路营业部's third-quarter drill of seed 000's seven scenarios run, rated, evaluated with its findings
in the corrective register and its report signed off; 和谐支行's major-complaint drill of seed 002
running now; and the outlet's fourth-quarter drill planned. Made through the services at times in the
past, as staff would have made them."""

from datetime import datetime, time, timedelta

from django.db import transaction

from yingji.core import clock
from yingji.corrective import services as corrective
from yingji.corrective.models import Category, Grade
from yingji.orgs.models import Person, Unit

from . import evaluating, reporting, services
from . import evaluation as reads
from .models import Drill, DrillTemplate, Inject, Participant

# The ratings the evaluators gave on the day, by scenario and step order; anything else is P.
Q3_RATINGS = {(1, 1): "S", (2, 2): "M", (3, 1): "S", (5, 2): "U", (6, 7): "M"}
# An action nobody took (the U above), and one reported late (the M): minutes after the one before.
Q3_MISSED = {(5, 2)}
Q3_LATE = {(6, 7): 9}


def _person(username: str) -> Person:
    return Person.objects.select_related("unit", "user").get(user__username=username)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day.date(), time(hour, minute), tzinfo=clock.SHANGHAI)


@transaction.atomic
def load_demo_drills() -> int:
    """Only into a bank without drills, and only once the templates are loaded: adds nothing again."""
    if Drill.objects.exists() or not DrillTemplate.objects.filter(code="outlet-quarterly-service").exists():
        return 0
    planned = _plan_the_fourth_quarter()
    _run_the_third_quarter(next_drill=planned)
    _run_the_major_complaint_now()
    return 3


def _quarterly(starts_at: datetime) -> Drill:
    admin = _person("hexie_admin")
    outlet = Unit.objects.get(code="JN0101")
    drill = services.create_from_template(
        actor=admin.user,
        unit=outlet,
        units=[outlet],
        template=DrillTemplate.objects.get(code="outlet-quarterly-service"),
        starts_at=starts_at,
        place="和谐路营业部营业大厅",
    )
    services.add_participant(actor=admin.user, drill=drill, role="controller", person=admin)
    services.add_participant(
        actor=admin.user, drill=drill, role="evaluator", person=_person("hexie_president")
    )
    services.add_participant(
        actor=admin.user,
        drill=drill,
        role="evaluator",
        name="周监管",
        organisation="江城金融监管分局",
        category=Participant.Category.REGULATOR,
    )
    return drill


def _plan_the_fourth_quarter() -> Drill:
    now = clock.now()
    day = _at(now + timedelta(days=15), 9)
    with clock.frozen(now - timedelta(days=2)):
        drill = _quarterly(day)
        services.update_drill(
            actor=_person("hexie_admin").user, drill=drill, title="和谐路营业部2026年第四季度服务应急演练"
        )
    return drill


def _run_the_third_quarter(*, next_drill: Drill) -> Drill:
    admin, president = _person("hexie_admin"), _person("hexie_president")
    start = _at(datetime(2026, 9, 18, tzinfo=clock.SHANGHAI), 9)
    with clock.frozen(start - timedelta(days=10)) as frozen:
        drill = _quarterly(start)
        services.update_drill(actor=admin.user, drill=drill, title="和谐路营业部2026年第三季度服务应急演练")
        frozen.advance(days=3)
        services.issue_briefing(actor=admin.user, drill=drill)
    with clock.frozen(start) as frozen:
        services.start_run(actor=admin.user, drill=drill)
        players = list(
            Participant.objects.filter(drill=drill, role=Participant.Role.PLAYER).select_related(
                "person__user", "position"
            )
        )
        head = next(p for p in players if p.person.user.username == "hexie_manager")
        for inject in Inject.objects.filter(drill=drill).order_by("offset_seconds", "number"):
            _advance_to(frozen, drill, inject.offset_seconds)
            services.release_due(drill)
            inject.refresh_from_db()
            if inject.status != Inject.State.RELEASED:
                continue
            for player in players:
                if inject.addressed_to(player):
                    frozen.advance(seconds=20)
                    services.acknowledge_inject(actor=player.person.user, inject=inject)
            for action in inject.expected_actions.select_related("scenario").order_by("order"):
                key = (action.scenario.order, action.order)
                if key in Q3_MISSED:
                    continue
                frozen.advance(seconds=40, minutes=Q3_LATE.get(key, 0))
                doer = next(
                    (p for p in players if action.position_id and p.position_id == action.position_id), head
                )
                services.log_action(actor=doer.person.user, drill=drill, expected_action=action)
        for result in reads.action_results(drill):
            action = result.expected_action
            rating = Q3_RATINGS.get((action.scenario.order, action.order), "P")
            evaluating.rate_action(
                actor=president.user,
                expected_action=action,
                rating=rating,
                note="" if rating == "P" else "处置不够及时或不到位，见现场点评",
            )
        frozen.advance(minutes=5)
        services.end_run(actor=admin.user, drill=drill)
        frozen.advance(minutes=10)
        evaluating.record_hot_wash(
            actor=president.user,
            drill=drill,
            text="各岗位基本熟悉预案流程，报告及时；群访场景中大堂经理安抚到位。"
            "不足：客户突发疾病场景疏散围观客户较慢；可疑人员场景未通知保安到门口值守。",
        )
        frozen.advance(hours=1)
        lead = Participant.objects.get(drill=drill, person=president)
        evaluating.update_meeting(
            actor=admin.user,
            drill=drill,
            meeting_at=clock.now(),
            place="和谐支行三楼会议室",
            lead_evaluator=lead,
            strengths="报告上级及时，分工明确；投诉客户安抚话术规范。",
        )
        for name, organisation, category in (
            ("刘和谐", "和谐支行", "staff"),
            ("韩应急", "和谐支行", "staff"),
            ("周监管", "江城金融监管分局", "regulator"),
            ("陈教授", "江城大学金融学院", "expert"),
            ("赵先生", "客户代表", "customer_representative"),
        ):
            evaluating.add_attendee(
                actor=admin.user, drill=drill, name=name, organisation=organisation, category=category
            )
        for result in reads.objective_results(drill):
            rating = "P" if result.met else "S" if result.met is None else "M"
            evaluating.rate_objective(actor=president.user, objective=result.objective, rating=rating)
        missed = next(r for r in reads.action_results(drill) if r.proposed)  # the U above
        evaluating.record_drill_finding(
            actor=admin.user,
            drill=drill,
            expected_action=missed.expected_action,
            category=Category.PROCEDURE,
            grade=Grade.DEFICIENCY,
            text=f"演练中未能完成：{missed.expected_action.action}",
            action_text="网点负责人组织大堂经理、保安重新学习可疑人员处置流程，并在第四季度演练中复测",
            owner=_person("hexie_manager"),
        )
        skills = evaluating.record_drill_finding(
            actor=admin.user,
            drill=drill,
            category=Category.SKILLS,
            grade=Grade.RECTIFICATION,
            text="客户突发疾病时疏散围观客户较慢，员工急救技能不熟练",
            action_text="组织全员急救知识培训并考核",
            owner=_person("hexie_lobby"),
        )
        evaluating.record_drill_finding(
            actor=admin.user,
            drill=drill,
            expected_action=reads.action_results(drill)[5].expected_action,  # 联系客户亲属
            category=Category.PLAN,
            grade=Grade.IMPROVEMENT,
            text="预案未写明伤者家属到场后的接待分工",
        )
        evaluating.conclude_evaluation(actor=president.user, drill=drill)
        frozen.advance(days=2)
        lobby = _person("hexie_lobby")
        action = skills.actions.get()
        corrective.start(actor=lobby, action=action)
        reporting.draft_report(actor=admin.user, drill=drill)
        reporting.submit_report(actor=admin.user, drill=drill)
        frozen.advance(days=1)
        reporting.sign_off_report(actor=president.user, drill=drill)
    return drill


def _advance_to(frozen, drill: Drill, offset_seconds: int) -> None:
    behind = offset_seconds - drill.running_seconds(clock.now())
    if behind > 0:
        frozen.advance(seconds=behind)


def _run_the_major_complaint_now() -> Drill:
    """Seed 002's drill at 和谐支行, its day compressed into an hour, running for the last 12 minutes."""
    admin = _person("hexie_admin")
    sub_branch, outlet = Unit.objects.get(code="JN01"), Unit.objects.get(code="JN0101")
    now = clock.now()
    with clock.frozen(now - timedelta(minutes=40)) as frozen:
        drill = services.create_from_template(
            actor=admin.user,
            unit=sub_branch,
            units=[sub_branch, outlet],
            template=DrillTemplate.objects.get(code="major-complaint"),
            starts_at=now - timedelta(minutes=12),
            place="和谐支行",
            form="tabletop",
            compress_to_minutes=60,
        )
        services.add_participant(actor=admin.user, drill=drill, role="controller", person=admin)
        for username in ("hexie_president", "hexie_manager", "hexie_lobby", "hexie_ops"):
            services.add_participant(actor=admin.user, drill=drill, role="player", person=_person(username))
        services.add_participant(
            actor=admin.user,
            drill=drill,
            role="evaluator",
            name="周监管",
            organisation="江城金融监管分局",
            category=Participant.Category.REGULATOR,
        )
        services.issue_briefing(actor=admin.user, drill=drill)
        frozen.advance(minutes=28)
        services.start_run(actor=admin.user, drill=drill)
        frozen.advance(minutes=12)
        services.release_due(drill)
    return drill
