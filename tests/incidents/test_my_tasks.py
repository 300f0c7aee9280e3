"""王大堂 (大堂经理) opens her home page after 郑和谐 activated the plan: 我的任务 lists the open tasks she
should do, across incidents, soonest due first, each a link into its room. What someone else took, what
is done, and what belongs to an ended case is not hers any more."""

import pytest
from django.urls import reverse
from django.utils import timezone

from yingji.incidents import selectors, services
from yingji.incidents.models import TaskKind

from .factories import ReportFactory, activate, cancel, person

pytestmark = pytest.mark.usefixtures("library")


def titles(p) -> list[str]:
    return [t.title for t in selectors.my_tasks(person=p)]


def test_the_lobby_manager_s_home_lists_her_tasks_after_activation(client, now, hexie_lobby):
    incident = activate(ReportFactory())
    client.force_login(hexie_lobby.user)

    html = client.get(reverse("home")).content.decode()

    section = html[html.index('id="yj-my-tasks"') : html.index("</section>", html.index('id="yj-my-tasks"'))]
    assert "我的任务" in section
    mine = incident.tasks.filter(position__code="lobby_manager", kind=TaskKind.PLAN_STEP)
    assert mine.count() == 5
    for task in mine:
        assert f'href="{incident.get_absolute_url()}?tasks=mine#task-{task.pk}"' in section
    first = mine.exclude(due_at=None).first()
    assert f"截止 {timezone.localtime(first.due_at):%m-%d %H:%M}" in section
    assert incident.number in section


def test_soonest_due_first_and_tasks_without_a_due_time_last(now, hexie_lobby, hexie_manager):
    older = activate(ReportFactory())
    now.advance(minutes=3)
    newer = activate(ReportFactory(description="另一位客户在门口台阶扭伤"))

    tasks = list(selectors.my_tasks(person=hexie_lobby))

    dues = [t.due_at for t in tasks]
    timed = [d for d in dues if d is not None]
    assert timed == sorted(timed) and dues[: len(timed)] == timed
    assert {t.incident_id for t in tasks} == {older.pk, newer.pk}
    assert tasks[0].incident_id == older.pk


def test_a_task_someone_else_took_is_theirs_and_a_done_one_is_nobody_s(now, hexie_lobby, hexie_manager):
    incident = activate(ReportFactory())
    guard_task = incident.tasks.get(position__code="guard")
    lobby_task = incident.tasks.filter(position__code="lobby_manager").order_by("order").first()

    services.claim_task(actor=hexie_manager, task=guard_task)
    services.complete_task(actor=hexie_lobby, task=lobby_task, note="已安抚")

    assert guard_task.title in titles(hexie_manager)
    assert guard_task.title not in titles(person("hexie_guard"))
    assert lobby_task.pk not in [t.pk for t in selectors.my_tasks(person=hexie_lobby)]


def test_a_lobby_manager_who_is_not_named_still_finds_the_lobby_s_open_work(now, hexie_lobby):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").order_by("order").first()
    # As for a 大堂经理 who started after the plan was activated: nobody named her on the task.
    task.candidates.clear()

    assert task.pk in [t.pk for t in selectors.my_tasks(person=hexie_lobby)]
    assert task.pk not in [t.pk for t in selectors.my_tasks(person=person("hexie_teller"))]


def test_a_cancelled_case_leaves_no_task_on_anyone_s_list(now, hexie_lobby):
    incident = activate(ReportFactory())
    cancel(incident)

    assert titles(hexie_lobby) == []


def test_the_outlet_head_of_another_outlet_does_not_get_this_outlet_s_tasks(now, hexie_lobby, plaza_manager):
    incident = activate(ReportFactory())
    head_task = incident.tasks.get(position__code="outlet_head")

    assert head_task.pk in [t.pk for t in selectors.my_tasks(person=person("hexie_manager"))]
    assert selectors.my_tasks(person=plaza_manager).count() == 0


def test_an_overdue_task_is_marked_on_the_home_page(client, now, hexie_lobby):
    activate(ReportFactory())
    now.advance(minutes=11)
    client.force_login(hexie_lobby.user)

    html = client.get(reverse("home")).content.decode()

    assert "逾期" in html[html.index('id="yj-my-tasks"') :].split("</section>")[0]


def test_a_person_with_nothing_to_do_is_told_so(client, now, hexie_lobby):
    client.force_login(hexie_lobby.user)
    html = client.get(reverse("home")).content.decode()
    assert "您目前没有待办任务。" in html


def test_the_home_page_reads_my_tasks_in_a_fixed_number_of_queries(
    client, now, hexie_lobby, django_assert_max_num_queries
):
    for minutes in (0, 1, 2):
        now.advance(minutes=minutes)
        activate(ReportFactory())
    client.force_login(hexie_lobby.user)
    client.get(reverse("home"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200
