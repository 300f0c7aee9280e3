"""From registration to archive: the work, the review, the refusals, and who sees what."""

import threading

import pytest
from django.db import connection

from yingji.complaints import selectors, services
from yingji.complaints.models import TRANSITIONS, Complaint, Status
from yingji.core.errors import InvalidTransition, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.incidents.models import Incident

pytestmark = pytest.mark.django_db


def handled_to_review(complaint, handler):
    services.start_handling(actor=handler, complaint=complaint)
    services.submit_proposal(actor=handler, complaint=complaint, findings="属实", proposal="当面致歉")


def test_the_reviewer_sends_the_proposal_back_and_approves_the_better_one(
    register, hexie_lobby, hexie_manager
):
    complaint = register()
    handled_to_review(complaint, hexie_lobby)
    complaint = services.return_proposal(
        reviewer=hexie_manager, complaint=complaint, reason="请补充监控录像核实情况"
    )
    assert complaint.status == Status.RETURNED
    services.submit_proposal(
        actor=hexie_lobby, complaint=complaint, findings="监控显示柜员语气生硬", proposal="致歉并培训"
    )
    complaint = services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
    assert complaint.status == Status.APPROVED
    assert list(complaint.events.values_list("event", flat=True)) == [
        "registered",
        "accepted",
        "proposed",
        "returned",
        "proposed",
        "approved",
    ]


def test_nobody_approves_their_own_proposal(register, hexie_manager):
    complaint = register(receiver=hexie_manager)
    handled_to_review(complaint, hexie_manager)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
    assert footprint() == before


def test_the_lobby_manager_cannot_review(register, hexie_lobby, hexie_ops):
    complaint = register(receiver=hexie_ops)
    handled_to_review(complaint, hexie_ops)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.approve_proposal(reviewer=hexie_lobby, complaint=complaint)
    assert footprint() == before


@pytest.mark.parametrize(
    "action",
    ["approve", "decide", "callback", "archive", "resume", "review"],
)
def test_an_action_the_state_does_not_allow_is_refused_and_changes_nothing(
    register, hexie_lobby, hexie_manager, action
):
    complaint = register()  # just registered
    calls = {
        "approve": lambda: services.approve_proposal(reviewer=hexie_manager, complaint=complaint),
        "decide": lambda: services.record_decision(
            actor=hexie_lobby,
            complaint=complaint,
            findings="f",
            basis="b",
            remedy="",
            delivered_how="phone",
            delivered_at=complaint.registered_at,
        ),
        "callback": lambda: services.record_callback(
            actor=hexie_lobby, complaint=complaint, satisfaction="satisfied"
        ),
        "archive": lambda: services.archive(actor=hexie_lobby, complaint=complaint),
        "resume": lambda: services.resume_clock(actor=hexie_lobby, complaint=complaint),
        "review": lambda: services.request_review(actor=hexie_lobby, complaint=complaint),
    }
    before = footprint()
    with pytest.raises(InvalidTransition):
        calls[action]()
    assert footprint() == before
    complaint.refresh_from_db()
    assert complaint.status == Status.REGISTERED


def test_the_transition_table_has_an_entry_for_every_status_and_withdrawn_is_final():
    assert set(TRANSITIONS) == set(Status.values)
    assert TRANSITIONS[Status.WITHDRAWN] == set()


def test_an_unsatisfied_customer_reopens_the_complaint(register, hexie_lobby, hexie_manager):
    complaint = register()
    handled_to_review(complaint, hexie_lobby)
    services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
    services.record_decision(
        actor=hexie_lobby,
        complaint=complaint,
        findings="f",
        basis="b",
        remedy="",
        delivered_how="phone",
        delivered_at=complaint.registered_at,
    )
    services.record_callback(
        actor=hexie_lobby, complaint=complaint, satisfaction="unsatisfied", note="认为赔偿不足", reopen=True
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.HANDLING
    assert complaint.satisfaction == "unsatisfied"
    assert "reopened" in {d.name for d in selectors.running_deadlines(complaint)}


def test_a_repeat_of_the_same_complaint_is_merged_into_the_open_one(register, hexie_lobby):
    first = register()
    again = register(channel="hotline", content="又打电话投诉同一件事", repeat_of=first)
    assert again.pk == first.pk
    assert Complaint.objects.count() == 1
    merged = first.events.get(event="merged")
    assert "又打电话投诉同一件事" in merged.text


def test_twenty_people_complaining_together_at_the_counter_open_a_major_incident(register, library):
    complaint = register(joint_count=20, content="二十名客户联名投诉理财产品到期无法兑付")
    complaint.refresh_from_db()
    assert complaint.is_major
    incident = Incident.objects.get(pk=complaint.incident_id)
    assert incident.kind.code == "major_complaint"
    assert complaint.number in incident.description
    assert complaint.events.filter(event="major").exists()


def test_nineteen_people_do_not_make_a_major_complaint(register, library):
    complaint = register(joint_count=19)
    assert not complaint.is_major and complaint.incident_id is None
    assert not Incident.objects.exists()


def test_a_complaint_caused_by_a_public_health_event_is_major(register, library):
    complaint = register(channel="hotline", major_cause="public_health")
    complaint.refresh_from_db()
    assert complaint.incident_id is not None


def test_a_sibling_branch_neither_lists_nor_opens_the_complaint(register, other_manager, hq_duty):
    complaint = register()
    assert complaint not in selectors.complaints_for(other_manager.user)
    with pytest.raises(NotVisible):
        selectors.complaint_for(viewer=other_manager.user, number=complaint.number)
    with pytest.raises(NotVisible):
        services.start_handling(actor=other_manager, complaint=complaint)
    assert complaint in selectors.complaints_for(hq_duty.user)


def test_a_work_order_to_another_branch_lets_that_unit_see_and_accept_it(
    register, hexie_lobby, other_manager
):
    complaint = register()
    order = services.issue_work_order(actor=hexie_lobby, complaint=complaint, to_unit=other_manager.unit)
    services.accept_work_order(actor=other_manager, order=order)
    assert selectors.complaint_for(viewer=other_manager.user, number=complaint.number) == complaint


def test_phone_and_id_are_shown_to_the_handler_and_the_consumer_protection_officer_and_each_look_is_audited(
    register, hexie_lobby, hexie_teller, hq_consumer
):
    from yingji.audit.models import AuditEntry

    complaint = register(customer_id_number="42010219800101123X")
    assert (
        services.reveal_personal_data(viewer=hq_consumer, complaint=complaint)["customer_phone"]
        == "13812345678"
    )
    services.reveal_personal_data(viewer=hexie_lobby, complaint=complaint)
    assert AuditEntry.objects.filter(action="complaint.view_personal_data").count() == 2
    with pytest.raises(NotAllowed):
        services.reveal_personal_data(viewer=hexie_teller, complaint=complaint)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_reviewers_deciding_at_once_leave_one_decision(demo):
    from yingji.orgs.models import Person, Unit

    lobby = Person.objects.get(user__username="hexie_lobby")
    manager = Person.objects.get(user__username="hexie_manager")
    president = Person.objects.get(user__username="hexie_president")
    complaint = services.register_complaint(
        receiver=lobby,
        unit=Unit.objects.get(code="JN0101"),
        channel="counter",
        received_at=lobby.user.date_joined,
        customer_name="李四",
        content="转账未到账",
    )
    handled_to_review(complaint, lobby)
    outcomes: list[str] = []

    def act(name, call):
        try:
            call()
            outcomes.append(name)
        except (InvalidTransition, NotAllowed):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=("approved", lambda: services.approve_proposal(reviewer=manager, complaint=complaint)),
        ),
        threading.Thread(
            target=act,
            args=(
                "returned",
                lambda: services.return_proposal(reviewer=president, complaint=complaint, reason="补充"),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    complaint.refresh_from_db()
    assert sorted(outcomes) in (["approved", "refused"], ["approved", "returned"], ["refused", "returned"])
    assert complaint.events.filter(event__in=["approved", "returned"]).count() == len(
        [o for o in outcomes if o != "refused"]
    )


def test_a_work_order_naming_a_handler_is_accepted_by_them_not_by_a_colleague(
    register, hexie_lobby, hexie_ops
):
    from yingji.orgs.models import Person

    teller = Person.objects.get(user__username="hexie_teller")
    complaint = register()
    order = services.issue_work_order(
        actor=hexie_lobby, complaint=complaint, to_unit=hexie_ops.unit, assignee=hexie_ops
    )
    before = footprint()
    with pytest.raises(NotAllowed):
        services.accept_work_order(actor=teller, order=order)
    assert footprint() == before
    services.accept_work_order(actor=hexie_ops, order=order)
