"""The situation board: each person's home page fits their role, a branch sees its own subtree and
nothing of its sibling's, the board reads in a fixed number of queries, and its live region answers
204 until something changes."""

from django.core.cache import cache
from django.urls import reverse

from yingji.reports import board as boards

from ..incidents.factories import ReportFactory, activate, person


def _report_at(username: str, description: str = "客户在大厅摔倒"):
    return ReportFactory(reporter=person(username), description=description)


def test_a_branch_sees_its_own_subtree_on_its_home_page_and_nothing_of_the_sibling_branch(
    client, now, branch_duty
):
    ours = _report_at("hexie_lobby")
    theirs = _report_at("other_manager", "城北营业部客户受伤")
    client.force_login(branch_duty.user)

    home = client.get(reverse("home")).content.decode()

    assert 'id="yj-board"' in home and "江南分行" in home
    assert ours.number in home and theirs.number not in home
    assert "城北营业部" not in home and "江北分行" not in home
    assert client.get(reverse("reports:board", args=["JB"])).status_code == 404
    assert client.get(reverse("reports:board_live", args=["JB"])).status_code == 404
    assert client.get(reverse("reports:board", args=["JN01"])).status_code == 200


def test_head_office_sees_every_branch_with_its_counts(client, now, hq_duty):
    _report_at("hexie_lobby")
    _report_at("other_manager", "城北营业部客户受伤")
    client.force_login(hq_duty.user)

    board = boards.board(hq_duty.user, boards.board_root(hq_duty.user))

    lines = {line.unit.code: line.counts for line in board.lines}
    assert lines["JN"].open == 1 and lines["JB"].open == 1
    assert board.totals.open == 2 and board.totals.unacknowledged > 0
    assert [name for _code, name, _n in board.by_kind] == ["客户意外受伤"]
    page = client.get(reverse("home")).content.decode()
    assert "总行态势" in page and 'href="/reports/board/JN/"' in page


def test_an_outlet_s_staff_see_their_tasks_notices_to_acknowledge_and_today_s_duty_leader(
    client, now, hexie_lobby
):
    incident = activate(_report_at("hexie_lobby"))
    client.force_login(person("hexie_manager").user)

    home = client.get(reverse("home")).content.decode()

    assert 'id="yj-board"' not in home
    assert 'id="yj-my-tasks"' in home and 'id="yj-my-notices"' in home
    assert incident.number in home  # the notice about it waits for 已收到
    assert "郑和谐" in home or "刘和谐" in home  # 和谐路营业部's leader on duty today


def test_the_board_reads_in_a_fixed_number_of_queries_however_many_incidents(
    client, now, hq_duty, django_assert_max_num_queries
):
    client.force_login(hq_duty.user)
    _report_at("hexie_lobby")
    client.get(reverse("home"))
    cache.clear()
    with django_assert_max_num_queries(30) as drawn:
        client.get(reverse("home"))
    for n, who in enumerate(["hexie_lobby", "other_manager", "plaza_manager", "hexie_manager"] * 2):
        now.advance(minutes=1)
        _report_at(who, f"第{n}位客户摔倒")
    cache.clear()
    with django_assert_max_num_queries(len(drawn.captured_queries)):
        assert client.get(reverse("home")).status_code == 200
    # Looked at again with nothing changed: the board drawn is kept, only its version is read.
    with django_assert_max_num_queries(len(drawn.captured_queries) - 8):
        assert client.get(reverse("home")).status_code == 200


def test_the_live_region_answers_204_until_something_changes(client, now, branch_duty):
    client.force_login(branch_duty.user)
    live = reverse("reports:board_live", args=["JN"])
    version = boards.version(branch_duty.user, boards.board_root(branch_duty.user, "JN"))

    assert client.get(live, {"v": version}).status_code == 204

    incident = _report_at("hexie_lobby")
    answer = client.get(live, {"v": version})
    assert answer.status_code == 200
    assert incident.number in answer.content.decode() and "<html" not in answer.content.decode()
