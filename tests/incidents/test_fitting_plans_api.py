"""An API client activates without a trip through the plan library: the incident's detail lists the
plans that fit its kind and unit type, with the version id `activate` takes; the plan's groups and
leaders come along when it does."""

import pytest

from yingji.core.testing import api
from yingji.plans.selectors import fitting_plans

from .factories import ReportFactory, with_groups

pytestmark = pytest.mark.usefixtures("library")


@pytest.fixture
def manager_token(demo) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("issue_token", "hexie_manager", stdout=out)
    return out.getvalue().strip()


def test_the_detail_lists_the_plans_that_fit_with_their_version_ids(client, now, hexie_lobby, lobby_token):
    incident = ReportFactory()

    answer = api(client, "get", f"/api/v1/incidents/{incident.pk}", lobby_token)

    assert answer.status_code == 200
    expected = [
        {
            "plan_id": p.pk,
            "code": p.code,
            "title": p.current_version.title,
            "version_id": p.current_version.pk,
        }
        for p in fitting_plans(kind="customer_injured", unit_type="outlet")
    ]
    assert expected and answer.json()["fitting_plans"] == expected


def test_activating_a_listed_version_forms_the_plan_s_groups(client, now, hexie_lobby, manager_token):
    version = with_groups()
    incident = ReportFactory()
    listed = api(client, "get", f"/api/v1/incidents/{incident.pk}", manager_token).json()["fitting_plans"]
    assert version.pk in [p["version_id"] for p in listed]

    answer = api(
        client,
        "post",
        f"/api/v1/incidents/{incident.pk}/activate",
        manager_token,
        {
            "plan_version": version.pk,
            "leader": "hexie_president",
            "deputies": ["hexie_manager"],
            "members": ["hexie_lobby"],
            "groups": ["后勤保障组"],
        },
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [(g["name"], g["leader"]) for g in body["working_groups"]] == [
        ("现场处置组", "郑和谐"),
        ("客户安抚组", "王大堂"),
        ("后勤保障组", None),
    ]
    assert {t["order"]: t["group"] for t in body["tasks"] if t["kind"] == "plan_step"}[1] == "客户安抚组"
