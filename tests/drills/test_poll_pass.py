"""A phone's poll with its pass (drills/poll_pass.py): nothing new is answered from the drill's row alone,
before the session or the user is read; anything else goes the whole way, signed in and visibility-checked."""

import re

from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client, override_settings

from yingji.drills import poll_pass, services
from yingji.drills.models import Drill, Inject

from .test_run import briefed  # noqa: F401  (a fixture)
from .test_run_poll import _mark, _person, drill, now  # noqa: F401  (fixtures)


def _pass(response) -> str:
    return re.search(r'name="pass" value="([^"]*)"', response.content.decode()).group(1)


def _poll(
    client,
    drill: Drill,  # noqa: F811
    since: str,
    held: str,
):
    return client.get(f"/drills/{drill.pk}/run/live/", {"since": since, "pass": held})


def _first_look(client, drill: Drill):  # noqa: F811
    client.force_login(_person("hexie_lobby").user)
    page = client.get(f"/drills/{drill.pk}/run/live/")
    return _mark(page), _pass(page)


def test_nothing_new_is_one_read_of_the_drills_row(client, drill, django_assert_num_queries):  # noqa: F811
    mark, held = _first_look(client, drill)

    with django_assert_num_queries(1):
        answer = _poll(client, drill, mark, held)

    assert answer.status_code == 204


def test_a_change_is_drawn_for_the_signed_in_viewer(client, drill):  # noqa: F811
    mark, held = _first_look(client, drill)
    inject = Inject.objects.get(drill=drill, number=1)
    services.release_inject(actor=_person("hexie_admin").user, inject=inject)

    answer = _poll(client, drill, mark, held)

    assert answer.status_code == 200 and "一位老人在大堂摔倒" in answer.content.decode()


def test_a_forged_pass_or_one_for_another_drill_goes_the_whole_way(client, drill):  # noqa: F811
    mark, held = _first_look(client, drill)
    other = signing.dumps([drill.pk + 1, 1], salt=poll_pass.SALT)
    for bad in (held[:-2] + "xx", other, "", "x" * 500):
        assert not poll_pass.holds(bad, drill.pk)
        assert _poll(client, drill, mark, bad).status_code == 204  # still quiet, through the session


def test_a_pass_expires(client, drill):  # noqa: F811
    _, held = _first_look(client, drill)
    with override_settings(YINGJI_DRILL_POLL_PASS_SECONDS=-1):
        assert not poll_pass.holds(held, drill.pk)


def test_without_a_session_a_pass_only_ever_says_nothing_changed(drill):  # noqa: F811
    mark, held = _first_look(Client(), drill)
    Session.objects.all().delete()  # signed out everywhere
    stranger = Client()

    assert _poll(stranger, drill, mark, held).status_code == 204
    services.release_inject(
        actor=_person("hexie_admin").user, inject=Inject.objects.get(drill=drill, number=1)
    )
    answer = _poll(stranger, drill, mark, held)
    assert answer.status_code == 302 and answer.url.startswith("/login/")
