"""郑和谐 activates a plan that has its own working groups: the groups are formed with the leaders the
plan's positions give, and each task is in the group its step names; steps without a group stay
未分组."""

import pytest

from yingji.incidents import services
from yingji.incidents.models import TaskKind

from .factories import ReportFactory, person, with_groups

pytestmark = pytest.mark.usefixtures("library")


def activate_with_groups(incident, *, groups=(), members=("hexie_lobby",), deputies=("hexie_manager",)):
    return services.activate_plan(
        actor=person("hexie_manager"),
        incident=incident,
        version=with_groups(),
        leader=person("hexie_president"),
        deputies=[person(u) for u in deputies],
        members=[person(u) for u in members],
        groups=list(groups),
    )


def groups_of(incident) -> list[tuple[str, str | None]]:
    return [(g.name, g.leader.name if g.leader else None) for g in incident.groups.order_by("pk")]


def tasks_by_group(incident) -> dict[int, str | None]:
    tasks = incident.tasks.filter(kind=TaskKind.PLAN_STEP).select_related("group")
    return {t.order: t.group.name if t.group else None for t in tasks}


def test_the_plan_s_groups_are_formed_and_each_task_is_in_its_step_s_group(now, hexie_lobby):
    incident = activate_with_groups(ReportFactory())
    assert groups_of(incident) == [("现场处置组", "郑和谐"), ("客户安抚组", "王大堂")]
    assert tasks_by_group(incident) == {
        1: "客户安抚组",
        2: None,
        3: None,
        4: "现场处置组",
        5: "现场处置组",
        6: "客户安抚组",
        7: None,
    }


def test_a_plan_group_has_no_leader_when_nobody_of_the_leading_group_holds_its_position(now, hexie_lobby):
    incident = activate_with_groups(ReportFactory(), members=(), deputies=())
    assert groups_of(incident) == [("现场处置组", None), ("客户安抚组", None)]
    assert tasks_by_group(incident)[1] == "客户安抚组"


def test_typed_groups_add_to_the_plan_s_and_a_typed_leader_wins(now, hexie_lobby):
    incident = activate_with_groups(ReportFactory(), groups=["客户安抚组：郑和谐", "后勤保障组"])
    assert groups_of(incident) == [("现场处置组", "郑和谐"), ("客户安抚组", "郑和谐"), ("后勤保障组", None)]


def test_a_plan_without_groups_leaves_every_task_ungrouped(now, hexie_lobby):
    incident = services.activate_plan(
        actor=person("hexie_manager"),
        incident=ReportFactory(),
        version=with_groups(groups=[], step_groups={}, leadership={}),
        leader=person("hexie_president"),
    )
    assert groups_of(incident) == []
    assert set(tasks_by_group(incident).values()) == {None}
