"""A drill after its script, over the API: the run with its clock, injects and logged actions; the ratings
with their history and the score; the findings with their corrective actions; the report with 撰稿 and
审签. Each is scoped: a sibling unit's token gets 404, and a player of an outlet reads the drill but not
the sub-branch's findings."""

import pytest
from django.utils import timezone

from tests.drills.evaluated import evaluated_drill, person
from yingji.api.services import issue_token
from yingji.core import clock
from yingji.core.testing import api
from yingji.drills import reporting


@pytest.fixture
def now():
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture
def drill(library, now):
    return evaluated_drill(now)


def _token(username: str) -> str:
    holder = person(username)
    return issue_token(actor=holder.user, person=holder)[1]


def test_the_run_shows_the_clock_the_released_event_with_its_acks_and_the_logged_action(client, drill):
    run = api(client, "get", f"/api/v1/drills/{drill.pk}/run", _token("hexie_admin")).json()

    assert run["status"] == "evaluated" and run["running_seconds"] == 20 * 60 and run["elapsed"] == "+0:20:00"
    (event,) = run["injects"]
    assert event["offset"] == "+0:10" and event["status"] == "released"
    assert event["released_by_schedule"] is True and event["released_at"] is not None
    (log,) = run["action_logs"]
    assert log["participant"] == "王大堂" and log["elapsed"] == "+0:17:00"


def test_the_ratings_give_timing_history_objectives_and_the_score_as_the_banks_setting(client, drill):
    ratings = api(client, "get", f"/api/v1/drills/{drill.pk}/ratings", _token("branch_duty")).json()

    (action,) = ratings["actions"]
    assert action["rating"] == "S" and action["taken_minutes"] == 7.0 and action["late"] is True
    assert action["taken_by"] == ["王大堂"] and [r["evaluator"] for r in action["history"]] == ["刘和谐"]
    (objective,) = ratings["objectives"]
    assert objective["met"] is True and objective["rating"] == "S" and objective["target_minutes"] == 10
    score = ratings["score"]
    assert score["score"] == 75.0 and score["passed"] is True
    assert score["table"]["pass"] == 60 and score["concluded_at"] is not None


def test_the_findings_come_with_their_corrective_actions(client, drill):
    token = _token("hexie_president")
    (finding,) = api(client, "get", f"/api/v1/drills/{drill.pk}/findings", token).json()

    assert finding["text"] == "大堂经理报告网点负责人偏晚。" and finding["expected_action"] is not None
    (action,) = finding["actions"]
    assert action["text"] == "组织大堂经理复训报告流程。" and action["owner"] == "郑和谐"
    # The register's own lists, filtered by the drill, answer the same.
    listed = api(client, "get", f"/api/v1/corrective/findings?drill={drill.pk}", token).json()
    assert [f["id"] for f in listed] == [finding["id"]]
    actions = api(client, "get", f"/api/v1/corrective/actions?drill={drill.pk}", token).json()
    assert [a["id"] for a in actions] == [action["id"]]
    assert api(client, "get", f"/api/v1/corrective/actions?drill={drill.pk + 1}", token).json() == []


def test_the_report_shows_its_state_author_and_approver(client, drill):
    token = _token("hexie_lobby")
    url = f"/api/v1/drills/{drill.pk}/report"
    assert api(client, "get", url, token).json()["state"] == "not_written"

    reporting.draft_report(actor=person("hexie_admin").user, drill=drill)
    reporting.submit_report(actor=person("hexie_admin").user, drill=drill)
    submitted = api(client, "get", url, token).json()
    assert submitted["state"] == "submitted" and submitted["author"] == "韩应急"
    assert submitted["approver"] is None and "一位老人在大堂摔倒" in submitted["process"]

    reporting.sign_off_report(actor=person("hexie_president").user, drill=drill)
    signed = api(client, "get", url, token).json()
    assert signed["state"] == "signed_off" and signed["approver"] == "刘和谐"


@pytest.mark.parametrize("part", ["run", "ratings", "findings", "report"])
def test_a_sibling_units_token_gets_404(client, drill, part):
    token = _token("other_manager")
    assert api(client, "get", f"/api/v1/drills/{drill.pk}/{part}", token).status_code == 404
    assert api(client, "get", f"/api/v1/drills/99999999999/{part}", token).status_code == 404


def test_an_outlet_player_reads_the_drill_but_not_the_sub_branchs_findings(client, drill):
    token = _token("hexie_lobby")  # 和谐路营业部 took part; the finding is 和谐支行's

    assert api(client, "get", f"/api/v1/drills/{drill.pk}/ratings", token).status_code == 200
    assert api(client, "get", f"/api/v1/drills/{drill.pk}/findings", token).json() == []
    assert api(client, "get", f"/api/v1/corrective/findings?drill={drill.pk}", token).json() == []
