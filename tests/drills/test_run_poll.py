# ruff: noqa: F811  (the fixtures `briefed` and `now` come from test_run and are named as arguments)
"""The run page's poll. Every phone asks every poll interval; one with nothing new is answered 204 from
the drill's row alone, and any change of the run (a release, a skip, an acknowledgement, a log, the
clock) or an inject falling due makes the next poll draw the live region again, with what changed."""

import re

import pytest
from django.contrib.auth.models import User

from yingji.core import clock
from yingji.drills import selectors, services
from yingji.drills.models import Drill, Inject
from yingji.orgs.models import Person

from .test_run import briefed, now  # noqa: F401  (fixtures)

# A 204 reads the session, its user, the viewer's person with their unit (for the visibility filter) and
# the drill's row. The session is not written back: it is renewed at most once a minute.
POLL_QUERIES = 4


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


@pytest.fixture
def drill(briefed) -> Drill:
    """test_run's briefed drill (和谐支行's injured-customer drill: 韩应急 controls, 王大堂 plays; event 1
    at +0:10 asks for the first expected action, event 2 at +0:15 is its contingency), under way."""
    services.start_run(actor=_person("hexie_admin").user, drill=briefed)
    return briefed


def _live(client, drill: Drill, since: str | None = None):
    return client.get(f"/drills/{drill.pk}/run/live/", {"since": since} if since is not None else {})


def _mark(response) -> str:
    """The mark the live region was drawn with, which the page's next poll sends back."""
    return re.search(r'name="since" value="([^"]*)"', response.content.decode()).group(1)


def _inject(drill: Drill, number: int) -> Inject:
    return Inject.objects.select_related("drill").get(drill=drill, number=number)


def test_a_poll_that_finds_nothing_new_is_answered_204_from_the_drills_row(
    client, drill, now, django_assert_max_num_queries
):
    client.force_login(_person("hexie_lobby").user)
    mark = _mark(_live(client, drill))
    now.advance(minutes=5)  # the clock moves in the browser; nothing falls due before +0:10

    with django_assert_max_num_queries(POLL_QUERIES):
        response = _live(client, drill, mark)

    assert response.status_code == 204 and response.content == b""


def test_a_poll_without_a_mark_or_with_an_old_one_draws_the_region(client, drill):
    client.force_login(_person("hexie_lobby").user)
    mark = _mark(_live(client, drill))

    for since in (None, "", "running.0", "paused." + mark.split(".")[1], "nonsense"):
        response = _live(client, drill, since)
        assert response.status_code == 200 and "暂无下发给您的事件。" in response.content.decode(), since


@pytest.mark.parametrize("change", ["release", "skip", "add", "log", "pause", "end"])
def test_each_change_of_the_run_makes_the_next_poll_draw_it(client, drill, now, change):
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    client.force_login(lobby)
    mark = _mark(_live(client, drill))
    assert _live(client, drill, mark).status_code == 204

    if change == "release":
        services.release_inject(actor=admin, inject=_inject(drill, 1))
        shown = "一位老人在大堂摔倒"
    elif change == "skip":
        services.skip_inject(actor=admin, inject=_inject(drill, 1), reason="时间不够")
        shown = None  # a player is not shown skipped events: the controller's page is
    elif change == "add":
        services.add_unscripted_inject(actor=admin, drill=drill, text="突然停电")
        shown = "突然停电"
    elif change == "log":
        services.log_action(actor=lobby, drill=Drill.objects.get(pk=drill.pk), text="已拨打120")
        shown = "已拨打120"
    elif change == "pause":
        services.pause_run(actor=admin, drill=Drill.objects.get(pk=drill.pk))
        shown = "data-yj-status>暂停<"
    else:
        services.end_run(actor=admin, drill=Drill.objects.get(pk=drill.pk))
        shown = "已结束"

    response = _live(client, drill, mark)

    assert response.status_code == 200
    assert _mark(response) != mark
    if shown:
        assert shown in response.content.decode()
    assert _live(client, drill, _mark(response)).status_code == 204  # and then it is quiet again


def test_the_controllers_page_is_drawn_again_after_a_skip_and_a_resume(client, drill, now):
    admin = _person("hexie_admin").user
    client.force_login(admin)
    mark = _mark(_live(client, drill))
    services.skip_inject(actor=admin, inject=_inject(drill, 2), reason="时间不够")

    response = _live(client, drill, mark)
    assert response.status_code == 200 and "时间不够" in response.content.decode()

    services.pause_run(actor=admin, drill=Drill.objects.get(pk=drill.pk))
    paused = _mark(_live(client, drill))
    services.resume_run(actor=admin, drill=Drill.objects.get(pk=drill.pk))
    assert _live(client, drill, paused).status_code == 200


def test_an_acknowledgement_redraws_the_controllers_page_and_not_the_other_players(client, drill, now):
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    services.release_inject(actor=admin, inject=_inject(drill, 1))
    client.force_login(lobby)
    player_mark = _mark(_live(client, drill))
    client.force_login(admin)
    controller_mark = _mark(_live(client, drill))
    assert "0 人已收到" in _live(client, drill).content.decode()

    services.acknowledge_inject(actor=lobby, inject=_inject(drill, 1))

    response = _live(client, drill, controller_mark)
    assert response.status_code == 200 and "1 人已收到" in response.content.decode()
    # A player's page does not show the others' acknowledgements (the player who acknowledged gets the
    # page drawn anew by the form's answer): it is not drawn again for every tap of 200 players.
    client.force_login(lobby)
    assert _live(client, drill, player_mark).status_code == 204


def test_an_inject_falling_due_is_released_by_the_poll_that_notices_it(client, drill, now):
    client.force_login(_person("hexie_lobby").user)
    mark = _mark(_live(client, drill))
    now.advance(minutes=9, seconds=59)
    assert _live(client, drill, mark).status_code == 204

    now.advance(seconds=1)  # +0:10:00, event 1's time
    response = _live(client, drill, mark)

    assert response.status_code == 200 and "一位老人在大堂摔倒" in response.content.decode()
    first = _inject(drill, 1)
    assert first.status == Inject.State.RELEASED and first.released_at == clock.now()
    assert first.released_by is None  # the schedule, not a person
    assert _live(client, drill, _mark(response)).status_code == 204  # +0:15 is still ahead


def test_nothing_falls_due_while_the_drill_is_paused(client, drill, now):
    admin = _person("hexie_admin").user
    services.pause_run(actor=admin, drill=Drill.objects.get(pk=drill.pk))
    client.force_login(_person("hexie_lobby").user)
    mark = _mark(_live(client, drill))

    now.advance(minutes=30)

    assert _live(client, drill, mark).status_code == 204
    assert _inject(drill, 1).status == Inject.State.PENDING


def test_a_wrong_mark_of_the_next_due_time_is_put_right_by_the_next_poll(client, drill, now):
    Drill.objects.filter(pk=drill.pk).update(next_due_seconds=0)  # as if it had gone stale
    client.force_login(_person("hexie_lobby").user)
    mark = _mark(_live(client, drill))

    assert Drill.objects.get(pk=drill.pk).next_due_seconds == 600
    assert _live(client, drill, mark).status_code == 204
    assert _inject(drill, 1).status == Inject.State.PENDING


def test_before_the_start_every_poll_draws_the_region(client, drill):
    """While the drill is planned or briefed its script is still edited by services that move no mark,
    so the poll cannot answer "nothing new" from the row."""
    Drill.objects.filter(pk=drill.pk).update(status="briefed", started_at=None)
    client.force_login(_person("hexie_lobby").user)
    mark = _mark(_live(client, drill))

    assert _live(client, drill, mark).status_code == 200


def test_the_region_carries_its_clock_for_the_page_to_move_on(client, drill, now):
    client.force_login(_person("hexie_lobby").user)
    now.advance(minutes=3, seconds=7)

    page = _live(client, drill).content.decode()

    assert 'data-yj-seconds="187" data-yj-ticking' in page and "+0:03:07" in page


@pytest.mark.parametrize("with_mark", [False, True])
def test_a_viewer_who_cannot_see_the_drill_gets_404(client, drill, with_mark):
    client.force_login(_person("hexie_lobby").user)
    mark = _mark(_live(client, drill)) if with_mark else None
    client.force_login(_person("other_manager").user)  # 友谊支行's outlet: another sub-branch

    assert _live(client, drill, mark).status_code == 404
    assert client.get(f"/drills/{drill.pk + 1000}/run/live/", {"since": mark or ""}).status_code == 404


def test_the_poll_answers_exactly_whoever_sees_the_drill_and_nobody_else(client, drill):
    """The poll reads the viewer's person its own way, then filters by the same `selectors.scope` as every
    drill page: for every demo user, it answers when the drill is in their list of drills and 404 if not."""
    lobby = _person("hexie_lobby").user
    client.force_login(lobby)
    mark = _mark(_live(client, drill))
    answered = {}
    for user in User.objects.filter(is_active=True).order_by("username"):
        client.force_login(user)
        sees = selectors.drills_for(viewer=user).filter(pk=drill.pk).exists()
        answered[user.username] = (sees, _live(client, drill, mark).status_code)

    assert all((status == 204) == sees and status in (204, 404) for sees, status in answered.values()), (
        answered
    )
    assert {name for name, (sees, _) in answered.items() if sees} >= {"hexie_lobby", "hexie_admin", "admin"}
    assert any(not sees for sees, _ in answered.values())


def test_a_players_page_reads_the_same_few_tables_however_long_the_run(
    client, drill, now, django_assert_num_queries
):
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    services.release_inject(actor=admin, inject=_inject(drill, 1))
    services.acknowledge_inject(actor=lobby, inject=_inject(drill, 1))
    for n in range(5):
        services.add_unscripted_inject(actor=admin, drill=drill, text=f"临时事件{n}")
        services.log_action(actor=lobby, drill=Drill.objects.get(pk=drill.pk), text=f"处置{n}")
    client.force_login(lobby)

    # The first page of this run token: session, user, person, drill (whose next due time says nothing
    # fell due); the part all players share (released injects, their expected actions, participants,
    # the scenarios' clock, the log); this player's acknowledgements. Signing in renewed the session, so
    # it is not written back.
    with django_assert_num_queries(10):
        page = _live(client, drill).content.decode()
    assert page.count("data-yj-inject=") == 6 and "处置4" in page and page.count("✓ 已收到") == 1

    # Every other page of the same token takes the shared part from memory.
    with django_assert_num_queries(5):
        again = _live(client, drill).content.decode()
    assert again.count("data-yj-inject=") == 6 and "处置4" in again and again.count("✓ 已收到") == 1
