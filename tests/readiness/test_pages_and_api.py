"""The pages and the API: 王大堂 reads and confirms their cards on a phone, takes a quiz; a unit's
readiness is seen by the unit and above, never by a sibling or a unit below; the unit's page and the
board show it."""

import re

from django.urls import reverse

from yingji.api.services import issue_token
from yingji.orgs.models import Person
from yingji.readiness.models import Acknowledgement, QuizAttempt

from .test_new_version import make_ready


def test_the_lobby_manager_confirms_a_card_and_takes_a_quiz_on_the_page(client, hexie_lobby, injured):
    client.force_login(hexie_lobby.user)
    page = client.get(reverse("readiness:mine")).content.decode()
    assert "我的预案职责" in page and "营业网点服务突发事件应急预案·场景一 客户意外受伤" in page
    assert "作为大堂经理（5 步）" in page and "事发后 30 分钟内首次报告" in page
    version = injured.current_version
    response = client.post(reverse("readiness:acknowledge", args=[version.pk, "lobby_manager"]))
    assert response.status_code == 302 and response["Location"].endswith(f"#plan-{injured.pk}")
    assert Acknowledgement.objects.filter(person=hexie_lobby, version=version).exists()

    response = client.post(reverse("readiness:start_quiz", args=[injured.code]))
    attempt = QuizAttempt.objects.get(person=hexie_lobby, plan=injured)
    assert response["Location"] == attempt.get_absolute_url()
    quiz = client.get(attempt.get_absolute_url()).content.decode()
    assert attempt.questions[0]["text"] in quiz and "80 分合格（本行设定）" in quiz
    missing = client.post(attempt.get_absolute_url(), {"q1": "0"})
    assert missing.status_code == 400 and "请回答每一道题" in missing.content.decode()
    sheet = {f"q{n}": str(q["answer"]) for n, q in enumerate(attempt.questions, start=1)}
    assert client.post(attempt.get_absolute_url(), sheet).status_code == 302
    result = client.get(attempt.get_absolute_url()).content.decode()
    assert re.search(r'id="yj-score">100<', result)


def test_someone_elses_attempt_is_not_found(client, hexie_lobby, hexie_guard, injured):
    from yingji.readiness import services

    attempt = services.start_plan_quiz(person=hexie_lobby, plan=injured, seed=1)
    client.force_login(hexie_guard.user)
    assert client.get(attempt.get_absolute_url()).status_code == 404
    assert client.post(attempt.get_absolute_url(), {"q1": "0"}).status_code == 404


def test_acknowledging_someone_elses_position_is_forbidden(client, hexie_guard, injured):
    client.force_login(hexie_guard.user)
    url = reverse("readiness:acknowledge", args=[injured.current_version.pk, "lobby_manager"])
    assert client.post(url).status_code == 403
    assert not Acknowledgement.objects.exists()
    assert client.post(reverse("readiness:acknowledge", args=[999999, "guard"])).status_code == 404
    assert client.post(reverse("readiness:acknowledge", args=[2**40, "guard"])).status_code == 404
    assert client.get(reverse("readiness:attempt", args=[2**40])).status_code == 404


def test_the_course_page_lists_the_eight_kinds_with_their_plans(client, hexie_lobby, the_course):
    client.force_login(hexie_lobby.user)
    page = client.get(reverse("readiness:course")).content.decode()
    assert page.count('class="card mb-2 yj-course-kind"') == 8
    assert (
        "储户对银行给付能力丧失信心" in page
        and "搜集情况 → 分析原因 → 安抚客户 → 应对处理 → 后续跟踪" in page
    )
    assert "营业网点服务突发事件应急预案·场景一 客户意外受伤" in page  # linked to 客户突发疾病或意外受伤
    response = client.post(reverse("readiness:start_course_quiz"))
    attempt = QuizAttempt.objects.get(person=hexie_lobby, subject="course")
    assert response["Location"] == attempt.get_absolute_url()


def test_a_units_readiness_is_seen_by_it_and_above_only(
    client, hexie_lobby, branch_duty, other_manager, library
):
    make_ready(hexie_lobby)
    url = reverse("readiness:unit", args=["JN0101"])
    client.force_login(branch_duty.user)
    page = client.get(url).content.decode()
    assert "王大堂" in page and "何柜员" in page and "测验未通过" in page
    client.force_login(other_manager.user)
    assert client.get(url).status_code == 404
    client.force_login(hexie_lobby.user)
    assert client.get(reverse("readiness:unit", args=["JN01"])).status_code == 404
    assert client.get(reverse("readiness:unit", args=["NOPE"])).status_code == 404


def test_the_unit_page_and_the_board_show_readiness(client, hexie_lobby, branch_duty, library):
    make_ready(hexie_lobby)
    client.force_login(branch_duty.user)
    unit = client.get(reverse("orgs:unit", args=["JN0101"])).content.decode()
    assert 'data-yj-readiness="JN0101">16%' in unit  # 1 of the outlet's 6 staff
    board = client.get(reverse("reports:board", args=["JN01"])).content.decode()
    assert 'id="yj-board-readiness"' in board and 'data-yj-readiness="JN0101"' in board


def test_the_api_gives_cards_and_readiness_in_scope(client, hexie_lobby, branch_duty, hq_duty, library):
    make_ready(hexie_lobby)
    _t, mine = issue_token(actor=hq_duty.user, person=hexie_lobby)
    own = client.get("/api/v1/readiness/me", headers={"Authorization": f"Bearer {mine}"}).json()
    assert own["ready"] and own["cards"] and all(c["acknowledged_at"] for c in own["cards"])
    _t, above = issue_token(actor=hq_duty.user, person=branch_duty)
    headers = {"Authorization": f"Bearer {above}"}
    unit = client.get("/api/v1/readiness/units/JN0101", headers=headers).json()
    assert unit["staff_ready"] == 1 and unit["staff_concerned"] == 6
    lobby = next(p for p in unit["people"] if p["name"] == "王大堂")
    assert lobby["ready"] and lobby["cards_due"] == [] and lobby["quizzes_missing"] == []
    person = client.get(f"/api/v1/readiness/people/{hexie_lobby.pk}", headers=headers).json()
    assert person["cards"] == own["cards"]
    # Another branch's person and unit are not found; nor is a number that names nothing.
    other = Person.objects.get(user__username="other_manager")
    assert client.get(f"/api/v1/readiness/people/{other.pk}", headers=headers).status_code == 404
    assert client.get("/api/v1/readiness/units/JB0101", headers=headers).status_code == 404
    assert client.get("/api/v1/readiness/people/99999999999999", headers=headers).status_code == 404
