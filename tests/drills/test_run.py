"""Running a drill live: the controller's clock (start, pause, resume, end), injects released on schedule
by running time or by hand, contingency injects, players' acknowledgements and action logs, each with its
time, and nothing that reaches outside the drill."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yingji.core import clock
from yingji.core.errors import InvalidInput
from yingji.core.testing import footprint
from yingji.drills import services
from yingji.drills.models import ActionLog, Drill, Inject, InjectAck, Participant, Status
from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


@pytest.fixture
def now():
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture
def briefed(library, now):
    """和谐支行's injured-customer drill, briefed: 韩应急 controls, 王大堂 plays. Event 1 at +0:10 asks for
    the first expected action; event 2 at +0:15 is its contingency."""
    admin, lobby = _person("hexie_admin"), _person("hexie_lobby")
    sub_branch, outlet = Unit.objects.get(code="JN01"), Unit.objects.get(code="JN0101")
    drill = services.create_from_plan(
        actor=admin.user,
        unit=sub_branch,
        units=[sub_branch, outlet],
        plan=Plan.objects.get(code="outlet-service-customer-injured"),
    )
    for inject in list(drill.injects.all()):
        services.remove_inject(actor=admin.user, inject=inject)
    services.add_participant(actor=admin.user, drill=drill, role="controller", person=admin)
    services.add_participant(actor=admin.user, drill=drill, role="player", person=lobby)
    action = drill.scenarios.get().expected_actions.order_by("order").first()
    services.add_inject(
        actor=admin.user,
        drill=drill,
        offset_seconds=600,
        text="一位老人在大堂摔倒",
        channel="spoken",
        expected_actions=[action],
    )
    services.add_inject(
        actor=admin.user,
        drill=drill,
        offset_seconds=900,
        text="家属来电催问",
        channel="phone",
        contingency_for=action,
    )
    services.issue_briefing(actor=admin.user, drill=drill)
    drill.refresh_from_db()
    return drill


def _injects(drill: Drill) -> dict[int, Inject]:
    return {i.number: i for i in Inject.objects.filter(drill=drill)}


def test_the_controller_starts_pauses_resumes_and_ends_the_clock(briefed, now):
    admin = _person("hexie_admin").user
    services.start_run(actor=admin, drill=briefed)
    now.advance(minutes=4)
    services.pause_run(actor=admin, drill=briefed)
    now.advance(minutes=30)
    assert briefed.running_seconds(clock.now()) == 240
    services.resume_run(actor=admin, drill=briefed)
    now.advance(minutes=1)
    services.end_run(actor=admin, drill=briefed)
    now.advance(hours=1)

    found = Drill.objects.get(pk=briefed.pk)
    assert found.status == Status.ENDED
    assert found.paused_seconds == 1800 and found.running_seconds(clock.now()) == 300


@pytest.mark.parametrize("action", ["start", "pause", "resume", "end"])
def test_a_player_cannot_start_pause_or_end_and_nothing_changes(client, briefed, action):
    if action != "start":
        services.start_run(actor=_person("hexie_admin").user, drill=briefed)
    if action == "resume":
        services.pause_run(actor=_person("hexie_admin").user, drill=briefed)
    client.force_login(_person("hexie_lobby").user)
    before = footprint()

    response = client.post(f"/drills/{briefed.pk}/run/{action}/")

    assert response.status_code == 403
    assert footprint() == before
    assert Drill.objects.get(pk=briefed.pk).status == briefed.status


def test_the_controller_starts_the_clock_from_the_run_page(client, briefed):
    client.force_login(_person("hexie_admin").user)
    page = client.get(f"/drills/{briefed.pk}/run/").content.decode()
    assert "开始计时" in page

    client.post(f"/drills/{briefed.pk}/run/start/")

    assert Drill.objects.get(pk=briefed.pk).status == Status.RUNNING


def test_release_due_releases_by_running_time_and_not_during_a_pause(briefed, now):
    admin = _person("hexie_admin").user
    services.start_run(actor=admin, drill=briefed)
    now.advance(minutes=8)
    services.pause_run(actor=admin, drill=briefed)
    now.advance(minutes=20)  # wall time is past +0:10, running time is not

    assert services.release_due(briefed) == []
    assert _injects(briefed)[1].status == Inject.State.PENDING

    services.resume_run(actor=admin, drill=briefed)
    now.advance(minutes=1)
    assert services.release_due(briefed) == []
    now.advance(minutes=1)
    released = services.release_due(briefed)

    first = _injects(briefed)[1]
    assert [i.number for i in released] == [1]
    assert first.status == Inject.State.RELEASED and first.released_at == clock.now()
    assert first.released_by is None  # the schedule, not a person
    assert services.release_due(briefed) == []  # a second poll releases nothing twice


def test_a_contingency_inject_is_skipped_when_its_action_was_logged_in_time(briefed, now):
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    action = _injects(briefed)[2].contingency_for
    services.start_run(actor=admin, drill=briefed)
    now.advance(minutes=11)
    services.release_due(briefed)
    services.log_action(actor=lobby, drill=briefed, expected_action=action)
    now.advance(minutes=5)

    services.release_due(briefed)

    second = _injects(briefed)[2]
    assert second.status == Inject.State.SKIPPED and second.skip_reason == "预期处置已按时完成。"


def test_a_contingency_inject_is_released_when_its_action_was_not_logged(briefed, now):
    admin = _person("hexie_admin").user
    services.start_run(actor=admin, drill=briefed)
    now.advance(minutes=16)

    services.release_due(briefed)

    assert _injects(briefed)[2].status == Inject.State.RELEASED


def test_the_controller_releases_skips_and_adds_an_unscripted_inject(briefed, now):
    admin = _person("hexie_admin").user
    services.start_run(actor=admin, drill=briefed)
    injects = _injects(briefed)
    services.release_inject(actor=admin, inject=injects[1])
    services.skip_inject(actor=admin, inject=injects[2], reason="时间不够")
    extra = services.add_unscripted_inject(actor=admin, drill=briefed, text="突然停电")

    injects = _injects(briefed)
    assert injects[1].status == Inject.State.RELEASED and injects[1].released_by == admin
    assert injects[2].status == Inject.State.SKIPPED and injects[2].skip_reason == "时间不够"
    assert extra.unscripted and extra.status == Inject.State.RELEASED


def test_a_players_ack_and_action_log_are_recorded_with_their_times(client, briefed, now):
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    services.start_run(actor=admin, drill=briefed)
    now.advance(minutes=10)
    services.release_due(briefed)
    first = _injects(briefed)[1]
    action = first.expected_actions.get()
    client.force_login(lobby)
    page = client.get(f"/drills/{briefed.pk}/run/live/").content.decode()
    assert "一位老人在大堂摔倒" in page and "已收到" in page

    now.advance(seconds=30)
    client.post(f"/drills/{briefed.pk}/run/injects/{first.pk}/ack/")
    now.advance(seconds=45)
    client.post(f"/drills/{briefed.pk}/run/log/", {"expected_action": action.pk})
    client.post(f"/drills/{briefed.pk}/run/log/", {"text": "已拨打120"})

    player = Participant.objects.get(drill=briefed, role="player")
    ack = InjectAck.objects.get(inject=first, participant=player)
    assert ack.at == clock.now() - timedelta(seconds=45)
    logs = list(ActionLog.objects.filter(participant=player).order_by("pk"))
    assert [(log.expected_action, log.elapsed_seconds) for log in logs] == [(action, 675), (None, 675)]
    assert logs[1].text == "已拨打120" and logs[0].at == clock.now()


def test_a_player_sees_only_injects_addressed_to_them(briefed, now):
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    services.start_run(actor=admin, drill=briefed)
    other = Inject.objects.create(
        drill=briefed,
        number=9,
        offset_seconds=0,
        text="只给营运主管",
        recipient="group",
        recipient_group="无此组",
    )
    services.release_inject(actor=admin, inject=other)
    player = Participant.objects.get(drill=briefed, role="player")

    assert not other.addressed_to(player)
    with pytest.raises(InvalidInput):
        services.acknowledge_inject(
            actor=lobby, inject=Inject.objects.select_related("drill").get(pk=other.pk)
        )


def test_a_whole_run_creates_no_notice_task_or_incident(client, briefed, now):
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    before = footprint()

    services.start_run(actor=admin, drill=briefed)
    now.advance(minutes=20)
    client.force_login(lobby)
    client.get(f"/drills/{briefed.pk}/run/live/")
    for inject in Inject.objects.filter(drill=briefed, status="released").select_related("drill"):
        services.acknowledge_inject(actor=lobby, inject=inject)
    services.log_action(actor=lobby, drill=briefed, text="已报告支行")
    services.add_unscripted_inject(actor=admin, drill=briefed, text="媒体记者到场")
    services.end_run(actor=admin, drill=briefed)

    after = footprint()
    changed = {label for label in after if after[label] != before.get(label)}
    assert changed and all(label.startswith(("drills.", "audit.")) for label in changed), changed
    for label in ("notify.notice", "incidents.task", "incidents.incident"):
        assert after.get(label) == before.get(label), label


def test_a_player_cannot_release_or_skip_an_inject_and_a_controller_cannot_log(client, briefed):
    admin, lobby = _person("hexie_admin").user, _person("hexie_lobby").user
    services.start_run(actor=admin, drill=briefed)
    first = _injects(briefed)[1]
    client.force_login(lobby)
    before = footprint()

    released = client.post(f"/drills/{briefed.pk}/run/injects/{first.pk}/release/")
    skipped = client.post(f"/drills/{briefed.pk}/run/injects/{first.pk}/skip/", {"reason": "不想做"})
    client.force_login(admin)
    logged = client.post(f"/drills/{briefed.pk}/run/log/", {"text": "导调替演练人员记录"})

    assert (released.status_code, skipped.status_code, logged.status_code) == (403, 403, 403)
    assert footprint() == before


def test_the_drill_page_links_to_the_run_page_once_briefed(client, briefed):
    client.force_login(_person("hexie_lobby").user)

    page = client.get(f"/drills/{briefed.pk}/").content.decode()

    assert f'href="/drills/{briefed.pk}/run/"' in page and "演练实施" in page
