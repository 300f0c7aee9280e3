"""An incident moves 已报告 → 已启动 → 处置中 → 申请终止 → 已终止 → 调查中 → 已结案 (or 已撤销) only along
the table in `services.TRANSITIONS`; any other move is refused and leaves nothing behind, even when two
people act at once. Termination needs every approver the plan names (by default the 组长 and the
应急管理员 of the unit above), never the proposer. After termination the case is watched for the bank's
own length of time (72 hours by default): the same thing happening again at the same outlet reopens it,
and the case does not close before the watch ends."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import DomainError, InvalidInput, InvalidTransition, NotAllowed
from yingji.core.testing import footprint
from yingji.incidents import services
from yingji.incidents.models import FollowUp, Incident, Status, TerminationRequest, TimelineEvent
from yingji.incidents.services import TRANSITIONS
from yingji.notify.models import Notice
from yingji.plans.models import Level

from . import factories
from .factories import ReportFactory, approved, incident_in, kind, person, unit

pytestmark = pytest.mark.usefixtures("library")
S = Status


# Every action that moves an incident, as the person entitled to it would take it, and where it goes.
def activate(incident: Incident) -> None:
    services.activate_plan(
        actor=person("hexie_manager"),
        incident=incident,
        version=approved("outlet-service-customer-injured"),
        leader=person("hexie_president"),
    )


def request_termination(incident: Incident) -> None:
    services.request_termination(actor=person("hexie_manager"), incident=incident, summary="秩序恢复")


def approve_termination(incident: Incident) -> None:
    """The drill plan names no approvers: 刘和谐 (组长) and 韩应急 (和谐支行应急管理员) both approve."""
    for approver in ("hexie_president", "hexie_admin"):
        services.decide_termination(actor=person(approver), incident=incident, approve=True)


def reject_termination(incident: Incident) -> None:
    services.decide_termination(
        actor=person("hexie_president"), incident=incident, approve=False, note="家属仍在网点"
    )


def cancel(incident: Incident) -> None:
    services.cancel_incident(actor=person("hexie_manager"), incident=incident, reason="误报，客户未受伤")


def start_investigation(incident: Incident) -> None:
    services.start_investigation(actor=person("hexie_president"), incident=incident)


def close(incident: Incident) -> None:
    services.close_investigation(actor=person("hexie_president"), incident=incident)


ACTIONS: dict[str, tuple[Callable[[Incident], None], str]] = {
    "activate": (activate, S.ACTIVATED),
    "request termination": (request_termination, S.TERMINATION_REQUESTED),
    "approve termination": (approve_termination, S.TERMINATED),
    "reject termination": (reject_termination, S.RESPONDING),
    "cancel": (cancel, S.CANCELLED),
    "start investigation": (start_investigation, S.INVESTIGATING),
    "close": (close, S.CLOSED),
}
REFUSED = [
    (status, action)
    for status in S
    for action, (_, target) in ACTIONS.items()
    if target not in TRANSITIONS[status]
]


def test_the_table_knows_every_status():
    assert set(TRANSITIONS) == set(S)
    assert all(targets <= set(S) for targets in TRANSITIONS.values())


@pytest.mark.parametrize(("status", "action"), REFUSED, ids=[f"{s.value}-{a}" for s, a in REFUSED])
def test_a_move_the_table_does_not_allow_is_refused_and_changes_nothing(
    now, hexie_lobby, django_capture_on_commit_callbacks, status, action
):
    incident = incident_in(status)
    before = footprint()
    do, _ = ACTIONS[action]
    with django_capture_on_commit_callbacks(execute=True) as queued, pytest.raises(InvalidTransition):
        do(incident)
    assert not queued
    assert footprint() == before  # no row, no audit entry, no notice, no job
    assert DBTaskResult.objects.count() == before[DBTaskResult._meta.label]
    assert Notice.objects.count() == before[Notice._meta.label]
    incident.refresh_from_db()
    assert incident.status == status


def test_the_refusal_says_where_the_case_stands(now, hexie_lobby):
    incident = incident_in(S.RESPONDING)
    with pytest.raises(InvalidTransition, match=r"处置中|Responding") as refused:
        approve_termination(incident)
    assert refused.value.status == 409


@pytest.mark.parametrize("status", [S.ACTIVATED, S.RESPONDING, S.TERMINATED])
def test_rejecting_a_termination_nobody_proposed_is_refused(now, hexie_lobby, status):
    # The table lets 已启动 and 已终止 (the watch period) move to 处置中, but not by a rejection.
    incident = incident_in(status)
    before = footprint()
    with pytest.raises(InvalidTransition):
        reject_termination(incident)
    assert footprint() == before


def test_the_whole_way_from_report_to_closed_case(now, hexie_lobby):
    incident = ReportFactory()
    for step in factories.PATH_TO[S.CLOSED]:
        now.advance(minutes=5)
        step(incident)
    incident.refresh_from_db()
    assert incident.status == S.CLOSED
    assert incident.activated_at < incident.terminated_at < incident.closed_at
    assert incident.investigation.closed_at == incident.closed_at
    actions = list(
        AuditEntry.objects.filter(object_type="incidents.incident", object_id=str(incident.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "incident.report",
        "incident.activate",
        "incident.request_termination",
        "incident.approve_termination",  # 刘和谐, the 组长
        "incident.approve_termination",  # 韩应急, the unit above's 应急管理员
        "incident.terminate",
        "notice.withdraw",  # the first report's notices nobody acknowledged stop asking
        "incident.start_investigation",
        "incident.findings",
        "incident.close",
        "notice.withdraw",  # and the proposer's notice of the approval
    ]


# --- any sequence of actions ------------------------------------------------------------------------


def claim_a_task(incident: Incident) -> None:
    task = incident.tasks.filter(position__code="lobby_manager").order_by("order").first()
    if task is None:
        raise InvalidTransition("no task yet")
    services.claim_task(actor=person("hexie_lobby"), task=task)


def write_findings(incident: Incident) -> None:
    services.save_findings(
        actor=person("hexie_president"),
        incident=incident,
        cause="地面湿滑",
        warnings_in_time=True,
        preventive_measures="铺设防滑垫",
    )


def report_again(incident: Incident) -> None:
    ReportFactory(description="同一位置又有客户滑倒")


EVERYTHING = {
    **{name: do for name, (do, _) in ACTIONS.items()},
    "claim a task": claim_a_task,
    "write findings": write_findings,
    "report again at the outlet": report_again,
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(sorted(EVERYTHING)), max_size=10))
def test_any_sequence_of_actions_only_walks_the_table(library, now, hexie_lobby, actions):
    with transaction.atomic():
        incident = ReportFactory()
        walked = [incident.status]
        for name in actions:
            before, status = footprint(), incident.status
            try:
                EVERYTHING[name](incident)
            except DomainError:
                assert footprint() == before, f"{name} was refused in {status} but left something"
            incident.refresh_from_db()
            if incident.status != status:
                assert incident.status in TRANSITIONS[status], f"{name}: {status} → {incident.status}"
            walked.append(incident.status)
        assert walked[0] == S.REPORTED
        transaction.set_rollback(True)


# --- termination ------------------------------------------------------------------------------------


@pytest.fixture
def hexie_admin(demo):
    return person("hexie_admin")  # 韩应急, 和谐支行应急管理员: the unit above 和谐路营业部


@pytest.fixture
def hq_security(demo):
    return person("hq_security")  # 赵保卫, 总行监察保卫部


def test_the_group_proposes_termination_and_each_approver_is_asked(
    now, hexie_lobby, hexie_president, hexie_admin
):
    incident = incident_in(S.RESPONDING)
    request = factories.request_termination(incident)
    assert request.proposed_by == person("hexie_manager") and request.approved is None
    assert [(a.label, a.decided_at) for a in request.approvals.all()] == [
        ("组长", None),
        ("和谐支行应急管理员", None),
    ]
    for approver in (hexie_president, hexie_admin):
        ask = Notice.objects.filter(subject_id=incident.pk, recipient=approver).latest("pk")
        assert ask.ack_due_at is None and incident.number in ask.title
    assert incident.timeline.filter(event=TimelineEvent.TERMINATION).count() == 1


def test_someone_outside_the_group_cannot_propose_termination(now, hexie_lobby, hexie_guard):
    incident = incident_in(S.RESPONDING)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.request_termination(actor=hexie_guard, incident=incident, summary="我看没事了")
    assert footprint() == before


def test_the_outlet_head_who_proposed_cannot_approve_it_himself(now, hexie_lobby, hexie_manager):
    incident = incident_in(S.TERMINATION_REQUESTED)  # proposed by 郑和谐, the outlet head
    before = footprint()
    with pytest.raises(NotAllowed, match=r"提出终止的人|proposed"):
        services.decide_termination(actor=hexie_manager, incident=incident, approve=True)
    assert footprint() == before
    incident.refresh_from_db()
    assert incident.status == S.TERMINATION_REQUESTED


def test_only_the_approvers_the_plan_names_decide(now, hexie_lobby, branch_duty, hexie_guard):
    incident = incident_in(S.TERMINATION_REQUESTED)
    before = footprint()
    for outsider in (branch_duty, hexie_guard):  # the branch's 应急管理员 is not the unit above an outlet
        with pytest.raises(NotAllowed):
            services.decide_termination(actor=outsider, incident=incident, approve=True)
    assert footprint() == before


def test_the_group_leader_alone_does_not_end_the_response(now, hexie_lobby, hexie_president, hexie_admin):
    incident = incident_in(S.TERMINATION_REQUESTED)
    now.advance(minutes=40)
    services.decide_termination(actor=hexie_president, incident=incident, approve=True)
    incident.refresh_from_db()
    assert incident.status == S.TERMINATION_REQUESTED and incident.terminated_at is None
    leader_slot, admin_slot = TerminationRequest.objects.get(incident=incident).approvals.all()
    assert (leader_slot.approved, leader_slot.decided_by, leader_slot.decided_at) == (
        True,
        hexie_president,
        clock.now(),
    )
    assert admin_slot.decided_at is None
    with pytest.raises(NotAllowed):  # one person fills one slot
        services.decide_termination(actor=hexie_president, incident=incident, approve=True)

    now.advance(minutes=5)
    services.decide_termination(actor=hexie_admin, incident=incident, approve=True)
    incident.refresh_from_db()
    assert incident.status == S.TERMINATED
    assert incident.watch_until == incident.terminated_at + timedelta(hours=72)
    request = TerminationRequest.objects.get(incident=incident)
    assert (request.approved, request.decided_by, request.decided_at) == (True, hexie_admin, clock.now())
    approvals = list(
        AuditEntry.objects.filter(action="incident.approve_termination", object_id=str(incident.pk))
        .order_by("seq")
        .values_list("data__as", flat=True)
    )
    assert approvals == ["组长", "和谐支行应急管理员"]
    entries = list(incident.timeline.filter(event=TimelineEvent.TERMINATION).values_list("text", flat=True))
    assert any("组长" in t for t in entries) and any("和谐支行应急管理员" in t for t in entries)


def test_the_approvers_the_plan_names_are_the_ones_asked(now, hexie_lobby, hexie_president, hq_security):
    """004 第十六条: 经领导小组和大厦安全保卫负责人批准."""
    version = approved("outlet-service-customer-injured")
    version.termination_approvers = [
        {"role": "leader", "label": "应急处置领导小组"},
        {"position": "security_officer", "unit": "head_office", "label": "大厦安全保卫负责人"},
    ]
    version.save(update_fields=["termination_approvers"])
    incident = incident_in(S.TERMINATION_REQUESTED)
    labels = [a.label for a in TerminationRequest.objects.get(incident=incident).approvals.all()]
    assert labels == ["应急处置领导小组", "大厦安全保卫负责人"]
    assert Notice.objects.filter(subject_id=incident.pk, recipient=hq_security).exists()
    with pytest.raises(NotAllowed):  # the default approver is not asked when the plan names others
        services.decide_termination(actor=person("hexie_admin"), incident=incident, approve=True)
    services.decide_termination(actor=hexie_president, incident=incident, approve=True)
    services.decide_termination(actor=hq_security, incident=incident, approve=True)
    incident.refresh_from_db()
    assert incident.status == S.TERMINATED


def test_the_only_one_who_could_approve_cannot_propose(now, hexie_lobby, hexie_president):
    incident = incident_in(S.RESPONDING)
    before = footprint()
    with pytest.raises(InvalidInput, match="组长"):
        services.request_termination(actor=hexie_president, incident=incident, summary="秩序恢复")
    assert footprint() == before
    incident.refresh_from_db()
    assert incident.status == S.RESPONDING


def test_any_approver_rejects_with_a_reason_and_the_case_goes_back(
    now, hexie_lobby, hexie_president, hexie_admin, hexie_manager
):
    incident = incident_in(S.TERMINATION_REQUESTED)
    services.decide_termination(actor=hexie_president, incident=incident, approve=True)
    before = footprint()
    with pytest.raises(InvalidInput):
        services.decide_termination(actor=hexie_admin, incident=incident, approve=False, note=" ")
    assert footprint() == before
    services.decide_termination(actor=hexie_admin, incident=incident, approve=False, note="家属仍在网点")
    incident.refresh_from_db()
    assert incident.status == S.RESPONDING and incident.terminated_at is None
    request = TerminationRequest.objects.get(incident=incident)
    assert (request.approved, request.decided_by, request.decision_note) == (
        False,
        hexie_admin,
        "家属仍在网点",
    )
    assert "家属仍在网点" in incident.timeline.filter(event=TimelineEvent.TERMINATION).last().text
    told = Notice.objects.filter(subject_id=incident.pk, recipient=hexie_manager).latest("pk")
    assert "家属仍在网点" in told.body
    asked = Notice.objects.filter(subject_id=incident.pk, key__contains=f":termination-{request.pk}:")
    assert asked.count() == 2 and set(asked.values_list("withdrawn_reason", flat=True)) == {
        "终止申请已被驳回。"
    }


def test_a_false_alarm_is_cancelled_with_its_reason(now, hexie_lobby, hexie_manager):
    incident = ReportFactory()
    with pytest.raises(InvalidInput):
        services.cancel_incident(actor=hexie_manager, incident=incident, reason="误")
    services.cancel_incident(actor=hexie_manager, incident=incident, reason="客户自行起身，未受伤")
    incident.refresh_from_db()
    assert incident.status == S.CANCELLED and incident.closed_at == incident.reported_at
    assert "客户自行起身，未受伤" in incident.timeline.get(event=TimelineEvent.STATUS).text
    assert AuditEntry.objects.get(action="incident.cancel").data == {"reason": "客户自行起身，未受伤"}


# --- the watch period -------------------------------------------------------------------------------


def test_the_same_thing_at_the_same_outlet_within_72_hours_reopens_the_case(
    now, hexie_lobby, hexie_manager, hexie_president
):
    terminated = incident_in(S.TERMINATED)
    now.advance(hours=71)
    again = ReportFactory(description="同一位置又有客户滑倒")
    assert again.pk == terminated.pk and again.number == terminated.number
    again.refresh_from_db()
    assert again.status == S.RESPONDING and again.watch_until is None
    assert FollowUp.objects.get(incident=again).text == "同一位置又有客户滑倒"
    assert again.timeline.filter(event=TimelineEvent.REOPENED).count() == 1
    reopened = Notice.objects.filter(
        subject_id=again.pk, created_at=again.terminated_at + timedelta(hours=71)
    )
    assert {n.recipient for n in reopened} == {hexie_manager, hexie_president, person("hexie_admin")}
    assert Incident.objects.count() == 1


def test_a_retried_report_that_reopened_the_case_reopens_it_once(now, hexie_lobby):
    terminated = incident_in(S.TERMINATED)
    now.advance(hours=1)
    first = ReportFactory(description="又有客户滑倒", idempotency_key="phone-retry")
    after = footprint()
    again = ReportFactory(description="又有客户滑倒", idempotency_key="phone-retry")
    assert first.pk == again.pk == terminated.pk
    assert footprint() == after


def test_after_72_hours_the_same_thing_is_a_new_incident(now, hexie_lobby):
    terminated = incident_in(S.TERMINATED)
    now.advance(hours=72, seconds=1)
    new = ReportFactory(description="同一位置又有客户滑倒")
    assert new.pk != terminated.pk and new.number != terminated.number and new.status == S.REPORTED
    terminated.refresh_from_db()
    assert terminated.status == S.TERMINATED


@pytest.mark.parametrize(
    "report",
    [
        lambda: {"kind": kind("queue_machine_failure"), "description": "叫号机故障"},
        lambda: {"reporter": person("plaza_manager"), "unit": unit("JN0102")},
    ],
    ids=["another kind", "another outlet"],
)
def test_something_else_during_the_watch_is_a_new_incident(now, hexie_lobby, report):
    terminated = incident_in(S.TERMINATED)
    now.advance(hours=2)
    new = ReportFactory(**report())
    assert new.pk != terminated.pk and new.status == S.REPORTED


def test_a_worse_report_during_the_watch_raises_the_level(now, hexie_lobby):
    terminated = incident_in(S.TERMINATED)
    now.advance(hours=3)
    ReportFactory(description="上次受伤的客户不治身亡", facts={"deaths": 1})
    terminated.refresh_from_db()
    assert terminated.level == Level.II


# --- two people at once (PostgreSQL) ----------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need real concurrent connections"
)


def at_once(incident: Incident, actions: list[Callable[[], object]], *, in_order: bool) -> list[str]:
    """Each action in its own thread and connection, all at the same moment. With `in_order`, the
    incident's row is held until every thread waits for it, in the order given."""
    outcomes: list[str] = [""] * len(actions)
    start = threading.Barrier(len(actions)) if not in_order else None

    def act(index: int, action: Callable[[], object]) -> None:
        try:
            if start:
                start.wait()
            action()
            outcomes[index] = "won"
        except InvalidTransition:
            outcomes[index] = "refused"
        except Exception as exc:  # anything else fails the test that asked
            outcomes[index] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(i, a)) for i, a in enumerate(actions)]
    if not in_order:
        for thread in threads:
            thread.start()
    else:
        with transaction.atomic():
            Incident.objects.select_for_update().get(pk=incident.pk)
            for waiting, thread in enumerate(threads, start=1):
                thread.start()
                wait_until_blocked(waiting)
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def decide(incident: Incident, *, approve: bool) -> Callable[[], object]:
    """The last approver's decision (韩应急, once the 组长 has approved): the one that moves the case."""
    return lambda: services.decide_termination(
        actor=person("hexie_admin"),
        incident=Incident.objects.get(pk=incident.pk),
        approve=approve,
        note="" if approve else "家属仍在网点",
    )


def wait_until_blocked(count: int) -> None:
    with connection.cursor() as cursor:
        for _ in range(300):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is a snapshot per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError("the thread never reached the lock")


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("approve", [True, False], ids=["two approvals", "two rejections"])
def test_two_decisions_at_once_one_wins(demo, library, approve):
    incident = incident_in(S.TERMINATION_REQUESTED)
    services.decide_termination(actor=person("hexie_president"), incident=incident, approve=True)
    decisions = AuditEntry.objects.filter(
        action__in=["incident.approve_termination", "incident.reject_termination"]
    )
    decided_before = decisions.count()
    assert sorted(at_once(incident, [decide(incident, approve=approve)] * 2, in_order=False)) == [
        "refused",
        "won",
    ]
    incident.refresh_from_db()
    assert incident.status == (S.TERMINATED if approve else S.RESPONDING)
    assert decisions.count() == decided_before + 1
    assert TerminationRequest.objects.get(incident=incident).approved is approve


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_approval_waiting_behind_a_rejection_is_refused(demo, library):
    incident = incident_in(S.TERMINATION_REQUESTED)
    services.decide_termination(actor=person("hexie_president"), incident=incident, approve=True)
    assert at_once(
        incident, [decide(incident, approve=False), decide(incident, approve=True)], in_order=True
    ) == ["won", "refused"]
    incident.refresh_from_db()
    assert incident.status == S.RESPONDING


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rejection_waiting_behind_an_approval_is_refused(demo, library):
    incident = incident_in(S.TERMINATION_REQUESTED)
    services.decide_termination(actor=person("hexie_president"), incident=incident, approve=True)
    assert at_once(
        incident, [decide(incident, approve=True), decide(incident, approve=False)], in_order=True
    ) == ["won", "refused"]
    incident.refresh_from_db()
    assert incident.status == S.TERMINATED


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_reports_of_the_recurrence_at_once_are_both_recorded(demo, library):
    incident = incident_in(S.TERMINATED)
    lobby, guard = person("hexie_lobby"), person("hexie_guard")
    outcomes = at_once(
        incident,
        [
            lambda: ReportFactory(reporter=lobby, description="又有客户在门口滑倒"),
            lambda: ReportFactory(reporter=guard, unit=lobby.unit, description="门口又有人摔倒了"),
        ],
        in_order=True,
    )
    assert outcomes == ["won", "won"]  # nobody on the floor is told their report failed
    incident.refresh_from_db()
    assert incident.status == S.RESPONDING
    texts = set(FollowUp.objects.filter(incident__unit=incident.unit).values_list("text", flat=True)) | set(
        Incident.objects.exclude(pk=incident.pk).values_list("description", flat=True)
    )
    assert texts == {"又有客户在门口滑倒", "门口又有人摔倒了"}
