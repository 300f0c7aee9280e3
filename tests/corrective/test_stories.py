"""The corrective register as people use it: one user doing one thing, and what they see."""

from datetime import timedelta

import pytest

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.corrective import services
from yingji.corrective.models import CorrectiveAction, Finding, Status
from yingji.corrective.notices import SUBJECT_TYPE
from yingji.deadlines.models import Deadline
from yingji.deadlines.services import fire_due_checkpoints
from yingji.notify.models import Notice

pytestmark = pytest.mark.django_db


def clock_of(action: CorrectiveAction) -> Deadline:
    return Deadline.objects.get(subject_type=SUBJECT_TYPE, subject_id=action.pk, name="done")


def notices_about(action: CorrectiveAction):
    return Notice.objects.filter(subject_type=SUBJECT_TYPE, subject_id=action.pk)


def test_an_outlet_head_records_a_finding_from_an_investigation_and_opens_an_action(
    finding, hexie_manager, hexie_lobby, now, settings
):
    settings.YINGJI_CORRECTIVE_DAYS_RECTIFICATION = 30
    found = finding()
    action = services.open_action(
        actor=hexie_manager, findings=[found], owner=hexie_lobby, text="雨天铺设防滑垫并放置警示牌。"
    )
    assert action.status == Status.OPEN and action.unit == found.unit
    # 整改项 by default: the bank's 30 days, to 24:00 of the last day.
    last_day = clock.local_today() + timedelta(days=30)
    assert action.due_at.astimezone(clock.SHANGHAI).date() == last_day + timedelta(days=1)
    assert action.due_rule == "整改项：30天（本行设定）"
    assert clock_of(action).is_running and clock_of(action).due_at == action.due_at
    assert {n.recipient for n in notices_about(action)} == {hexie_lobby}
    codes = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"corrective.record_finding", "corrective.open_action"} <= codes


def test_a_deficiency_is_due_before_the_units_next_drill(finding, hexie_manager, hexie_lobby, now):
    found = finding(grade="deficiency")
    drill = clock.now() + timedelta(days=40)
    action = services.open_action(
        actor=hexie_manager, findings=[found], owner=hexie_lobby, text="组织专项培训。", next_drill_at=drill
    )
    assert action.due_at == drill and action.due_rule == "不足项：本单位下次演练前"


def test_the_owner_completes_it_and_a_later_drills_p_verifies_it(finding, hexie_manager, hexie_lobby, now):
    action = services.open_action(
        actor=hexie_manager, findings=[finding()], owner=hexie_lobby, text="铺防滑垫。"
    )
    services.start(actor=hexie_lobby, action=action)
    services.complete(actor=hexie_lobby, action=action, evidence="已采购防滑垫，照片见 http://oa/123")
    assert clock_of(action).met_at is not None
    services.verify(actor=hexie_manager, action=action, by_source="演练 2026Q4 场景一", rating="P")
    action.refresh_from_db()
    assert action.status == Status.VERIFIED
    assert action.verified_by == hexie_manager and action.verified_by_source == "演练 2026Q4 场景一 P"


def test_an_m_in_a_later_drill_opens_it_again_with_a_new_deadline(finding, hexie_manager, hexie_lobby, now):
    action = services.open_action(
        actor=hexie_manager, findings=[finding()], owner=hexie_lobby, text="铺防滑垫。"
    )
    services.start(actor=hexie_lobby, action=action)
    services.complete(actor=hexie_lobby, action=action, evidence="已铺设")
    now.advance(days=60)
    services.verify(actor=hexie_manager, action=action, by_source="演练 2027Q1 场景二", rating="M")
    action.refresh_from_db()
    assert action.status == Status.OPEN and action.done_at is None and action.verified_at is None
    assert action.due_at > clock.now() and clock_of(action).is_running
    assert action.events.last().text == "验证未通过：演练 2027Q1 场景二 评为 M，重新整改。"


def test_the_owner_cannot_verify_their_own_action_and_nothing_changes(
    finding, hexie_manager, hexie_lobby, now
):
    action = services.open_action(
        actor=hexie_manager, findings=[finding()], owner=hexie_lobby, text="铺防滑垫。"
    )
    services.start(actor=hexie_lobby, action=action)
    services.complete(actor=hexie_lobby, action=action, evidence="已铺设")
    before = footprint()
    with pytest.raises(NotAllowed):
        services.verify(actor=hexie_lobby, action=action, by_source="演练", rating="P")
    assert footprint() == before
    assert CorrectiveAction.objects.get(pk=action.pk).status == Status.DONE


def test_a_move_the_table_does_not_list_is_refused_and_changes_nothing(
    finding, hexie_manager, hexie_lobby, now
):
    action = services.open_action(
        actor=hexie_manager, findings=[finding()], owner=hexie_lobby, text="铺防滑垫。"
    )
    before = footprint()
    with pytest.raises(InvalidTransition):
        services.complete(actor=hexie_lobby, action=action, evidence="已铺设")
    assert footprint() == before


def test_a_lobby_manager_may_not_record_a_finding_and_nothing_is_left(finding, hexie_lobby):
    before = footprint()
    with pytest.raises(NotAllowed):
        finding(actor=hexie_lobby)
    assert footprint() == before


def test_a_refused_action_leaves_no_finding_behind(unit, hexie_manager, now):
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.record_with_action(
            actor=hexie_manager,
            finding={
                "unit": unit("JN0101"),
                "source_type": "inspection",
                "source_label": "11月安全检查",
                "category": "facilities",
                "grade": "rectification",
                "text": "灭火器过期。",
            },
            action={
                "owner": hexie_manager,
                "text": "更换灭火器。",
                "due_at": clock.now() - timedelta(days=1),
            },
        )
    assert "due_at" in refused.value.fields
    assert footprint() == before


def test_cancelling_stops_its_clock(finding, hexie_manager, hexie_lobby, now):
    action = services.open_action(
        actor=hexie_manager, findings=[finding()], owner=hexie_lobby, text="铺防滑垫。"
    )
    services.cancel(actor=hexie_manager, action=action, reason="与另一措施重复")
    assert CorrectiveAction.objects.get(pk=action.pk).status == Status.CANCELLED
    assert clock_of(action).cancelled_at is not None


def test_an_overdue_action_is_escalated_to_the_unit_above_a_day_after_its_deadline(
    finding, hexie_manager, hexie_lobby, hexie_president, now
):
    action = services.open_action(
        actor=hexie_manager,
        findings=[finding()],
        owner=hexie_lobby,
        text="铺防滑垫。",
        due_at=clock.now() + timedelta(days=10),
    )
    deadline = clock_of(action)
    now.advance(days=10, seconds=30)
    assert fire_due_checkpoints(deadline.pk) == ["due"]
    told = {n.recipient for n in notices_about(action).exclude(title__startswith="您有一项")}
    assert {hexie_lobby, hexie_manager} <= told and hexie_president not in told
    now.advance(days=1)
    assert fire_due_checkpoints(deadline.pk) == ["up"]
    assert hexie_president in {n.recipient for n in notices_about(action)}
    assert action.events.last().text == "逾期一天仍未办结：已上报 刘和谐。"
    assert fire_due_checkpoints(deadline.pk) == []


def test_a_sibling_unit_cannot_see_the_finding_or_the_action(
    client, finding, hexie_manager, hexie_lobby, other_manager
):
    found = finding()
    action = services.open_action(actor=hexie_manager, findings=[found], owner=hexie_lobby, text="铺防滑垫。")
    client.force_login(other_manager.user)
    assert client.get(found.get_absolute_url()).status_code == 404
    assert client.get(action.get_absolute_url()).status_code == 404
    assert "铺防滑垫" not in client.get("/corrective/").content.decode()
    with pytest.raises(NotVisible):
        services.start(actor=other_manager, action=action)


def test_the_same_problem_at_two_outlets_is_counted_for_the_sub_branch_above(
    client, finding, unit, hexie_manager, plaza_manager, hexie_president
):
    first = finding(category="skills", recurrence_key="灭火器使用", text="柜员不会使用灭火器。")
    second = finding(
        actor=plaza_manager,
        unit=unit("JN0102"),
        source_type="drill",
        source_label="2026年三季度消防演练",
        category="skills",
        recurrence_key=" 灭火器 使用 ",
        text="保安使用灭火器操作不规范。",
    )
    assert first.recurrence_key == second.recurrence_key
    client.force_login(hexie_president.user)
    page = client.get(first.get_absolute_url()).content.decode()
    assert "同类问题出现 2 次" in page and second.get_absolute_url() in page
    # Each outlet head sees their own only: nothing of the other outlet leaks through the count.
    client.force_login(hexie_manager.user)
    assert "同类问题出现" not in client.get(first.get_absolute_url()).content.decode()


def test_the_register_lists_and_counts_what_the_viewer_sees(client, finding, hexie_manager, hexie_lobby, now):
    action = services.open_action(
        actor=hexie_manager,
        findings=[finding()],
        owner=hexie_lobby,
        text="铺防滑垫。",
        due_at=clock.now() + timedelta(days=1),
    )
    now.advance(days=2)
    client.force_login(hexie_lobby.user)  # the owner
    page = client.get("/corrective/", {"overdue": "on"}).content.decode()
    assert action.get_absolute_url() in page and "逾期 1" in page
    assert action.get_absolute_url() not in client.get("/corrective/", {"status": "done"}).content.decode()
    assert client.get("/corrective/", {"grade": "nonsense", "unit": "NOPE"}).status_code == 200


def test_an_outlet_head_records_a_finding_and_its_action_on_the_form(client, hexie_manager, hexie_lobby, now):
    client.force_login(hexie_manager.user)
    assert "本行设定" in client.get("/corrective/new/").content.decode()
    response = client.post(
        "/corrective/new/",
        {
            "unit": "JN0101",
            "source_type": "investigation",
            "source_label": "客户摔伤事件调查",
            "category": "facilities",
            "grade": "improvement",
            "text": "入口台阶无扶手。",
            "found_at": clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M"),
            "action_text": "加装扶手。",
            "owner": hexie_lobby.pk,
        },
    )
    found = Finding.objects.get(text="入口台阶无扶手。")
    assert response.status_code == 302 and response["Location"] == found.get_absolute_url()
    action = found.actions.get()
    assert action.owner == hexie_lobby and action.due_rule == "改进项：90天（本行设定）"


def test_the_owner_marks_it_done_on_its_page(client, finding, hexie_manager, hexie_lobby):
    action = services.open_action(
        actor=hexie_manager, findings=[finding()], owner=hexie_lobby, text="铺防滑垫。"
    )
    client.force_login(hexie_lobby.user)
    assert client.post(f"/corrective/actions/{action.pk}/start/").status_code == 302
    refused = client.post(f"/corrective/actions/{action.pk}/complete/", {"complete-evidence": " "})
    assert refused.status_code == 200 and "必填" in refused.content.decode()
    assert CorrectiveAction.objects.get(pk=action.pk).status == Status.IN_PROGRESS
    client.post(f"/corrective/actions/{action.pk}/complete/", {"complete-evidence": "已铺设"})
    assert CorrectiveAction.objects.get(pk=action.pk).status == Status.DONE
    # The owner sees no verify button on their own action.
    assert "以后续演练验证" not in client.get(action.get_absolute_url()).content.decode()


def test_the_api_answers_what_the_token_holder_sees(client, finding, hexie_manager, hexie_lobby, lobby_token):
    from yingji.core.testing import api

    action = services.open_action(
        actor=hexie_manager, findings=[finding()], owner=hexie_lobby, text="铺防滑垫。"
    )
    found = action.findings.get()
    listed = api(client, "get", "/api/v1/corrective/actions", lobby_token).json()
    assert [a["id"] for a in listed] == [action.pk] and listed[0]["status"] == "open"
    detail = api(client, "get", f"/api/v1/corrective/findings/{found.pk}", lobby_token).json()
    assert detail["actions"] == [action.pk] and detail["grade_display"] == "整改项"
    assert api(client, "get", "/api/v1/corrective/actions/99999999999", lobby_token).status_code == 404
