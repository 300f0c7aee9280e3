"""Incidents over the API: the report with its idempotency key, visibility across sibling branches, the
plan run through its tasks, refused transitions that change nothing, and notices with acknowledgement."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from yingji.core import clock
from yingji.core.testing import footprint, run_jobs
from yingji.incidents.jobs import ALARMS
from yingji.incidents.models import Incident, Status
from yingji.notify.models import Notice
from yingji.plans.models import PlanVersion, VersionStatus


def issue(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def tokens(library, hexie_lobby, hexie_manager, other_manager, hq_duty) -> dict[str, str]:
    return {name: issue(name) for name in ("hexie_lobby", "hexie_manager", "other_manager", "hq_duty")}


def call(client, method: str, path: str, token: str, body: dict | None = None, **headers):
    headers = {"Authorization": f"Bearer {token}", **headers}
    if method == "get":
        return client.get(path, headers=headers)
    return getattr(client, method)(path, body or {}, content_type="application/json", headers=headers)


def a_report(**changes) -> dict:
    return {
        "kind": "customer_injured",
        "unit": "JN0101",
        "occurred_at": (clock.now() - timedelta(minutes=10)).isoformat(),
        "description": "客户在大堂滑倒，额头出血",
        "facts": {"injured": 1},
        "location": "一楼大堂",
        **changes,
    }


def report(client, token: str, key: str | None = None, **changes):
    headers = {"Idempotency-Key": key} if key else {}
    return call(client, "post", "/api/v1/incidents", token, a_report(**changes), **headers)


def test_a_report_answers_201_with_number_level_and_reasons(client, tokens):
    answer = report(client, tokens["hexie_lobby"], facts={"injured": 3})
    assert answer.status_code == 201
    body = answer.json()
    assert re.fullmatch(r"YJ-\d{4}-\d{6}", body["number"])
    assert body["level"] == "II" and body["status"] == "reported"
    assert {r["source"] for r in body["level_reasons"]} == {"default", "injured-three-ii"}
    incident = Incident.objects.get(pk=body["id"])
    assert incident.unit.code == "JN0101" and incident.reporter.user.username == "hexie_lobby"
    assert incident.location == "一楼大堂"


def test_a_time_without_offset_is_shanghai_time(client, tokens):
    answer = report(client, tokens["hexie_lobby"], occurred_at="2026-03-02T09:30:00")
    incident = Incident.objects.get(pk=answer.json()["id"])
    assert incident.occurred_at.astimezone(clock.SHANGHAI).strftime("%H:%M %z") == "09:30 +0800"


def test_the_same_idempotency_key_twice_creates_one_incident(client, tokens):
    first = report(client, tokens["hexie_lobby"], key="report-0001")
    before = footprint()
    again = report(client, tokens["hexie_lobby"], key="report-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert footprint() == before


def test_an_idempotency_key_is_the_token_holders_own(client, tokens):
    """Another person sending the same key makes their own report and learns nothing of the first."""
    mine = report(client, tokens["hexie_lobby"], key="k-1").json()
    theirs = report(client, tokens["other_manager"], key="k-1", unit="JB0101").json()
    assert theirs["id"] != mine["id"]
    assert Incident.objects.filter(pk__in=[mine["id"], theirs["id"]]).count() == 2


def test_a_bad_fact_is_a_400_naming_the_fact_and_creates_nothing(client, tokens):
    before = footprint()
    answer = report(client, tokens["hexie_lobby"], facts={"injured": -2})
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid" and "facts.injured" in body["fields"]
    assert footprint() == before


def test_an_unknown_kind_is_a_400(client, tokens):
    answer = report(client, tokens["hexie_lobby"], kind="alien_landing")
    assert answer.status_code == 400
    assert answer.json()["fields"] == {"kind": "未知的事件类型。"}


def test_a_unit_outside_visibility_is_refused_like_one_that_does_not_exist(client, tokens):
    outside = report(client, tokens["hexie_lobby"], unit="JB0101")
    missing = report(client, tokens["hexie_lobby"], unit="NOPE99")
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json()
    assert set(outside.json()["fields"]) == {"unit"}


def test_a_missing_description_and_a_too_long_location_are_400s(client, tokens):
    body = a_report()
    del body["description"]
    answer = call(client, "post", "/api/v1/incidents", tokens["hexie_lobby"], body)
    assert answer.status_code == 400 and "description" in answer.json()["fields"]
    answer = report(client, tokens["hexie_lobby"], location="长" * 201)
    assert answer.status_code == 400 and "location" in answer.json()["fields"]


def test_another_branch_gets_404_and_does_not_see_it_in_the_list(client, tokens):
    number = report(client, tokens["hexie_lobby"]).json()
    path = f"/api/v1/incidents/{number['id']}"
    answer = call(client, "get", path, tokens["other_manager"])
    assert answer.status_code == 404
    assert answer.json() == {"error": "not_found", "message": "未找到。", "fields": {}}
    listed = call(client, "get", "/api/v1/incidents", tokens["other_manager"]).json()
    assert number["id"] not in [i["id"] for i in listed["items"]]
    comment = call(client, "post", f"{path}/comments", tokens["other_manager"], {"text": "看看"})
    assert comment.status_code == 404


def test_head_office_sees_it_in_the_list_and_opens_it(client, tokens):
    created = report(client, tokens["hexie_lobby"]).json()
    run_jobs(queue=ALARMS)  # the worker tells the chain
    listed = call(client, "get", "/api/v1/incidents?unit=JN01", tokens["hq_duty"]).json()
    assert created["id"] in [i["id"] for i in listed["items"]]
    detail = call(client, "get", f"/api/v1/incidents/{created['id']}", tokens["hq_duty"])
    assert detail.status_code == 200
    body = detail.json()
    assert body["number"] == created["number"] and body["unit"] == "JN0101"
    assert [e["event"] for e in body["timeline"]][:1] == ["reported"]
    told = {n["recipient"]: n for n in body["notices"]}
    assert "郑和谐" in told and told["郑和谐"]["ack_due_at"] and told["郑和谐"]["acknowledged_at"] is None


def test_the_list_filters_and_pages(client, tokens):
    low = report(client, tokens["hexie_lobby"]).json()
    high = report(client, tokens["hexie_lobby"], facts={"injured": 3}).json()
    token = tokens["hq_duty"]
    by_level = call(client, "get", "/api/v1/incidents?level=II", token).json()
    assert high["id"] in [i["id"] for i in by_level["items"]]
    assert low["id"] not in [i["id"] for i in by_level["items"]]
    page = call(client, "get", "/api/v1/incidents?limit=1", token).json()
    assert page["count"] >= 2 and len(page["items"]) == 1 and page["items"][0]["id"] == high["id"]
    elsewhere = call(client, "get", "/api/v1/incidents?unit=JB01", token).json()
    assert not {low["id"], high["id"]} & {i["id"] for i in elsewhere["items"]}
    assert call(client, "get", "/api/v1/incidents?limit=1000", token).status_code == 400
    assert call(client, "get", "/api/v1/incidents?status=nonsense", token).status_code == 400


def _plan_version(kind: str) -> PlanVersion:
    return PlanVersion.objects.filter(plan__kinds__code=kind, status=VersionStatus.APPROVED).first()


def _activate(client, tokens, incident_id: int):
    return call(
        client,
        "post",
        f"/api/v1/incidents/{incident_id}/activate",
        tokens["hexie_manager"],
        {
            "plan_version": _plan_version("customer_injured").pk,
            "leader": "hexie_manager",
            "members": ["hexie_lobby"],
            "groups": ["现场处置组"],
        },
    )


def test_activate_claim_and_done_through_the_api(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    answer = _activate(client, tokens, incident_id)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "activated" and body["plan_version"] == _plan_version("customer_injured").pk
    assert {(m["name"], m["role"]) for m in body["members"]} == {("郑和谐", "leader"), ("王大堂", "member")}
    assert body["groups"] == ["现场处置组"]
    task = next(t for t in body["tasks"] if t["kind"] == "plan_step")
    base = f"/api/v1/incidents/{incident_id}/tasks/{task['id']}"

    claimed = call(client, "post", f"{base}/claim", tokens["hexie_lobby"])
    assert claimed.status_code == 200
    assert claimed.json()["owner"] == "王大堂" and claimed.json()["status"] == "claimed"
    done = call(client, "post", f"{base}/done", tokens["hexie_lobby"], {"note": "已送医"})
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["note"] == "已送医" and done.json()["done_at"]
    assert Incident.objects.get(pk=incident_id).status == Status.RESPONDING

    again = call(client, "post", f"{base}/done", tokens["hexie_lobby"], {"note": "再次"})
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"


def test_a_task_of_another_incident_is_404(client, tokens):
    first = report(client, tokens["hexie_lobby"]).json()["id"]
    second = report(client, tokens["hexie_lobby"]).json()["id"]
    task = _activate(client, tokens, first).json()["tasks"][0]
    answer = call(
        client, "post", f"/api/v1/incidents/{second}/tasks/{task['id']}/claim", tokens["hexie_lobby"]
    )
    assert answer.status_code == 404


def test_an_unknown_or_unreachable_leader_is_refused_alike(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    version = _plan_version("customer_injured").pk
    answers = [
        call(
            client,
            "post",
            f"/api/v1/incidents/{incident_id}/activate",
            tokens["hexie_manager"],
            {"plan_version": version, "leader": leader},
        )
        for leader in ("ghost", "other_manager")
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json() and set(answers[0].json()["fields"]) == {"leader"}


def test_approving_termination_while_responding_is_409_and_changes_nothing(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    task = _activate(client, tokens, incident_id).json()["tasks"][0]
    call(client, "post", f"/api/v1/incidents/{incident_id}/tasks/{task['id']}/claim", tokens["hexie_lobby"])
    assert Incident.objects.get(pk=incident_id).status == Status.RESPONDING
    before = footprint()
    answer = call(
        client,
        "post",
        f"/api/v1/incidents/{incident_id}/termination-decision",
        tokens["hexie_manager"],
        {"approve": True},
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["error"] == "invalid_transition" and body["message"].startswith("无法从")
    assert footprint() == before
    assert Incident.objects.get(pk=incident_id).status == Status.RESPONDING


def test_termination_requested_then_approved(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    task = _activate(client, tokens, incident_id).json()["tasks"][0]
    path = f"/api/v1/incidents/{incident_id}"
    call(client, "post", f"{path}/tasks/{task['id']}/claim", tokens["hexie_lobby"])
    asked = call(
        client, "post", f"{path}/termination-requests", tokens["hexie_lobby"], {"summary": "客户已送医"}
    )
    assert asked.status_code == 201 and asked.json()["status"] == "termination_requested"
    proposer = call(client, "post", f"{path}/termination-decision", tokens["hexie_lobby"], {"approve": True})
    assert proposer.status_code == 403  # whoever proposed approves nothing
    decided = call(client, "post", f"{path}/termination-decision", tokens["hexie_manager"], {"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "termination_requested"
    state = call(client, "get", f"{path}/termination", tokens["hexie_manager"]).json()
    leader, above = state["approvals"]
    assert (leader["label"], leader["decided_by"], leader["approved"]) == ("组长", "郑和谐", True)
    assert (above["label"], above["may_approve"], above["decided_at"]) == (
        "和谐支行应急管理员",
        ["韩应急"],
        None,
    )
    decided = call(
        client,
        "post",
        f"{path}/termination-decision",
        issue("hexie_admin"),
        {"approve": True, "slot": above["id"]},
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "terminated" and decided.json()["watch_until"]


def test_no_termination_proposed_reads_as_null(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    answer = call(client, "get", f"/api/v1/incidents/{incident_id}/termination", tokens["hexie_lobby"])
    assert answer.status_code == 200 and answer.json() is None


def test_cancel_needs_a_reason_and_the_right_person(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    path = f"/api/v1/incidents/{incident_id}/cancel"
    assert (
        call(client, "post", path, tokens["hexie_lobby"], {"reason": "误报，客户未受伤"}).status_code == 403
    )
    assert call(client, "post", path, tokens["hexie_manager"], {"reason": ""}).status_code == 400
    answer = call(client, "post", path, tokens["hexie_manager"], {"reason": "误报，客户未受伤"})
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"


def test_follow_up_raises_the_level(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    answer = call(
        client,
        "post",
        f"/api/v1/incidents/{incident_id}/follow-ups",
        tokens["hexie_lobby"],
        {"text": "又有两名客户受伤", "facts": {"injured": 3}, "trend": "人群聚集"},
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["level"] == "II" and body["follow_ups"][0]["content"] == {"trend": "人群聚集"}


def test_merge_a_duplicate_into_another_report(client, tokens):
    kept = report(client, tokens["hexie_lobby"]).json()
    duplicate = report(client, tokens["hexie_lobby"]).json()
    answer = call(
        client,
        "post",
        f"/api/v1/incidents/{duplicate['id']}/merge",
        tokens["hexie_manager"],
        {"into": kept["number"], "reason": "同一事件两次上报"},
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "cancelled" and answer.json()["merged_into"] == kept["number"]
    unknown = call(
        client,
        "post",
        f"/api/v1/incidents/{kept['id']}/link",
        tokens["hexie_manager"],
        {"other": "YJ-1999-000001"},
    )
    assert unknown.status_code == 400 and set(unknown.json()["fields"]) == {"other"}


def test_my_notices_and_acknowledging_one(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    run_jobs(queue=ALARMS)  # the worker tells the chain
    mine = call(client, "get", "/api/v1/notices?unacknowledged=true", tokens["hexie_manager"]).json()
    notice = next(n for n in mine if n["subject_id"] == incident_id)
    assert notice["subject_type"] == "incidents.incident" and notice["acknowledged_at"] is None
    assert notice["recipient"] == "郑和谐" and notice["reason"]

    path = f"/api/v1/notices/{notice['id']}/ack"
    assert call(client, "post", path, tokens["hexie_lobby"]).status_code == 404  # not theirs
    acked = call(client, "post", path, tokens["hexie_manager"])
    assert acked.status_code == 200 and acked.json()["acknowledged_at"]
    again = call(client, "post", path, tokens["hexie_manager"])
    assert again.json()["acknowledged_at"] == acked.json()["acknowledged_at"]
    left = call(client, "get", "/api/v1/notices?unacknowledged=true", tokens["hexie_manager"]).json()
    assert notice["id"] not in [n["id"] for n in left]
    events = [
        e["event"]
        for e in call(client, "get", f"/api/v1/incidents/{incident_id}", tokens["hq_duty"]).json()["timeline"]
    ]
    assert "acknowledged" in events


def test_investigation_through_the_api(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    task = _activate(client, tokens, incident_id).json()["tasks"][0]
    path = f"/api/v1/incidents/{incident_id}"
    manager, lobby = tokens["hexie_manager"], tokens["hexie_lobby"]
    call(client, "post", f"{path}/tasks/{task['id']}/claim", lobby)
    call(client, "post", f"{path}/termination-requests", lobby, {"summary": "已处置完毕"})
    call(client, "post", f"{path}/termination-decision", manager, {"approve": True})
    call(client, "post", f"{path}/termination-decision", issue("hexie_admin"), {"approve": True})
    assert call(client, "post", f"{path}/investigation/close", manager).status_code == 409
    started = call(client, "post", f"{path}/investigation", manager)
    assert started.status_code == 201 and started.json()["status"] == "investigating"
    not_closable = call(client, "post", f"{path}/investigation/close", manager)
    assert not_closable.status_code == 400 and "cause" in not_closable.json()["fields"]
    findings = {
        "cause": "地面湿滑未设警示",
        "warnings_in_time": True,
        "responsibility": [{"name": "王大堂", "responsibility": "未及时放置警示牌"}],
        "preventive_measures": "雨天入口铺设防滑垫",
    }
    saved = call(client, "put", f"{path}/investigation", manager, findings)
    assert saved.status_code == 200 and saved.json()["investigation"]["cause"] == "地面湿滑未设警示"
    watched = call(client, "post", f"{path}/investigation/close", manager)
    assert watched.status_code == 409 and "观察" in watched.json()["message"]  # not before the watch ends
    watch_until = Incident.objects.get(pk=incident_id).watch_until
    with clock.frozen(watch_until + timedelta(seconds=1)):
        closed = call(client, "post", f"{path}/investigation/close", manager)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_a_report_is_recorded_in_a_fixed_number_of_queries_and_the_worker_tells_the_chain(
    client, tokens, django_assert_max_num_queries
):
    """The surge path (bench/incident_surge.py). The request: the token, the rules version (the rules
    themselves are cached per process), the unit, earlier reports with the key or under watch (one
    query), the report with its number, timeline, audit entry and the alarm job's row. It was 40 with
    the chain told in the request; the worker now does that: the chain up the tree and its people, the
    notices and their deliveries (one insert each) and the regulator task."""
    report(client, tokens["hexie_lobby"], key="first")  # the token's last use is written once a minute
    run_jobs(queue=ALARMS)
    with django_assert_max_num_queries(15):
        answer = report(client, tokens["hexie_lobby"], key="second", facts={"injured": 3})
    assert answer.status_code == 201 and answer.json()["level"] == "II"
    incident = Incident.objects.get(pk=answer.json()["id"])
    notices = Notice.objects.filter(subject_type="incidents.incident", subject_id=incident.pk)
    assert not notices.exists()  # not yet: the worker tells the chain
    with django_assert_max_num_queries(40):
        assert run_jobs(queue=ALARMS) == 1
    assert incident.tasks.filter(kind="regulator_report").count() == 1
    assert notices.count() >= 3 and all(n.deliveries.exists() for n in notices if n.recipient.mobile)


def test_a_working_group_gets_its_leader_and_a_task_through_the_api(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    body = _activate(client, tokens, incident_id).json()
    [group] = body["working_groups"]
    assert (group["name"], group["leader"]) == ("现场处置组", None)
    path = f"/api/v1/incidents/{incident_id}"

    led = call(
        client,
        "post",
        f"{path}/groups/{group['id']}/leader",
        tokens["hexie_manager"],
        {"leader": "hexie_lobby"},
    )
    assert led.status_code == 200
    [now_led] = led.json()["working_groups"]
    assert (now_led["id"], now_led["leader"]) == (group["id"], "王大堂") and now_led["leader_id"]
    assert any("王大堂" in e["text"] and "现场处置组" in e["text"] for e in led.json()["timeline"])

    task = next(t for t in body["tasks"] if t["kind"] == "plan_step")
    moved = call(
        client, "post", f"{path}/tasks/{task['id']}/group", tokens["hexie_manager"], {"group": group["id"]}
    )
    assert moved.status_code == 200 and moved.json()["group"] == "现场处置组"
    out = call(client, "post", f"{path}/tasks/{task['id']}/group", tokens["hexie_manager"], {"group": None})
    assert out.status_code == 200 and out.json()["group"] is None


def test_a_group_leader_outside_the_leading_group_or_a_foreign_group_is_a_400(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"]).json()["id"]
    body = _activate(client, tokens, incident_id).json()
    group = body["working_groups"][0]
    path = f"/api/v1/incidents/{incident_id}"
    before = footprint()
    outsider = call(
        client,
        "post",
        f"{path}/groups/{group['id']}/leader",
        tokens["hexie_manager"],
        {"leader": "hexie_guard"},
    )
    assert outsider.status_code == 400 and "leader" in outsider.json()["fields"]
    task = next(t for t in body["tasks"] if t["kind"] == "plan_step")
    foreign = call(
        client, "post", f"{path}/tasks/{task['id']}/group", tokens["hexie_manager"], {"group": 999999}
    )
    assert foreign.status_code == 400 and "group" in foreign.json()["fields"]
    assert footprint() == before


def test_lowering_below_the_rules_waits_for_the_unit_above(client, tokens):
    incident_id = report(client, tokens["hexie_lobby"], facts={"injured": 3}).json()["id"]
    path = f"/api/v1/incidents/{incident_id}"
    reason = {"level": "III", "reason": "伤者均为轻微擦伤，已由支行核实并送医检查"}
    asked = call(client, "post", f"{path}/level", tokens["hexie_manager"], reason)
    assert asked.status_code == 200 and asked.json()["level"] == "II"  # not yet
    assert (
        call(client, "post", f"{path}/level-decision", tokens["hexie_manager"], {"approve": True}).status_code
        == 403
    )
    decided = call(client, "post", f"{path}/level-decision", issue("hexie_admin"), {"approve": True})
    assert decided.status_code == 200 and decided.json()["level"] == "III"
