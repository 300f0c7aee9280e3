"""A branch draws up its year's plan from the template, edits it while a draft, submits it, and a head
or leader other than the submitter approves it (four eyes) before it starts."""

from datetime import date

import pytest

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.deadlines.models import Deadline
from yingji.orgs.models import Position, Unit
from yingji.yearplan import services
from yingji.yearplan.models import AnnualPlan, PlanStatus

from .conftest import task_of


def test_the_branchs_emergency_administrator_draws_up_the_plan_from_the_template(draft, branch_duty):
    assert draft.status == PlanStatus.DRAFT and draft.unit.code == "JN" and draft.year == 2026
    assert draft.tasks.count() == 10 and draft.reminder_days == 7
    assert {t.owner_unit.code for t in draft.tasks.select_related("owner_unit")} == {"JN"}
    entry = AuditEntry.objects.filter(action="yearplan.create").last()
    assert entry.actor_id == branch_duty.user_id


def test_a_teller_cannot_draw_up_a_plan_and_nothing_is_left_behind(loaded, now, hexie_teller):
    before = footprint()
    with pytest.raises(NotAllowed):
        services.create_plan(actor=hexie_teller, unit=hexie_teller.unit, year=2026)
    assert footprint() == before


def test_a_second_plan_for_the_same_unit_and_year_is_refused_in_chinese(draft, branch_duty, jiangnan):
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.create_plan(actor=branch_duty, unit=jiangnan, year=2026)
    assert refused.value.fields["year"] == "江南分行已有2026年的计划。"
    assert footprint() == before


def test_a_year_far_away_is_refused(loaded, now, branch_duty, jiangnan):
    with pytest.raises(InvalidInput) as refused:
        services.create_plan(actor=branch_duty, unit=jiangnan, year=2031)
    assert "2025" in refused.value.fields["year"] and "2027" in refused.value.fields["year"]


def test_while_a_draft_the_dates_owners_and_evidence_are_edited(draft, branch_duty):
    task = task_of(draft, "meeting-may")
    admin = Position.objects.get(code="emergency_admin")
    services.update_task(
        actor=branch_duty,
        task=task,
        due_on=date(2026, 5, 15),
        owner_unit=Unit.objects.get(code="JN-BGS"),
        owner_position=admin,
        owner_person=branch_duty,
        evidence_kind="file",
        evidence_note="会议纪要及签到表",
    )
    task.refresh_from_db()
    assert (task.due_on, task.owner_unit.code, task.owner_person, task.evidence_note) == (
        date(2026, 5, 15),
        "JN-BGS",
        branch_duty,
        "会议纪要及签到表",
    )
    assert task.due_at.isoformat() == "2026-05-15T16:00:00+00:00"  # 24:00 of 15 May in Shanghai
    entry = AuditEntry.objects.filter(action="yearplan.edit_task").last()
    assert entry.data["changed"]["due_on"] == ["2026-05-31", "2026-05-15"]


def test_a_due_date_outside_the_plans_year_or_an_owner_outside_its_unit_is_refused(draft, branch_duty):
    task = task_of(draft, "rules")
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.update_task(
            actor=branch_duty,
            task=task,
            due_on=date(2027, 1, 31),
            owner_unit=Unit.objects.get(code="JN01"),
            owner_position=None,
            owner_person=None,
            evidence_kind="fax",
            evidence_note="",
        )
    assert set(refused.value.fields) == {"due_on", "owner_unit", "owner_position", "evidence_kind"}
    assert refused.value.fields["due_on"] == "截止日期应在计划年度2026年内。"
    assert footprint() == before


def test_the_submitter_cannot_approve_their_own_plan(draft, branch_duty, jn_president):
    # 钱江南 draws up nothing here, but a leader who submitted may not approve either: four eyes.
    services.submit_plan(actor=jn_president, plan=draft)
    before = footprint()
    with pytest.raises(NotAllowed) as refused:
        services.approve_plan(actor=jn_president, plan=AnnualPlan.objects.get(pk=draft.pk))
    assert "四眼" in refused.value.message or "提交人以外" in refused.value.message
    assert footprint() == before


def test_an_administrator_without_a_leading_post_cannot_approve(draft, branch_duty, hq_duty):
    services.submit_plan(actor=branch_duty, plan=draft)
    with pytest.raises(NotAllowed):
        services.approve_plan(actor=hq_duty, plan=AnnualPlan.objects.get(pk=draft.pk))


def test_a_sub_branch_head_below_cannot_see_or_approve_the_branchs_plan(draft, branch_duty, hexie_president):
    services.submit_plan(actor=branch_duty, plan=draft)
    with pytest.raises(NotVisible):
        services.approve_plan(actor=hexie_president, plan=AnnualPlan.objects.get(pk=draft.pk))


def test_the_president_approves_and_each_tasks_clock_starts(approved, jn_president):
    assert approved.status == PlanStatus.APPROVED and approved.approved_by == jn_president
    clocks = Deadline.objects.filter(subject_type="yearplan.task")
    assert clocks.count() == 10
    assert all(c.met_at is None and c.unit.code == "JN" for c in clocks)


def test_an_approved_plan_is_no_longer_edited_submitted_or_sent_back(approved, branch_duty, jn_president):
    before = footprint()
    with pytest.raises(InvalidInput):
        services.set_reminder_days(actor=branch_duty, plan=approved, days=3)
    with pytest.raises(InvalidInput):
        services.submit_plan(actor=branch_duty, plan=approved)
    with pytest.raises(InvalidTransition):
        services.return_plan(actor=jn_president, plan=approved, note="再改改")
    assert footprint() == before


def test_a_plan_sent_back_is_a_draft_again_with_the_reason(draft, branch_duty, jn_president):
    services.submit_plan(actor=branch_duty, plan=draft)
    services.return_plan(
        actor=jn_president, plan=AnnualPlan.objects.get(pk=draft.pk), note="会议时间请提前。"
    )
    plan = AnnualPlan.objects.get(pk=draft.pk)
    assert plan.status == PlanStatus.DRAFT and plan.return_note == "会议时间请提前。"
    assert not Deadline.objects.filter(subject_type="yearplan.task").exists()
