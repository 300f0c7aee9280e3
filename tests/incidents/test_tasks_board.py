"""In the room: tasks under the working groups the plan gives them, a 不适用 task that says so and why
(never 完成于), and chips at the top of the task list to show 全部, 我的 or one position's tasks."""

import pytest

from yingji.incidents import services

from .factories import ReportFactory, activate, person, with_groups

pytestmark = pytest.mark.usefixtures("library")


def activated_with_groups():
    return services.activate_plan(
        actor=person("hexie_manager"),
        incident=ReportFactory(),
        version=with_groups(),
        leader=person("hexie_president"),
        deputies=[person("hexie_manager")],
        members=[person("hexie_lobby")],
    )


def board(client, incident, **query) -> str:
    html = client.get(incident.get_absolute_url(), query).content.decode()
    start = html.index('id="yj-task-board"')
    return html[start : html.index('id="actions"', start)]


def test_a_task_marked_not_applicable_says_so_and_why_and_not_when_it_was_done(
    client, now, hexie_lobby, hexie_manager
):
    incident = activate(ReportFactory())
    task = incident.tasks.get(branch="重伤")
    services.task_not_applicable(actor=hexie_manager, task=task, reason="客户仅擦伤，无需急救")
    client.force_login(hexie_lobby.user)

    html = board(client, incident)
    row = html[html.index(f'id="task-{task.pk}"') : html.index("</li>", html.index(f'id="task-{task.pk}"'))]
    assert "不适用：客户仅擦伤，无需急救" in row
    assert "完成于" not in row


def test_a_done_task_still_says_when_it_was_done(client, now, hexie_lobby):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").order_by("order").first()
    services.complete_task(actor=hexie_lobby, task=task, note="已安抚")
    client.force_login(hexie_lobby.user)

    html = board(client, incident)
    row = html[html.index(f'id="task-{task.pk}"') : html.index("</li>", html.index(f'id="task-{task.pk}"'))]
    assert "完成于" in row and "不适用：" not in row


def test_the_tasks_show_under_the_groups_the_plan_gives_them(client, now, hexie_lobby):
    incident = activated_with_groups()
    client.force_login(hexie_lobby.user)
    html = board(client, incident)

    calm = incident.groups.get(name="客户安抚组")
    first = incident.tasks.get(order=1)
    report_up = incident.tasks.get(order=7)
    assert html.index(f'id="group-{calm.pk}"') < html.index(f'id="task-{first.pk}"')
    assert html.index('id="yj-no-group"') < html.index(f'id="task-{report_up.pk}"')
    assert "客户安抚组" in html and "组长 王大堂" in html


def test_the_task_list_filters_by_position(client, now, hexie_lobby):
    incident = activate(ReportFactory())
    client.force_login(hexie_lobby.user)
    guard_task = incident.tasks.get(position__code="guard")
    lobby_task = incident.tasks.filter(position__code="lobby_manager").first()

    everything = board(client, incident)
    guards = board(client, incident, tasks="guard")

    assert 'id="yj-task-filter"' in everything
    for chip in ("全部", "我的", "大堂经理", "保安", "网点负责人"):
        assert f">{chip}</a>" in everything
    assert f'id="task-{guard_task.pk}"' in guards and f'id="task-{lobby_task.pk}"' not in guards
    assert 'href="/incidents/' in guards and 'aria-current="true" data-yj-filter="guard"' in guards


def test_mine_shows_what_the_person_should_do_here(client, now, hexie_lobby):
    incident = activate(ReportFactory())
    client.force_login(hexie_lobby.user)

    mine = board(client, incident, tasks="mine")

    for task in incident.tasks.all():
        shown = f'id="task-{task.pk}"' in mine
        assert shown == (task.position is not None and task.position.code == "lobby_manager"), task.title


def test_an_unknown_filter_shows_every_task(client, now, hexie_lobby):
    incident = activate(ReportFactory())
    client.force_login(hexie_lobby.user)

    html = board(client, incident, tasks="<script>")

    assert all(f'id="task-{t.pk}"' in html for t in incident.tasks.all())
    assert "<script>" not in html


def test_the_live_region_keeps_the_filter_when_it_refreshes(client, now, hexie_lobby):
    incident = activate(ReportFactory())
    client.force_login(hexie_lobby.user)

    page = client.get(incident.get_absolute_url(), {"tasks": "guard"}).content.decode()
    live = client.get(f"/incidents/{incident.number}/live/", {"tasks": "guard"}).content.decode()

    assert f"/incidents/{incident.number}/live/?tasks=guard" in page
    lobby_task = incident.tasks.filter(position__code="lobby_manager").first()
    assert f'id="task-{lobby_task.pk}"' not in live
