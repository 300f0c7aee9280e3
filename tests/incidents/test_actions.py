"""The actions of the incident room, through the pages: a person posts a form, the one service acts, and
they are back in the room with what happened. A refused action changes nothing at all."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from yingji.core import clock
from yingji.core.testing import footprint
from yingji.incidents import metrics, selectors, services
from yingji.incidents.models import (
    Incident,
    IncidentLink,
    Investigation,
    Member,
    MemberRole,
    Status,
    Task,
    TaskStatus,
    TimelineEntry,
    WorkingGroup,
)
from yingji.incidents.selectors import task_board
from yingji.plans.models import EventKind, PlanVersion, VersionStatus

from .factories import person

PLAN = "outlet-service-customer-injured"


def report(reporter, *, minutes_ago: int = 5, description: str = "一位老年客户在大厅湿滑处摔倒") -> Incident:
    return services.report_incident(
        reporter=reporter,
        kind=EventKind.objects.get(code="customer_injured"),
        unit=reporter.unit,
        occurred_at=clock.now() - timedelta(minutes=minutes_ago),
        description=description,
    )


def approved(code: str = PLAN) -> PlanVersion:
    return PlanVersion.objects.get(plan__code=code, status=VersionStatus.APPROVED)


def url(incident: Incident, name: str, **kwargs) -> str:
    return reverse(f"incidents:{name}", kwargs={"number": incident.number, **kwargs})


def said(response) -> str:
    """The message this response left (earlier ones wait in the session until a page shows them)."""
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    return messages[-1] if messages else ""


def back_in_the_room(response, incident: Incident) -> bool:
    return response.status_code == 302 and response.url.startswith(incident.get_absolute_url())


def activate(client, manager, incident: Incident, **extra):
    client.force_login(manager.user)
    return client.post(
        url(incident, "activate"), {"version": approved().pk, "leader": manager.pk, **extra}, follow=False
    )


@pytest.fixture
def incident(library, hexie_lobby) -> Incident:
    return report(hexie_lobby)


@pytest.fixture
def activated(client, incident, hexie_manager) -> Incident:
    assert back_in_the_room(activate(client, hexie_manager, incident), incident)
    incident.refresh_from_db()
    return incident


@pytest.fixture
def responding(client, activated, hexie_lobby) -> Incident:
    task = activated.tasks.filter(position__code="lobby_manager").order_by("order").first()
    client.force_login(hexie_lobby.user)
    client.post(url(activated, "task_action", task_id=task.pk, action="claim"))
    activated.refresh_from_db()
    assert activated.status == Status.RESPONDING
    return activated


def _terminated(client, incident, manager) -> Incident:
    """郑和谐 leads the group, so 刘和谐 (支行行长) proposes; 郑和谐 (组长) and 韩应急 (和谐支行应急管理员,
    the unit above) approve. Back as 郑和谐."""
    client.force_login(person("hexie_president").user)
    client.post(url(incident, "request_termination"), {"summary": "客户已送医，营业秩序恢复正常"})
    for approver in (manager, person("hexie_admin")):
        client.force_login(approver.user)
        client.post(url(incident, "decide_termination"), {"decision": "approve"})
    incident.refresh_from_db()
    assert incident.status == Status.TERMINATED
    client.force_login(manager.user)
    return incident


# --- Activation -----------------------------------------------------------------------------------


def test_the_outlet_head_activates_the_plan_and_each_step_goes_to_its_position(
    client, incident, hexie_manager, hexie_president
):
    response = activate(
        client,
        hexie_manager,
        incident,
        deputies=[hexie_president.pk],
        groups="现场处置组、后勤保障组\n现场处置组",
    )

    assert back_in_the_room(response, incident)
    assert said(response) == "预案已启动：任务已发布到任务看板。"
    incident.refresh_from_db()
    assert incident.status == Status.ACTIVATED and incident.plan_version == approved()
    steps = Task.objects.filter(incident=incident, kind="plan_step")
    assert steps.count() == approved().steps.count()
    for task in steps.filter(position__code="lobby_manager"):
        assert [p.name for p in task.candidates.all()] == ["王大堂"]
    assert [p.name for t in steps.filter(position__code="guard") for p in t.candidates.all()] == ["施保安"]
    assert {(m.person.name, m.role) for m in Member.objects.filter(incident=incident)} == {
        ("郑和谐", MemberRole.LEADER),
        ("刘和谐", MemberRole.DEPUTY),
    }
    assert list(WorkingGroup.objects.filter(incident=incident).values_list("name", flat=True)) == [
        "现场处置组",
        "后勤保障组",
    ]


def test_the_activation_form_offers_the_plans_for_the_kind_first_and_the_viewer_as_leader(
    client, incident, hexie_manager
):
    client.force_login(hexie_manager.user)
    html = client.get(url(incident, "activate"), headers={"HX-Request": "true"}).content.decode()

    other_plan = PlanVersion.objects.filter(status=VersionStatus.APPROVED).exclude(pk=approved().pk).first()
    assert html.index(approved().title) < html.index(other_plan.title)
    assert f'value="{hexie_manager.pk}" id="leader-{hexie_manager.pk}" checked>' in html
    assert "<html" not in html  # a fragment for htmx; without it, the same form inside a page
    page = client.get(url(incident, "activate")).content.decode()
    assert "<html" in page and approved().title in page


def test_a_lobby_manager_cannot_activate_and_nothing_changes(client, incident, hexie_lobby):
    before = footprint()

    response = activate(client, hexie_lobby, incident)

    assert response.status_code == 403
    assert client.get(url(incident, "activate")).status_code == 403
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED and incident.plan_version is None
    assert footprint() == before


def test_activating_twice_is_refused_with_the_services_message(client, activated, hexie_manager):
    before = footprint()

    response = activate(client, hexie_manager, activated)

    assert back_in_the_room(response, activated)
    assert said(response) != "预案已启动：任务已发布到任务看板。"
    assert footprint() == before


def test_someone_outside_the_outlet_gets_404(client, incident, plaza_manager):
    before = footprint()
    client.force_login(plaza_manager.user)

    assert client.post(url(incident, "comment"), {"text": "看看"}).status_code == 404
    assert client.post(url(incident, "activate"), {"version": approved().pk}).status_code == 404
    assert footprint() == before


# --- Tasks ----------------------------------------------------------------------------------------


def test_the_lobby_manager_claims_a_task_and_completes_it_with_a_note(client, activated, hexie_lobby):
    task = activated.tasks.filter(position__code="lobby_manager").order_by("order").first()
    client.force_login(hexie_lobby.user)

    claimed = client.post(url(activated, "task_action", task_id=task.pk, action="claim"))
    done = client.post(
        url(activated, "task_action", task_id=task.pk, action="done"), {"note": "已安抚客户，现场已拍照留存"}
    )

    assert back_in_the_room(claimed, activated) and done.url.endswith(f"#task-{task.pk}")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.owner == hexie_lobby
    assert task.note == "已安抚客户，现场已拍照留存" and task.done_at == task.done_at
    activated.refresh_from_db()
    assert activated.status == Status.RESPONDING


def test_a_task_done_earlier_keeps_the_time_given(client, activated, hexie_lobby):
    task = activated.tasks.filter(position__code="lobby_manager").order_by("order").first()
    client.force_login(hexie_lobby.user)
    with clock.frozen(clock.now()):
        earlier = clock.now().astimezone(clock.SHANGHAI).replace(second=0, microsecond=0) - timedelta(
            minutes=3
        )
        client.post(
            url(activated, "task_action", task_id=task.pk, action="done"),
            {"note": "", "done_at": earlier.strftime("%Y-%m-%dT%H:%M")},
        )
    task.refresh_from_db()
    assert task.done_at == earlier


def test_not_applicable_without_a_reason_is_refused_and_changes_nothing(client, activated, hexie_lobby):
    task = activated.tasks.filter(branch="重伤").get()
    client.force_login(hexie_lobby.user)
    before = footprint()

    response = client.post(
        url(activated, "task_action", task_id=task.pk, action="not-applicable"), {"reason": " "}
    )

    assert back_in_the_room(response, activated)
    assert said(response) == "请说明该步骤不适用的原因。"
    assert footprint() == before
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.note == ""


def test_the_branch_that_does_not_apply_is_marked_with_its_reason(client, activated, hexie_lobby):
    task = activated.tasks.filter(branch="重伤").get()
    client.force_login(hexie_lobby.user)

    client.post(
        url(activated, "task_action", task_id=task.pk, action="not-applicable"), {"reason": "客户仅擦伤"}
    )

    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_APPLICABLE and task.note == "客户仅擦伤"


def test_an_unknown_task_action_or_another_incidents_task_is_not_found(client, activated, hexie_lobby):
    other = report(hexie_lobby, description="另一位客户在门口滑倒")
    task = activated.tasks.first()
    client.force_login(hexie_lobby.user)

    assert client.post(url(activated, "task_action", task_id=task.pk, action="steal")).status_code == 404
    assert client.post(url(other, "task_action", task_id=task.pk, action="claim")).status_code == 404


def test_actions_are_post_only(client, activated, hexie_manager):
    client.force_login(hexie_manager.user)
    assert client.get(url(activated, "comment")).status_code == 405
    assert client.get(url(activated, "investigation")).status_code == 405


# --- Reports, comments, level, links ---------------------------------------------------------------


def test_a_follow_up_report_adds_content_and_facts_that_raise_the_level(client, incident, hexie_lobby):
    client.force_login(hexie_lobby.user)

    response = client.post(
        url(incident, "follow_up"),
        {
            "text": "又有两位客户受伤，已拨打120",
            "injured": "3",
            "amount_yuan": "1200.50",
            "trend": "家属正在赶来",
        },
    )

    assert back_in_the_room(response, incident)
    incident.refresh_from_db()
    follow_up = incident.follow_ups.get()
    assert follow_up.text == "又有两位客户受伤，已拨打120" and follow_up.trend == "家属正在赶来"
    assert incident.trend == "家属正在赶来" and incident.facts["injured"] == 3


def test_an_empty_follow_up_is_refused(client, incident, hexie_lobby):
    client.force_login(hexie_lobby.user)
    before = footprint()

    response = client.post(url(incident, "follow_up"), {"text": "", "injured": "-1"})

    assert back_in_the_room(response, incident) and said(response)
    assert footprint() == before


def test_a_comment_goes_on_the_timeline(client, incident, hexie_lobby):
    client.force_login(hexie_lobby.user)
    client.post(url(incident, "comment"), {"text": "客户家属已到场"})
    assert TimelineEntry.objects.filter(incident=incident, event="comment", text="客户家属已到场").exists()


def test_the_level_goes_up_with_a_reason_and_not_without(client, incident, hexie_manager, hexie_lobby):
    client.force_login(hexie_manager.user)
    before = footprint()

    refused = client.post(url(incident, "level"), {"level": "II", "reason": ""})
    assert said(refused) and footprint() == before

    client.post(url(incident, "level"), {"level": "II", "reason": "客户为人大代表，已有媒体到场"})
    incident.refresh_from_db()
    assert incident.level == "II"

    client.force_login(hexie_lobby.user)
    assert client.post(url(incident, "level"), {"level": "I", "reason": "更严重"}).status_code == 403


def test_two_reports_of_one_event_are_linked_by_number(client, incident, hexie_lobby):
    other = report(hexie_lobby, description="同一位客户，保安也报告了")
    client.force_login(hexie_lobby.user)

    client.post(url(incident, "link"), {"number": other.number.lower(), "mode": "link", "note": "同一事件"})

    assert IncidentLink.objects.filter(incident=incident, other=other).exists()
    assert IncidentLink.objects.filter(incident=other, other=incident).exists()


def test_a_number_nobody_can_see_is_a_message_and_changes_nothing(client, incident, hexie_lobby):
    client.force_login(hexie_lobby.user)
    before = footprint()

    response = client.post(url(incident, "link"), {"number": "YJ-1999-000001", "mode": "link"})

    assert back_in_the_room(response, incident)
    assert "YJ-1999-000001" in said(response)
    assert footprint() == before


def test_a_duplicate_report_is_merged_into_the_other(client, incident, hexie_lobby, hexie_manager):
    duplicate = report(hexie_lobby, description="重复报告")
    client.force_login(hexie_manager.user)

    client.post(url(duplicate, "link"), {"number": incident.number, "mode": "merge", "note": "重复"})

    duplicate.refresh_from_db()
    assert duplicate.status == Status.CANCELLED and duplicate.merged_into == incident


# --- Termination, cancellation --------------------------------------------------------------------


def test_the_group_leader_cannot_propose_and_approve_his_own_termination(client, responding, hexie_manager):
    """The issue's story: the outlet head led the group, proposed termination and approved it himself."""
    client.force_login(hexie_manager.user)
    before = footprint()

    response = client.post(
        url(responding, "request_termination"), {"summary": "客户已送医，营业秩序恢复正常"}
    )

    assert "组长" in said(response) and footprint() == before
    responding.refresh_from_db()
    assert responding.status == Status.RESPONDING


def test_termination_is_approved_by_each_approver_the_plan_names(client, responding, hexie_manager):
    client.force_login(person("hexie_president").user)
    client.post(url(responding, "request_termination"), {"summary": "客户已送医，营业秩序恢复正常"})
    client.force_login(hexie_manager.user)
    client.post(url(responding, "decide_termination"), {"decision": "approve"})

    responding.refresh_from_db()
    assert responding.status == Status.TERMINATION_REQUESTED
    page = client.get(responding.get_absolute_url()).content.decode()
    assert "和谐支行应急管理员" in page and "韩应急" in page and "郑和谐" in page

    client.force_login(person("hexie_admin").user)
    assert 'value="approve"' in client.get(responding.get_absolute_url()).content.decode()
    client.post(url(responding, "decide_termination"), {"decision": "approve"})
    responding.refresh_from_db()
    assert responding.status == Status.TERMINATED and responding.terminated_at is not None


def test_a_rejected_termination_goes_back_to_responding(client, responding, hexie_manager):
    client.force_login(person("hexie_president").user)
    client.post(url(responding, "request_termination"), {"summary": "客户已送医"})
    client.force_login(hexie_manager.user)
    before = footprint()

    without_note = client.post(url(responding, "decide_termination"), {"decision": "reject", "note": ""})
    assert said(without_note) and footprint() == before

    client.post(url(responding, "decide_termination"), {"decision": "reject", "note": "客户家属仍在网点"})
    responding.refresh_from_db()
    assert responding.status == Status.RESPONDING
    assert responding.termination_requests.get().approved is False


def test_neither_an_outsider_nor_the_proposer_decides_on_termination(client, responding, hexie_lobby):
    president = person("hexie_president")
    client.force_login(president.user)
    client.post(url(responding, "request_termination"), {"summary": "客户已送医"})
    before = footprint()

    for someone in (hexie_lobby, president):
        client.force_login(someone.user)
        assert client.post(url(responding, "decide_termination"), {"decision": "approve"}).status_code == 403
    assert footprint() == before


def test_a_false_alarm_is_cancelled_with_its_reason(client, incident, hexie_manager):
    client.force_login(hexie_manager.user)
    before = footprint()

    refused = client.post(url(incident, "cancel"), {"reason": ""})
    assert said(refused) and footprint() == before

    client.post(url(incident, "cancel"), {"reason": "误报：客户未受伤，自行离开"})
    incident.refresh_from_db()
    assert incident.status == Status.CANCELLED
    assert TimelineEntry.objects.filter(incident=incident, text__contains="误报：客户未受伤").exists()


# --- Investigation --------------------------------------------------------------------------------


FINDINGS = {
    "action": "save",
    "cause": "雨天地面湿滑，清洁后未放置警示牌",
    "warnings_in_time": "no",
    "warnings_note": "保洁未报告地面湿滑",
    "responsibility": "王大堂：未及时巡查大厅\n施保安: 未放置警示牌\n",
    "consequences": "客户膝盖擦伤，已赔付医药费",
    "preventive_measures": "雨天在门口铺设防滑垫并放置警示牌",
}


def test_the_investigation_is_opened_written_and_closed(client, responding, hexie_manager, now):
    incident = _terminated(client, responding, hexie_manager)
    now.advance(hours=72, seconds=1)  # the watch (本行设定) is over

    client.post(url(incident, "investigation"), {"action": "start"})
    client.post(url(incident, "investigation"), FINDINGS)
    closed = client.post(url(incident, "investigation"), {"action": "close"})

    assert closed.url.endswith("#yj-investigation")
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    findings = Investigation.objects.get(incident=incident)
    assert findings.warnings_in_time is False and findings.cause == FINDINGS["cause"]
    assert findings.responsibility == [
        {"name": "王大堂", "responsibility": "未及时巡查大厅"},
        {"name": "施保安", "responsibility": "未放置警示牌"},
    ]
    assert findings.closed_at is not None


def test_closing_without_the_cause_is_refused(client, responding, hexie_manager, now):
    incident = _terminated(client, responding, hexie_manager)
    now.advance(hours=72, seconds=1)
    client.post(url(incident, "investigation"), {"action": "start"})
    before = footprint()

    response = client.post(url(incident, "investigation"), {"action": "close"})

    assert said(response)
    incident.refresh_from_db()
    assert incident.status == Status.INVESTIGATING and footprint() == before


def test_a_responsibility_line_without_a_colon_is_refused(client, responding, hexie_manager):
    incident = _terminated(client, responding, hexie_manager)
    client.post(url(incident, "investigation"), {"action": "start"})
    before = footprint()

    response = client.post(url(incident, "investigation"), {**FINDINGS, "responsibility": "王大堂"})

    assert "1" in said(response)
    assert footprint() == before


def test_after_closing_the_findings_cannot_be_rewritten(client, responding, hexie_manager, now):
    incident = _terminated(client, responding, hexie_manager)
    now.advance(hours=72, seconds=1)
    for data in ({"action": "start"}, FINDINGS, {"action": "close"}):
        client.post(url(incident, "investigation"), data)
    before = footprint()
    findings = Investigation.objects.values().get(incident=incident)

    response = client.post(url(incident, "investigation"), {**FINDINGS, "cause": "改写的原因"})

    assert back_in_the_room(response, incident) and said(response)
    assert footprint() == before
    assert Investigation.objects.values().get(incident=incident) == findings


def test_the_lobby_manager_cannot_open_the_investigation(client, responding, hexie_manager, hexie_lobby):
    incident = _terminated(client, responding, hexie_manager)
    client.force_login(hexie_lobby.user)
    before = footprint()

    assert client.post(url(incident, "investigation"), {"action": "start"}).status_code == 403
    assert footprint() == before


# --- What the partials show -----------------------------------------------------------------------


def _render(template: str, viewer, **context) -> str:
    request = RequestFactory().get("/")
    request.user = viewer.user
    return render_to_string(f"incidents/{template}", {"person": viewer, **context}, request=request)


def test_the_task_board_marks_an_overdue_task_and_offers_the_actions(activated, hexie_lobby):
    room = selectors.room(activated)
    later = clock.now() + timedelta(minutes=30)

    html = _render(
        "_tasks.html",
        hexie_lobby,
        incident=activated,
        can_decide=False,
        tasks=room["tasks"],
        groups=room["groups"],
        board=task_board(room["tasks"], room["groups"], later),
    )

    assert html.count("逾期") >= 1
    assert "王大堂" in html and "施保安" in html and "重伤" in html
    assert html.count('name="csrfmiddlewaretoken"') >= 3


def test_the_investigation_part_shows_the_times_and_late_report(client, library, hexie_lobby, hexie_manager):
    incident = report(hexie_lobby, minutes_ago=120)
    activate(client, hexie_manager, incident)
    task = incident.tasks.filter(position__code="lobby_manager").order_by("order").first()
    client.force_login(hexie_lobby.user)
    client.post(url(incident, "task_action", task_id=task.pk, action="done"), {"note": "已处理"})
    incident = _terminated(client, incident, hexie_manager)

    html = _render(
        "_investigation.html",
        hexie_manager,
        incident=selectors.incident_for(viewer=hexie_manager.user, number=incident.number),
        can_decide=True,
        metrics=metrics.compute(incident),
    )

    assert "缓报" in html
    assert 'value="start"' in html and url(incident, "special_report_docx") in html
    assert task.title in html
