"""Seed 001's steps that are actions with their own clock: the 问题型 meeting (proposal 24 hours after
it), the 建议型 administration's review (2 working days after the department's report), the 恶意 result
to the general manager (2 working days after the final opinion), and a 问题型 complaint turned 恶意."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.audit.models import AuditEntry
from yingji.complaints import services
from yingji.complaints.models import Event, Kind, Status
from yingji.complaints.services import deadlines
from yingji.complaints.services.common import subject
from yingji.core import calendar, clock
from yingji.core.errors import InvalidInput, InvalidTransition
from yingji.core.testing import footprint
from yingji.deadlines.models import Deadline

pytestmark = pytest.mark.django_db


def clocks(complaint) -> dict[str, Deadline]:
    return {
        d.name: d
        for d in Deadline.objects.filter(subject_type=subject(complaint).type, subject_id=complaint.pk)
    }


def test_a_problem_complaints_proposal_clock_waits_for_the_meeting(now, register, hexie_lobby):
    complaint = register()

    assert "proposal" not in clocks(complaint)
    assert "agreement" in clocks(complaint)


def test_the_lobby_manager_records_the_meeting_and_the_proposal_is_due_24_hours_later(
    now, register, hexie_lobby
):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    met_at = clock.now() - timedelta(minutes=5)

    services.record_meeting(actor=hexie_lobby, complaint=complaint, met_at=met_at, note="客户要求致歉")

    complaint.refresh_from_db()
    assert complaint.met_customer_at == met_at
    proposal = clocks(complaint)["proposal"]
    assert proposal.due_at == met_at + timedelta(hours=24)
    assert proposal.started_at == met_at
    with translation.override("zh-hans"):
        basis = str(deadlines.BASIS["problem_proposal"])
    assert proposal.source.startswith(basis)
    assert complaint.events.filter(event=Event.MET, at=met_at, actor=hexie_lobby).exists()
    assert AuditEntry.objects.filter(action="complaint.meet").count() == 1


def test_a_meeting_in_the_future_is_refused_and_changes_nothing(now, register, hexie_lobby):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    before = footprint()

    with pytest.raises(InvalidInput) as refused:
        services.record_meeting(
            actor=hexie_lobby, complaint=complaint, met_at=clock.now() + timedelta(hours=1)
        )

    assert "met_at" in refused.value.fields
    assert footprint() == before
    complaint.refresh_from_db()
    assert complaint.met_customer_at is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes_after_receipt=st.integers(min_value=0, max_value=9))
def test_whenever_the_meeting_was_the_proposal_is_due_exactly_24_hours_after_it(
    now, register, hexie_lobby, minutes_after_receipt
):
    with transaction.atomic():
        complaint = register(received_at=clock.now() - timedelta(minutes=10))
        met_at = complaint.received_at + timedelta(minutes=minutes_after_receipt)
        services.record_meeting(actor=hexie_lobby, complaint=complaint, met_at=met_at)
        assert clocks(complaint)["proposal"].due_at - met_at == timedelta(hours=24)
        transaction.set_rollback(True)


def test_a_suggestions_report_gives_the_administration_2_working_days_to_review(
    now, register, hexie_lobby, hexie_manager
):
    complaint = register(kind=Kind.SUGGESTION)
    services.start_handling(actor=hexie_lobby, complaint=complaint)

    services.submit_proposal(
        actor=hexie_lobby, complaint=complaint, findings="建议可行", proposal="采纳并致谢"
    )

    review = clocks(complaint)["admin_review"]
    assert review.due_at == calendar.working_days_end(review.started_at, 2).at
    assert review.met_at is None
    assert clocks(complaint)["dept_report"].met_at is not None
    services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
    assert clocks(complaint)["admin_review"].met_at is not None
    # A suggestion has nothing to carry out: the 2 working days to execute are the problem complaint's.
    assert "execute" not in clocks(complaint)


def test_the_problem_complaint_turned_malicious_starts_the_malicious_clocks(now, register, hexie_lobby):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    services.record_meeting(actor=hexie_lobby, complaint=complaint, met_at=clock.now())
    now.advance(hours=2)

    services.turn_malicious(actor=hexie_lobby, complaint=complaint, reason="客户索要高额赔偿，协商失败")

    complaint.refresh_from_db()
    assert complaint.kind == Kind.MALICIOUS
    running = clocks(complaint)
    assert running["agreement"].cancelled_at is not None
    assert running["proposal"].started_at == clock.now()
    assert running["proposal"].due_at == clock.now() + timedelta(hours=24)
    assert running["visit"].due_at == calendar.working_days_end(clock.now(), 5).at
    event = complaint.events.get(event=Event.RECLASSIFIED)
    assert event.text == "客户索要高额赔偿，协商失败"
    assert AuditEntry.objects.filter(action="complaint.turn_malicious").count() == 1


def test_a_suggestion_is_not_turned_malicious(now, register, hexie_lobby):
    complaint = register(kind=Kind.SUGGESTION)
    before = footprint()

    with pytest.raises(InvalidTransition):
        services.turn_malicious(actor=hexie_lobby, complaint=complaint, reason="协商失败")

    assert footprint() == before


def test_a_malicious_complaints_result_goes_to_the_general_manager_within_2_working_days(
    now, register, hexie_lobby
):
    complaint = register(kind=Kind.MALICIOUS)
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="借机索赔", proposal="拒绝赔偿")
    report = clocks(complaint)["gm_report"]
    assert report.due_at == calendar.working_days_end(report.started_at, 2).at
    now.advance(hours=3)

    services.report_to_leader(actor=hexie_lobby, complaint=complaint, reported_at=clock.now())

    complaint.refresh_from_db()
    assert complaint.reported_to_leader_at == clock.now()
    assert clocks(complaint)["gm_report"].met_at == clock.now()
    assert complaint.events.filter(event=Event.REPORTED).count() == 1
    assert complaint.status == Status.PENDING_REVIEW


def test_the_result_is_not_reported_before_the_final_opinion(now, register, hexie_lobby):
    complaint = register(kind=Kind.MALICIOUS)
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    before = footprint()

    with pytest.raises(InvalidTransition):
        services.report_to_leader(actor=hexie_lobby, complaint=complaint, reported_at=clock.now())

    assert footprint() == before


def test_the_time_to_handle_an_unsatisfied_customer_again_is_the_banks_own_setting(
    settings, now, register, hexie_lobby, hexie_manager
):
    settings.YINGJI_COMPLAINT_REOPEN_WORKING_DAYS = 3
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="属实", proposal="致歉")
    services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
    services.record_decision(
        actor=hexie_lobby,
        complaint=complaint,
        findings="属实",
        basis="服务规范",
        remedy="致歉",
        delivered_how="phone",
        delivered_at=clock.now(),
    )

    with translation.override("zh-hans"):
        services.record_callback(
            actor=hexie_lobby, complaint=complaint, satisfaction="unsatisfied", note="不满意", reopen=True
        )

    again = clocks(complaint)["reopened"]
    assert again.due_at == calendar.working_days_end(again.started_at, 3).at
    assert again.source.startswith("本行设定")


def test_a_meeting_after_the_proposal_was_submitted_is_refused(now, register, hexie_lobby):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="属实", proposal="致歉")
    before = footprint()

    with pytest.raises(InvalidTransition):
        services.record_meeting(actor=hexie_lobby, complaint=complaint, met_at=clock.now())

    assert footprint() == before
