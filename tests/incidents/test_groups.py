"""Working groups: 郑和谐 names each group's leader when he activates the plan (“现场处置组：王大堂”), those
who decide put tasks into groups and change a group's leader from the room, the board shows the tasks
under their group's heading, and an overdue task of a group reminds that group's leader."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.incidents import services
from yingji.incidents.models import Incident, Status, Task, TimelineEvent, WorkingGroup
from yingji.incidents.services.tasks import remind_overdue
from yingji.notify.models import Notice
from yingji.orgs import services as orgs
from yingji.orgs.models import Unit

from .factories import ReportFactory, approved, cancel, person

pytestmark = pytest.mark.usefixtures("library")

AT_ONCE = "网点负责人打电话"  # the drill plan's step due ten minutes after activation


def activate(incident: Incident, *, groups, leader="hexie_president", members=("hexie_lobby", "hexie_guard")):
    """郑和谐 activates the drill plan; 刘和谐 leads, 王大堂 and 施保安 are members."""
    return services.activate_plan(
        actor=person("hexie_manager"),
        incident=incident,
        version=approved("outlet-service-customer-injured"),
        leader=person(leader),
        members=[person(m) for m in members],
        groups=groups,
    )


def leaders(incident: Incident) -> dict[str, str | None]:
    return {
        g.name: g.leader.name if g.leader else None
        for g in WorkingGroup.objects.filter(incident=incident).select_related("leader")
    }


def notices_to(someone, incident: Incident) -> list[Notice]:
    return list(Notice.objects.filter(subject_id=incident.pk, recipient=someone).order_by("pk"))


def room_url(incident: Incident, name: str, **kwargs) -> str:
    return reverse(f"incidents:{name}", kwargs={"number": incident.number, **kwargs})


@pytest.fixture
def case(now, hexie_lobby) -> Incident:
    """Activated with two groups: 现场处置组 led by 王大堂, 后勤保障组 without a leader yet."""
    incident = ReportFactory()
    activate(incident, groups=["现场处置组：王大堂", "后勤保障组"])
    incident.refresh_from_db()
    return incident


def group(incident: Incident, name: str) -> WorkingGroup:
    return WorkingGroup.objects.get(incident=incident, name=name)


# --- naming the leaders at activation ---------------------------------------------------------------


def test_the_group_leader_named_at_activation_is_stored(now, hexie_lobby):
    incident = ReportFactory()
    activate(incident, groups=["现场处置组：王大堂", "后勤保障组:施保安", "联络组", "现场处置组"])
    assert leaders(incident) == {"现场处置组": "王大堂", "后勤保障组": "施保安", "联络组": None}
    audit = AuditEntry.objects.get(action="incident.activate")
    assert audit.data["group_leaders"] == {"现场处置组": "王大堂", "后勤保障组": "施保安"}


def test_the_activation_form_takes_the_leader_after_a_colon(client, now, hexie_lobby, hexie_manager):
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    answer = client.post(
        room_url(incident, "activate"),
        {
            "version": approved("outlet-service-customer-injured").pk,
            "leader": hexie_manager.pk,
            "members": [hexie_lobby.pk],
            "groups": "现场处置组：王大堂、后勤保障组\n联络组:郑和谐",
        },
    )
    assert answer.status_code == 302
    assert leaders(incident) == {"现场处置组": "王大堂", "后勤保障组": None, "联络组": "郑和谐"}


@pytest.fixture
def second_wang(admin_user):
    """Another 王大堂, a teller at the same outlet."""
    return orgs.create_person(
        actor=admin_user,
        unit=Unit.objects.get(code="JN0101"),
        username="hexie_wang2",
        name="王大堂",
        mobile="13900000099",
        position_codes=["teller"],
    )


@pytest.mark.parametrize(
    ("groups", "members"),
    [
        (["现场处置组：李四"], ["hexie_lobby"]),  # nobody of that name
        (["现场处置组：孔广场"], ["hexie_lobby"]),  # someone, but not in the leading group
        (["现场处置组：王大堂"], ["hexie_lobby", "hexie_wang2"]),  # two of that name
        (["：王大堂"], ["hexie_lobby"]),  # a leader without a group
        (["现场处置组：王大堂", "现场处置组：施保安"], ["hexie_lobby", "hexie_guard"]),  # two leaders
    ],
    ids=["unknown", "outside the group", "ambiguous", "no group name", "two leaders"],
)
def test_a_leader_name_that_is_not_exactly_one_member_is_refused_and_nothing_is_written(
    now, hexie_lobby, second_wang, groups, members
):
    incident = ReportFactory()
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        activate(incident, groups=groups, members=members)
    assert "groups" in refused.value.fields
    assert footprint() == before
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED


def test_the_activation_page_says_why_a_leader_name_is_refused(client, now, hexie_lobby, hexie_manager):
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    before = footprint()
    answer = client.post(
        room_url(incident, "activate"),
        {
            "version": approved("outlet-service-customer-injured").pk,
            "leader": hexie_manager.pk,
            "groups": "现场处置组：李四",
        },
        follow=True,
    )
    assert answer.status_code == 200 and "李四" in answer.content.decode()
    assert footprint() == before


# --- moving tasks and naming leaders in the room ------------------------------------------------------


def sections(html: str) -> dict[str, list[int]]:
    """The board as the page shows it: each group heading's id (yj-no-group for the tasks in none) with
    the task ids under it."""
    board = html[html.index('id="yj-task-board"') :]
    found: dict[str, list[int]] = {}
    current = "yj-no-group"
    for match in re.finditer(r'id="(group-\d+|yj-no-group|task-\d+)"', board):
        anchor = match.group(1)
        if not anchor.startswith("task-"):
            current = anchor
            found[current] = []
        else:
            found.setdefault(current, []).append(int(anchor.removeprefix("task-")))
    return found


def test_a_task_moved_into_a_group_shows_under_that_groups_heading(client, case, hexie_manager):
    task = case.tasks.get(title__startswith=AT_ONCE)
    logistics = group(case, "后勤保障组")
    client.force_login(hexie_manager.user)
    answer = client.post(room_url(case, "task_group", task_id=task.pk), {"group": logistics.pk})
    assert answer.status_code == 302 and answer.url.endswith(f"#task-{task.pk}")
    task.refresh_from_db()
    assert task.group == logistics

    page = client.get(case.get_absolute_url()).content.decode()
    board = sections(page)
    assert board[f"group-{logistics.pk}"] == [task.pk]
    assert board[f"group-{group(case, '现场处置组').pk}"] == []
    assert task.pk not in board["yj-no-group"] and len(board["yj-no-group"]) > 1
    assert "王大堂" in page  # the leader in 现场处置组's heading
    entry = case.timeline.filter(event=TimelineEvent.TASK).latest("pk")
    assert entry.actor == hexie_manager and "后勤保障组" in entry.text
    audit = AuditEntry.objects.filter(action="task.assign_group").get()
    assert audit.data == {"group": "后勤保障组", "before": None}

    client.post(room_url(case, "task_group", task_id=task.pk), {"group": ""})
    task.refresh_from_db()
    assert task.group is None


def test_through_htmx_the_live_region_comes_back_with_the_board(client, case, hexie_manager):
    task = case.tasks.get(title__startswith=AT_ONCE)
    scene = group(case, "现场处置组")
    client.force_login(hexie_manager.user)
    answer = client.post(
        room_url(case, "task_group", task_id=task.pk), {"group": scene.pk}, headers={"HX-Request": "true"}
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in html
    assert sections(html)[f"group-{scene.pk}"] == [task.pk]
    assert 'class="alert alert-success' in html

    refused = client.post(
        room_url(case, "task_group", task_id=task.pk), {"group": 999999}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 200 and 'class="alert alert-danger' in refused.content.decode()


def test_a_group_gets_its_leader_from_the_room_and_is_told(client, case, hexie_manager, hexie_guard):
    logistics = group(case, "后勤保障组")
    client.force_login(hexie_manager.user)
    page = client.get(case.get_absolute_url()).content.decode()
    assert room_url(case, "group_leader", group_id=logistics.pk) in page
    before = len(notices_to(hexie_guard, case))

    answer = client.post(room_url(case, "group_leader", group_id=logistics.pk), {"leader": hexie_guard.pk})

    assert answer.status_code == 302 and answer.url.endswith(f"#group-{logistics.pk}")
    logistics.refresh_from_db()
    assert logistics.leader == hexie_guard
    [told] = notices_to(hexie_guard, case)[before:]
    assert "后勤保障组" in told.title and told.ack_due_at is None
    assert AuditEntry.objects.filter(action="group.set_leader").get().data["leader"] == "施保安"
    assert case.timeline.filter(event=TimelineEvent.TASK, text__contains="后勤保障组").exists()
    html = client.get(case.get_absolute_url()).content.decode()
    heading = html[html.index(f'id="group-{logistics.pk}"') :]
    assert "施保安" in heading[: heading.index("</h3>")]


def test_a_leader_from_outside_the_leading_group_is_refused_on_the_page(client, case, hexie_manager):
    logistics = group(case, "后勤保障组")
    client.force_login(hexie_manager.user)
    before = footprint()
    answer = client.post(
        room_url(case, "group_leader", group_id=logistics.pk), {"leader": person("hexie_teller").pk}
    )
    assert answer.status_code == 302
    assert footprint() == before


def test_who_cannot_decide_sees_no_group_controls_and_gets_403(client, case):
    teller = person("hexie_teller")
    task = case.tasks.first()
    client.force_login(teller.user)
    page = client.get(case.get_absolute_url()).content.decode()
    assert room_url(case, "task_group", task_id=task.pk) not in page
    assert room_url(case, "group_leader", group_id=group(case, "现场处置组").pk) not in page
    before = footprint()
    answer = client.post(
        room_url(case, "task_group", task_id=task.pk), {"group": group(case, "现场处置组").pk}
    )
    assert answer.status_code == 403
    assert footprint() == before


# --- who may, and when ----------------------------------------------------------------------------------


def test_a_person_from_another_branch_cannot_move_a_task_or_name_a_leader(case, other_manager, hexie_guard):
    task = case.tasks.first()
    before = footprint()
    with pytest.raises(NotVisible):
        services.assign_task_to_group(actor=other_manager, task=task, group=group(case, "现场处置组"))
    with pytest.raises(NotVisible):
        services.set_group_leader(actor=other_manager, group=group(case, "后勤保障组"), leader=hexie_guard)
    assert footprint() == before


def test_a_teller_who_cannot_decide_cannot_move_a_task_or_name_a_leader(case, hexie_guard):
    teller = person("hexie_teller")
    task = case.tasks.first()
    before = footprint()
    with pytest.raises(NotAllowed):
        services.assign_task_to_group(actor=teller, task=task, group=group(case, "现场处置组"))
    with pytest.raises(NotAllowed):
        services.set_group_leader(actor=teller, group=group(case, "后勤保障组"), leader=hexie_guard)
    assert footprint() == before


def test_the_incidents_group_leader_organises_the_groups_without_a_deciding_position(now, hexie_lobby):
    incident = ReportFactory()
    activate(incident, groups=["现场处置组"], leader="hexie_lobby", members=["hexie_guard"])
    task = incident.tasks.first()
    scene = group(incident, "现场处置组")
    services.assign_task_to_group(actor=hexie_lobby, task=task, group=scene)
    services.set_group_leader(actor=hexie_lobby, group=scene, leader=person("hexie_guard"))
    task.refresh_from_db()
    scene.refresh_from_db()
    assert task.group == scene and scene.leader.name == "施保安"


def test_a_group_of_another_incident_is_refused(case, hexie_manager):
    other = ReportFactory(description="另一位客户摔倒")
    activate(other, groups=["现场处置组"])
    task = case.tasks.first()
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.assign_task_to_group(actor=hexie_manager, task=task, group=group(other, "现场处置组"))
    assert "group" in refused.value.fields
    assert footprint() == before


def test_a_leader_who_is_not_in_the_leading_group_is_refused(case, hexie_manager):
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.set_group_leader(
            actor=hexie_manager, group=group(case, "后勤保障组"), leader=person("hexie_teller")
        )
    assert "leader" in refused.value.fields
    assert footprint() == before


def test_after_a_false_alarm_the_groups_do_not_change(case, hexie_manager, hexie_guard):
    cancel(case)
    case.refresh_from_db()
    task = Task.objects.select_related("incident").filter(incident=case).first()
    before = footprint()
    with pytest.raises(InvalidTransition):
        services.assign_task_to_group(actor=hexie_manager, task=task, group=group(case, "现场处置组"))
    with pytest.raises(InvalidTransition):
        services.set_group_leader(actor=hexie_manager, group=group(case, "后勤保障组"), leader=hexie_guard)
    assert footprint() == before


def test_moving_a_task_where_it_already_is_writes_nothing(case, hexie_manager):
    task = case.tasks.first()
    scene = group(case, "现场处置组")
    services.assign_task_to_group(actor=hexie_manager, task=task, group=scene)
    before = footprint()
    services.assign_task_to_group(actor=hexie_manager, task=task, group=scene)
    services.set_group_leader(actor=hexie_manager, group=scene, leader=person("hexie_lobby"))
    assert footprint() == before


# --- the overdue escalation ---------------------------------------------------------------------------


def test_an_overdue_task_in_a_group_reminds_that_groups_leader(now, case, hexie_manager, hexie_president):
    task = case.tasks.get(title__startswith=AT_ONCE)
    services.assign_task_to_group(actor=hexie_manager, task=task, group=group(case, "现场处置组"))
    lobby = person("hexie_lobby")
    now.advance(minutes=11)
    assert remind_overdue(task.pk) == "owner reminded"
    lobby_before = len(notices_to(lobby, case))
    president_before = len(notices_to(hexie_president, case))
    now.advance(minutes=10)

    assert remind_overdue(task.pk) == "leader reminded"

    [still] = notices_to(lobby, case)[lobby_before:]
    assert AT_ONCE in still.title
    assert len(notices_to(hexie_president, case)) == president_before, (
        "the group's leader, not the incident's"
    )


def test_an_overdue_task_in_a_group_without_a_leader_reminds_the_incidents_leader(
    now, case, hexie_manager, hexie_president
):
    task = case.tasks.get(title__startswith=AT_ONCE)
    services.assign_task_to_group(actor=hexie_manager, task=task, group=group(case, "后勤保障组"))
    now.advance(minutes=11)
    remind_overdue(task.pk)
    before = len(notices_to(hexie_president, case))
    now.advance(minutes=10)
    assert remind_overdue(task.pk) == "leader reminded"
    assert len(notices_to(hexie_president, case)) == before + 1


# --- the room stays cheap -----------------------------------------------------------------------------


def test_the_room_runs_the_same_queries_however_many_groups_and_tasks_in_them(client, now, hexie_manager):
    small = ReportFactory()
    activate(small, groups=["现场处置组"])
    large = ReportFactory(description="另一位客户摔倒")
    activate(large, groups=["现场处置组：王大堂", "后勤保障组：施保安", "联络组：刘和谐", "宣传组:王大堂"])
    groups = list(WorkingGroup.objects.filter(incident=large))
    for i, task in enumerate(large.tasks.select_related("incident")):
        services.assign_task_to_group(actor=hexie_manager, task=task, group=groups[i % len(groups)])
    client.force_login(hexie_manager.user)

    def queries(incident: Incident) -> int:
        client.get(incident.get_absolute_url())  # warm the session and the caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(incident.get_absolute_url()).status_code == 200
        return len(captured)

    assert queries(large) == queries(small)
