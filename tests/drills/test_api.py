"""Drills over the API: a player's token lists the drill and reads its scenarios, expected actions and
script; a sibling unit's token gets 404."""

from yingji.api.services import issue_token
from yingji.core.testing import api


def test_a_player_reads_the_drill_with_its_script(client, plan_drill, hexie_lobby):
    token = issue_token(actor=hexie_lobby.user, person=hexie_lobby)[1]

    listed = api(client, "get", "/api/v1/drills", token).json()
    assert [d["id"] for d in listed] == [plan_drill.pk]
    detail = api(client, "get", f"/api/v1/drills/{plan_drill.pk}", token).json()

    first = detail["scenarios"][0]
    assert first["plan"] == "outlet-service-customer-injured" and first["plan_version"] == 1
    assert first["expected_actions"][6]["action"] == "网点负责人打电话向上级管理部门报备"
    assert [i["offset_seconds"] for i in detail["injects"]][:2] == [0, 900]
    assert detail["objectives"][0]["bank_own"] is True


def test_a_sibling_units_token_cannot_read_the_drill(client, plan_drill, other_manager):
    token = issue_token(actor=other_manager.user, person=other_manager)[1]
    assert api(client, "get", f"/api/v1/drills/{plan_drill.pk}", token).status_code == 404
    assert api(client, "get", "/api/v1/drills", token).json() == []
    assert api(client, "get", "/api/v1/drills/99999999999", token).status_code == 404
