"""Evaluating a drill (HSEEP): evaluators rate each expected action P/S/M/U while it runs; its timing comes
from the players' logged times; after the run ratings are frozen and a new one is a correction; the lead
evaluator reconciles a final rating per objective and concludes with a score by the bank's table; findings
go into the corrective register, a plan finding opens the plan's draft, and a later drill verifies a fix."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.corrective import services as corrective
from yingji.corrective.models import CorrectiveAction, Finding, Grade, SourceType
from yingji.corrective.models import Status as ActionStatus
from yingji.drills import evaluating, services
from yingji.drills import evaluation as reads
from yingji.drills.models import ActionRating, Drill, Participant, Status
from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan, VersionStatus


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


@pytest.fixture
def now():
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


def _briefed_drill(title: str = "") -> Drill:
    """和谐支行's injured-customer drill: 韩应急 controls, 王大堂 plays, 刘和谐 evaluates (and leads the
    evaluation), 周监管 of the regulator evaluates without an account. Event 1 at +0:10 starts the
    scenario and asks for the first action, expected within 5 minutes; the objective is ≤ 10 minutes."""
    admin, lobby, president = _person("hexie_admin"), _person("hexie_lobby"), _person("hexie_president")
    sub_branch, outlet = Unit.objects.get(code="JN01"), Unit.objects.get(code="JN0101")
    drill = services.create_from_plan(
        actor=admin.user,
        unit=sub_branch,
        units=[sub_branch, outlet],
        plan=Plan.objects.get(code="outlet-service-customer-injured"),
    )
    if title:
        services.update_drill(actor=admin.user, drill=drill, title=title)
    for inject in list(drill.injects.all()):
        services.remove_inject(actor=admin.user, inject=inject)
    for objective in list(drill.objectives.all()):
        objective.delete()
    services.add_participant(actor=admin.user, drill=drill, role="controller", person=admin)
    services.add_participant(actor=admin.user, drill=drill, role="player", person=lobby)
    services.add_participant(actor=admin.user, drill=drill, role="evaluator", person=president)
    services.add_participant(
        actor=admin.user,
        drill=drill,
        role="evaluator",
        name="周监管",
        organisation="江城金融监管分局",
        category="regulator",
    )
    first, *others = drill.scenarios.get().expected_actions.order_by("order")
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
    services.add_objective(
        actor=admin.user, drill=drill, text="报告支行 ≤ 10 分钟", target_minutes=10, expected_action=first
    )
    services.issue_briefing(actor=admin.user, drill=drill)
    drill.refresh_from_db()
    return drill


@pytest.fixture
def drill(library, now):
    return _briefed_drill()


def _run_with_log(drill: Drill, now, *, log_after_minutes: int | None) -> None:
    """The controller starts; at +0:10 the event goes out; the player logs the action N minutes later."""
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    services.start_run(actor=admin, drill=drill)
    now.advance(minutes=10)
    services.release_due(drill)
    if log_after_minutes is not None:
        now.advance(minutes=log_after_minutes)
        action = drill.scenarios.get().expected_actions.get()
        services.log_action(actor=lobby, drill=drill, expected_action=action)


def _action(drill: Drill):
    return drill.scenarios.get().expected_actions.get()


def test_timing_comes_from_the_logged_time_from_the_start_of_the_scenario(drill, now):
    _run_with_log(drill, now, log_after_minutes=7)

    (result,) = reads.action_results(drill)
    assert result.taken_minutes == 7.0  # +0:17 on the clock, the scenario began at +0:10
    assert result.taken_by == ["王大堂"]
    assert result.late is True  # expected within 5
    (objective,) = reads.objective_results(drill)
    assert objective.minutes_taken == 7.0 and objective.met is True  # target ≤ 10


def test_an_action_nobody_took_is_shown_as_missed_and_its_objective_not_met(drill, now):
    _run_with_log(drill, now, log_after_minutes=None)
    assert reads.action_results(drill)[0].missed is False  # still running: not yet missed
    services.end_run(actor=_person("hexie_admin").user, drill=drill)

    (result,) = reads.action_results(drill)
    assert result.missed is True and result.taken_minutes is None
    assert reads.objective_results(drill)[0].met is False


def test_evaluators_rate_during_the_run_and_a_rerating_is_kept_not_overwritten(drill, now):
    president = _person("hexie_president").user
    _run_with_log(drill, now, log_after_minutes=3)
    action = _action(drill)

    evaluating.rate_action(actor=president, expected_action=action, rating="M", note="先打了120")
    now.advance(minutes=1)
    evaluating.rate_action(actor=president, expected_action=action, rating="S", note="随后报告了支行")
    regulator = Participant.objects.get(drill=drill, name="周监管")
    evaluating.rate_action(actor=president, expected_action=action, rating="P", on_behalf_of=regulator)

    (result,) = reads.action_results(drill)
    assert [r.rating for r in result.history] == ["M", "S", "P"]
    assert {r.evaluator.name: r.rating for r in result.ratings} == {"刘和谐": "S", "周监管": "P"}
    assert result.rating == "S"  # the gravest current rating
    assert AuditEntry.objects.filter(action="drill.rate_action").count() == 3


def test_only_the_drills_evaluators_rate(drill, now):
    _run_with_log(drill, now, log_after_minutes=3)
    with pytest.raises(NotAllowed):
        evaluating.rate_action(actor=_person("hexie_lobby").user, expected_action=_action(drill), rating="P")


def test_after_the_run_ratings_are_frozen_and_a_correction_says_why(drill, now):
    president = _person("hexie_president").user
    _run_with_log(drill, now, log_after_minutes=3)
    evaluating.rate_action(actor=president, expected_action=_action(drill), rating="P")
    services.end_run(actor=_person("hexie_admin").user, drill=drill)

    with pytest.raises(InvalidInput):
        evaluating.rate_action(actor=president, expected_action=_action(drill), rating="S")
    evaluating.rate_action(
        actor=president, expected_action=_action(drill), rating="S", reason="复看录像：未疏散围观客户"
    )

    first, correction = ActionRating.objects.filter(expected_action=_action(drill)).order_by("at", "pk")
    assert (first.rating, first.correction_reason) == ("P", "")
    assert (correction.rating, correction.correction_reason) == ("S", "复看录像：未疏散围观客户")
    assert AuditEntry.objects.filter(action="drill.correct_rating").exists()


def _ended_with_rating(drill: Drill, now, rating: str) -> None:
    _run_with_log(drill, now, log_after_minutes=3)
    evaluating.rate_action(
        actor=_person("hexie_president").user, expected_action=_action(drill), rating=rating
    )
    services.end_run(actor=_person("hexie_admin").user, drill=drill)


def _lead(drill: Drill) -> None:
    admin = _person("hexie_admin").user
    lead = Participant.objects.get(drill=drill, name="刘和谐")
    evaluating.update_meeting(
        actor=admin, drill=drill, meeting_at=clock.now(), place="支行三楼会议室", lead_evaluator=lead
    )


def test_a_u_on_a_critical_action_proposes_a_deficiency_until_one_is_recorded(drill, now):
    _ended_with_rating(drill, now, "U")
    assert reads.action_results(drill)[0].proposed is True

    finding = evaluating.record_drill_finding(
        actor=_person("hexie_admin").user,
        drill=drill,
        expected_action=_action(drill),
        category="procedure",
        grade=Grade.DEFICIENCY,
        text="未能在规定时间内报告支行",
        action_text="组织大堂经理重新学习报告流程",
        owner=_person("hexie_manager"),
    )

    assert reads.action_results(drill)[0].proposed is False
    assert (finding.source_type, finding.source_id, finding.unit.code) == (
        SourceType.DRILL,
        str(drill.pk),
        "JN01",
    )
    assert finding.plan.code == "outlet-service-customer-injured" and finding.plan_step is not None
    assert reads.findings_of(drill) == [finding]
    assert finding.actions.get().owner.name == "郑和谐"


def test_a_deficiency_is_due_before_the_units_next_drill(library, now):
    drill = _briefed_drill()
    later = _briefed_drill("第四季度演练")
    later.starts_at = clock.now() + timedelta(days=40)
    later.save(update_fields=["starts_at"])
    _ended_with_rating(drill, now, "U")

    finding = evaluating.record_drill_finding(
        actor=_person("hexie_admin").user,
        drill=drill,
        expected_action=_action(drill),
        category="procedure",
        grade=Grade.DEFICIENCY,
        text="未能报告",
        action_text="重新培训",
    )
    assert finding.actions.get().due_at == later.starts_at


def test_a_finding_against_the_plan_opens_its_next_draft_with_the_finding_linked(drill, now):
    _ended_with_rating(drill, now, "M")
    plan = Plan.objects.get(code="outlet-service-customer-injured")
    before = plan.versions.count()

    first = evaluating.record_drill_finding(
        actor=_person("hexie_admin").user,
        drill=drill,
        expected_action=_action(drill),
        category="plan",
        grade=Grade.RECTIFICATION,
        text="预案未写明伤者家属到场后的接待分工",
    )
    second = evaluating.record_drill_finding(
        actor=_person("hexie_admin").user,
        drill=drill,
        category="plan",
        grade=Grade.IMPROVEMENT,
        text="预案联系人电话过期",
    )

    assert plan.versions.count() == before + 1
    assert first.plan_draft.status == VersionStatus.DRAFT
    assert second.plan_draft == first.plan_draft  # the open draft answers both
    assert set(first.plan_draft.findings.all()) == {first, second}


def test_concluding_needs_every_objective_rated_and_fixes_the_score(drill, now):
    admin = _person("hexie_admin").user
    president = _person("hexie_president").user
    _ended_with_rating(drill, now, "S")
    _lead(drill)
    with pytest.raises(InvalidInput):
        evaluating.conclude_evaluation(actor=admin, drill=drill)

    objective = drill.objectives.get()
    with pytest.raises(NotAllowed):  # the final rating is the lead evaluator's
        evaluating.rate_objective(actor=admin, objective=objective, rating="S")
    evaluating.rate_objective(actor=president, objective=objective, rating="S", note="报告及时，疏散稍慢")
    evaluation = evaluating.conclude_evaluation(actor=president, drill=drill)

    drill.refresh_from_db()
    assert drill.status == Status.EVALUATED
    assert (evaluation.score, evaluation.passed) == (75, True)
    assert evaluation.score_table == {"P": 100, "S": 75, "M": 50, "U": 0, "pass": 60}
    with override_settings(YINGJI_DRILL_SCORES={"P": 100, "S": 50, "M": 25, "U": 0}):
        assert reads.score(drill)[0] == 75  # a concluded drill keeps the table it was scored by
    with pytest.raises(InvalidInput):
        evaluating.rate_action(
            actor=president, expected_action=_action(drill), rating="U", reason="迟到的更正"
        )


@override_settings(YINGJI_DRILL_SCORES={"P": 100, "S": 80, "M": 40, "U": 0}, YINGJI_DRILL_PASS_SCORE=85)
def test_the_score_follows_the_banks_table_and_pass_mark(drill, now):
    president = _person("hexie_president").user
    _ended_with_rating(drill, now, "S")
    _lead(drill)
    evaluating.rate_objective(actor=president, objective=drill.objectives.get(), rating="S")

    evaluation = evaluating.conclude_evaluation(actor=president, drill=drill)
    assert (evaluation.score, evaluation.passed) == (80, False)


def _finding_with_done_action(drill: Drill, now) -> CorrectiveAction:
    _ended_with_rating(drill, now, "U")
    finding = evaluating.record_drill_finding(
        actor=_person("hexie_admin").user,
        drill=drill,
        expected_action=_action(drill),
        category="skills",
        grade=Grade.RECTIFICATION,
        text="大堂经理不会使用急救箱",
        action_text="急救培训",
        owner=_person("hexie_lobby"),
    )
    action = finding.actions.get()
    corrective.start(actor=_person("hexie_lobby"), action=action)
    corrective.complete(actor=_person("hexie_lobby"), action=action, evidence="培训签到表")
    return action


@pytest.mark.parametrize(("rating", "status"), [("S", ActionStatus.VERIFIED), ("M", ActionStatus.OPEN)])
def test_a_later_drill_that_retests_the_step_verifies_or_reopens_the_fix(library, now, rating, status):
    action = _finding_with_done_action(_briefed_drill("第三季度演练"), now)
    now.advance(days=30)
    later = _briefed_drill("第四季度演练")
    _ended_with_rating(later, now, rating)
    _lead(later)
    president = _person("hexie_president").user
    evaluating.rate_objective(actor=president, objective=later.objectives.get(), rating=rating)

    evaluating.conclude_evaluation(actor=president, drill=later)

    action.refresh_from_db()
    assert action.status == status
    if status == ActionStatus.VERIFIED:
        assert "第四季度演练" in action.verified_by_source


def test_the_same_weakness_in_two_drills_is_counted_as_a_recurrence(library, now):
    for title in ("第三季度演练", "第四季度演练"):
        drill = _briefed_drill(title)
        _ended_with_rating(drill, now, "U")
        evaluating.record_drill_finding(
            actor=_person("hexie_admin").user,
            drill=drill,
            expected_action=_action(drill),
            category="skills",
            grade=Grade.RECTIFICATION,
            text=f"{title}：大堂经理不会使用急救箱",
        )
        now.advance(days=1)
    keys = set(Finding.objects.values_list("recurrence_key", flat=True))
    assert len(keys) == 1 and Finding.objects.count() == 2


def test_evaluating_a_drill_reaches_no_real_notice_incident_or_task(drill, now):
    from yingji.core.testing import footprint

    before = footprint()
    _ended_with_rating(drill, now, "U")
    _lead(drill)
    president = _person("hexie_president").user
    evaluating.rate_objective(actor=president, objective=drill.objectives.get(), rating="U")
    evaluating.conclude_evaluation(actor=president, drill=drill)

    grown = {label for label, n in footprint().items() if n != before[label]}
    assert not grown & {
        "notify.Notice",
        "notify.Delivery",
        "incidents.Incident",
        "incidents.Task",
        "incidents.TimelineEntry",
    }, grown
    assert "drills.ActionRating" in grown and "drills.Evaluation" in grown
