"""The rules of 《银行业保险业消费投诉处理管理办法》 as the register keeps them, one story each."""

from datetime import timedelta

import pytest

from yingji.complaints import services
from yingji.complaints.models import Extension, Status
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint

from .conftest import at

pytestmark = pytest.mark.django_db


def local(dt):
    return dt.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_the_decision_is_due_at_2400_on_the_fifteenth_day_after_receipt(register):
    with clock.frozen(at("2026-03-02 10:30")):
        complaint = register(received_at=at("2026-03-02 10:00"))
    # 3-02 is not counted; day 15 is Tuesday 3-17, a working day; the period ends at its 24:00.
    assert local(complaint.decision_due_at) == "2026-03-18 00:00"
    assert "2026-03-02" in complaint.decision_rule and "2026-03-17" in complaint.decision_rule


def test_a_period_ending_in_the_national_day_holiday_runs_to_the_next_working_day(register):
    with clock.frozen(at("2025-09-16 09:30")):
        complaint = register(received_at=at("2025-09-16 09:00"))
    # Day 15 is 10-01, National Day; 10-01 … 10-08 are holidays, so it ends at 24:00 on Thursday 10-09.
    assert local(complaint.decision_due_at) == "2025-10-10 00:00"
    assert "2025-10-01" in complaint.decision_rule


def test_a_make_up_saturday_is_a_working_day_and_ends_the_period_where_it_falls(register):
    with clock.frozen(at("2025-09-13 11:00")):
        complaint = register(received_at=at("2025-09-13 10:00"))
    # Day 15 is Sunday 9-28, a 调休 working day before National Day: the period ends there.
    assert local(complaint.decision_due_at) == "2025-09-29 00:00"


def test_a_complex_complaint_is_extended_to_30_days_with_the_customer_told(register, hexie_manager):
    with clock.frozen(at("2026-03-02 10:30")) as now:
        complaint = register(received_at=at("2026-03-02 10:00"))
        now.advance(days=5)
        complaint = services.extend_deadline(
            approver=hexie_manager,
            complaint=complaint,
            reason="需调取三个月的交易流水核实",
            customer_told_at=clock.now(),
            customer_told_how="电话告知客户",
        )
    # Day 30 from 3-02 is Wednesday 4-01.
    assert local(complaint.decision_due_at) == "2026-04-02 00:00"
    extension = Extension.objects.get(complaint=complaint)
    assert (extension.to_days, extension.approved_by, extension.customer_told_how) == (
        30,
        hexie_manager,
        "电话告知客户",
    )


def test_the_second_extension_to_60_days_needs_a_superior_institutions_leader(
    register, hexie_manager, hexie_president
):
    with clock.frozen(at("2026-03-02 10:30")) as now:
        complaint = register(received_at=at("2026-03-02 10:00"))
        now.advance(days=5)
        told = {"customer_told_at": clock.now(), "customer_told_how": "电话"}
        complaint = services.extend_deadline(
            approver=hexie_manager, complaint=complaint, reason="复杂", **told
        )
        before = footprint()
        with pytest.raises(NotAllowed):
            services.extend_deadline(approver=hexie_manager, complaint=complaint, reason="特别复杂", **told)
        assert footprint() == before
        complaint = services.extend_deadline(
            approver=hexie_president, complaint=complaint, reason="需第三方鉴定后确定赔付", **told
        )
        assert complaint.period_days == 60
        with pytest.raises(InvalidInput):
            services.extend_deadline(approver=hexie_president, complaint=complaint, reason="再延", **told)


def test_an_extension_the_customer_was_not_told_of_is_refused(register, hexie_manager):
    complaint = register()
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.extend_deadline(
            approver=hexie_manager,
            complaint=complaint,
            reason="复杂",
            customer_told_at=None,
            customer_told_how="",
        )
    assert set(refused.value.fields) == {"customer_told_at", "customer_told_how"}
    assert footprint() == before


def test_time_spent_on_mediation_moves_the_deadline_by_the_time_paused(register, hexie_lobby):
    with clock.frozen(at("2026-03-02 10:30")) as now:
        complaint = register(received_at=at("2026-03-02 10:00"))
        services.start_handling(actor=hexie_lobby, complaint=complaint)
        first_due = complaint.decision_due_at
        services.pause_clock(actor=hexie_lobby, complaint=complaint, reason="mediation", note="提交调解组织")
        now.advance(days=3, hours=4)
        complaint = services.resume_clock(actor=hexie_lobby, complaint=complaint)
    assert complaint.status == Status.HANDLING
    assert complaint.decision_due_at - first_due == timedelta(days=3, hours=4)
    assert "3" in complaint.decision_rule


def test_new_facts_from_the_customer_restart_the_clock_from_their_receipt(register, hexie_lobby):
    with clock.frozen(at("2026-03-02 10:30")) as now:
        complaint = register(received_at=at("2026-03-02 10:00"))
        now.advance(days=10)
        complaint = services.add_new_facts(
            actor=hexie_lobby, complaint=complaint, facts="客户补充提供了转账截图", received_at=clock.now()
        )
    # Counted again from 3-12: day 15 is Friday 3-27.
    assert local(complaint.decision_due_at) == "2026-03-28 00:00"


def test_a_withdrawal_ends_the_procedure_the_day_it_arrives(register, hexie_lobby):
    complaint = register()
    withdrawn_at = clock.now() - timedelta(minutes=1)
    complaint = services.withdraw(
        actor=hexie_lobby, complaint=complaint, withdrawn_at=withdrawn_at, note="客户来电撤回"
    )
    assert complaint.status == Status.WITHDRAWN
    assert complaint.closed_at == withdrawn_at
    from yingji.complaints.selectors import running_deadlines

    assert running_deadlines(complaint) == []


def test_a_decision_phoned_within_the_deadline_is_on_time_and_one_after_is_late(
    register, hexie_lobby, hexie_manager
):
    def decide(complaint, delivered_at):
        services.start_handling(actor=hexie_lobby, complaint=complaint)
        services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="属实", proposal="致歉")
        services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
        return services.record_decision(
            actor=hexie_lobby,
            complaint=complaint,
            findings="柜员服务态度生硬属实",
            basis="《柜面服务规范》第五条",
            remedy="当面致歉，柜员停岗培训",
            delivered_how="phone",
            delivered_at=delivered_at,
        )

    with clock.frozen(at("2026-03-02 10:30")) as now:
        on_time = register(received_at=at("2026-03-02 10:00"))
        late = register(received_at=at("2026-03-02 10:05"), customer_phone="13999999999")
        now.advance(days=20)
        assert decide(on_time, at("2026-03-17 23:50")).on_time is True
        assert decide(late, at("2026-03-18 00:10")).on_time is False


def test_the_customer_may_ask_for_a_review_within_30_days_and_it_is_decided_within_30(
    register, hexie_lobby, hexie_manager
):
    with clock.frozen(at("2026-03-02 10:30")) as now:
        complaint = register(received_at=at("2026-03-02 10:00"))
        services.start_handling(actor=hexie_lobby, complaint=complaint)
        services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="f", proposal="p")
        services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
        now.advance(days=8, hours=6)
        services.record_decision(
            actor=hexie_lobby,
            complaint=complaint,
            findings="f",
            basis="b",
            remedy="",
            delivered_how="letter",
            delivered_at=at("2026-03-10 15:00"),
        )
        now.advance(days=40)
        too_late = at("2026-04-10 09:00")  # 3-10 + 30 days ends at 24:00 on Thursday 4-09
        before = footprint()
        with pytest.raises(InvalidInput):
            services.request_review(actor=hexie_lobby, complaint=complaint, requested_at=too_late)
        assert footprint() == before
        complaint = services.request_review(
            actor=hexie_lobby, complaint=complaint, requested_at=at("2026-04-08 09:00"), note="对赔付金额不服"
        )
    assert complaint.status == Status.REVIEWING
    assert local(complaint.review_due_at) == "2026-05-09 00:00"


def test_the_person_complained_about_cannot_handle_the_complaint(register, hexie_lobby, hexie_teller, hexie):
    complaint = register(staff_complained=hexie_teller)
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.issue_work_order(
            actor=hexie_lobby, complaint=complaint, to_unit=hexie, assignee=hexie_teller
        )
    assert "assignee" in refused.value.fields
    assert footprint() == before


def test_the_person_complained_about_cannot_receive_the_complaint_themselves(register, hexie_teller):
    with pytest.raises(InvalidInput) as refused:
        register(receiver=hexie_teller, staff_complained=hexie_teller)
    assert "staff_complained" in refused.value.fields


def test_the_first_receiver_owns_it_until_a_work_order_hands_it_on(register, hexie_lobby, hexie_ops, hexie):
    complaint = register()
    assert complaint.owner == hexie_lobby
    order = services.issue_work_order(
        actor=hexie_lobby, complaint=complaint, to_unit=hexie, assignee=hexie_ops
    )
    complaint.refresh_from_db()
    assert complaint.owner == hexie_lobby  # still theirs until the receiving unit accepts
    services.accept_work_order(actor=hexie_ops, order=order)
    complaint.refresh_from_db()
    assert complaint.owner == hexie_ops
    handover = complaint.events.get(event="accepted")
    assert hexie_lobby.name in handover.text and hexie_ops.name in handover.text


def test_a_suggestion_is_passed_on_within_24_hours_and_reported_within_5_working_days(register):
    from yingji.complaints.selectors import running_deadlines

    with clock.frozen(at("2026-09-30 10:30")):
        complaint = register(kind="suggestion", received_at=at("2026-09-30 10:00"))
    due = {d.name: local(d.due_at) for d in running_deadlines(complaint)}
    assert due["pass_on"] == "2026-10-01 10:00"
    # 5 working days after 9-30, across the National Day holiday (10-01 … 10-07; 10-10 Saturday works).
    assert due["dept_report"] == "2026-10-14 00:00"
