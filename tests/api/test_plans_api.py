"""The plan library over the API: kinds, classification, plans with their steps."""

from io import StringIO

import pytest
from django.core.management import call_command

from yingji.plans.loader import load_library
from yingji.plans.models import Plan, VersionStatus


@pytest.fixture
def token(demo) -> str:
    load_library()
    out = StringIO()
    call_command("issue_token", "hexie_lobby", stdout=out)
    return out.getvalue().strip()


def call(client, method: str, path: str, token: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {token}"}
    if method == "post":
        return client.post(path, body, content_type="application/json", headers=headers)
    return client.get(path, headers=headers)


def test_event_kinds_list_code_name_group_and_default_level(client, token):
    kinds = call(client, "get", "/api/v1/event-kinds", token).json()
    run = next(k for k in kinds if k["code"] == "bank_run")
    assert run == {
        "code": "bank_run",
        "name": "营业网点挤兑",
        "group": "service",
        "group_display": "服务突发事件",
        "default_level": "I",
    }


def test_classify_answers_the_level_and_its_reasons(client, token):
    answer = call(
        client,
        "post",
        "/api/v1/classify",
        token,
        {"kind": "it_system_failure", "facts": {"outlets_affected": 3}},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["level"] == "I"
    assert {r["source"] for r in body["reasons"]} == {"default", "system-many-outlets-i"}


def test_an_unknown_kind_is_a_400_in_chinese(client, token):
    answer = call(client, "post", "/api/v1/classify", token, {"kind": "alien_landing", "facts": {}})
    assert answer.status_code == 400
    assert answer.json()["fields"] == {"kind": "未知的事件类型。"}


def test_a_malformed_fact_is_a_400_naming_the_fact(client, token):
    answer = call(client, "post", "/api/v1/classify", token, {"kind": "bank_run", "facts": {"injured": -3}})
    assert answer.status_code == 400
    assert "facts.injured" in answer.json()["fields"]


def test_a_body_that_is_not_json_is_a_400(client, token):
    answer = client.post(
        "/api/v1/classify",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid"


def test_plans_filter_by_kind_and_text(client, token):
    by_kind = call(client, "get", "/api/v1/plans?kind=bank_run", token).json()
    assert by_kind and all("bank_run" in p["kinds"] for p in by_kind)
    by_text = call(client, "get", "/api/v1/plans?text=报告", token).json()
    assert len(by_text) > 1


def test_plans_filter_by_unit_type(client, token):
    call_centre = call(client, "get", "/api/v1/plans?unit_type=call_centre", token).json()
    assert call_centre and all("call_centre" in p["unit_types"] for p in call_centre)


def test_a_plan_comes_with_its_steps(client, token):
    plan = Plan.objects.order_by("sort_order").first()
    version = plan.versions.get(status=VersionStatus.APPROVED)
    body = call(client, "get", f"/api/v1/plans/{plan.pk}", token).json()
    assert body["title"] == version.title and body["version"] == version.number
    assert [s["action"] for s in body["step_list"]] == [s.action for s in version.steps.all()]
    assert call(client, "get", "/api/v1/plans/999999", token).status_code == 404


def test_a_plan_gives_the_id_of_its_approved_version_for_activation(client, token):
    plan = Plan.objects.get(code="outlet-major-complaint")
    version = plan.versions.get(status=VersionStatus.APPROVED)
    listed = call(client, "get", "/api/v1/plans?kind=major_complaint&unit_type=outlet", token).json()
    assert [(p["code"], p["version_id"]) for p in listed] == [(plan.code, version.pk)]
    body = call(client, "get", f"/api/v1/plans/{plan.pk}", token).json()
    assert body["version_id"] == version.pk


def test_a_plans_detail_gives_its_groups_leadership_and_termination_approvers(client, token):
    plan = Plan.objects.get(code="cc-major-complaint")
    body = call(client, "get", f"/api/v1/plans/{plan.pk}", token).json()
    assert body["leadership"] == {
        "leader": "cc_general_manager",
        "deputies": ["cc_floor_supervisor"],
        "members": ["cc_team_lead", "cc_assistant_manager"],
    }
    assert [g["name"] for g in body["groups"]] == ["重大投诉应急工作小组"]
    assert body["termination_approvers"] == [
        {"label": "紧急事件应急处置领导小组", "role": "leader", "position": None, "unit": None},
        {"label": "总行办公室", "role": None, "position": "emergency_admin", "unit": "head_office"},
    ]
    assert {s["group"] for s in body["step_list"]} == {"重大投诉应急工作小组", ""}
    assert body["source_document"] == "长沙银行客服中心应急预案"


def test_a_plan_without_an_organisation_answers_empty_ones(client, token):
    plan = Plan.objects.get(code="security-fire")
    body = call(client, "get", f"/api/v1/plans/{plan.pk}", token).json()
    assert body["leadership"] == {"leader": "", "deputies": [], "members": []}
    assert body["groups"] == [] and body["termination_approvers"] == []


def test_the_schema_describes_the_plans_own_groups_and_approvers(db):
    """Schemas are named once across the API: the plan's groups are not the incident's working groups."""
    from yingji.api.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    plan = schemas["PlanOut"]["properties"]
    assert plan["groups"]["items"]["$ref"].endswith("/PlanGroupOut")
    assert set(schemas["PlanGroupOut"]["required"]) == {"name", "leader_position", "duties"}
    assert set(schemas["PlanApproverOut"]["required"]) == {"label", "role", "position", "unit"}
    assert "version_id" in schemas["PlanSummaryOut"]["required"]
