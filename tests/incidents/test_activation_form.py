"""郑和谐 (网点负责人) activates a plan from his phone: the plans that fit the event are cards to tap, the
others wait behind 其他预案; the leading group is pre-set from the plan's positions, picked with radio
buttons and checkboxes (no list boxes), and a filter box narrows the people even without JavaScript."""

import re

import pytest
from django.urls import reverse

from yingji.incidents.models import Member, MemberRole, Status, TaskKind
from yingji.plans.models import PlanVersion, VersionStatus
from yingji.plans.selectors import fitting_plans

from .factories import ReportFactory, person, with_groups

pytestmark = pytest.mark.usefixtures("library")


def form_of(client, incident, **query) -> str:
    url = reverse("incidents:activate", kwargs={"number": incident.number})
    return client.get(url, query, headers={"HX-Request": "true"}).content.decode()


def row_of(html: str, pk: int) -> str:
    """The <li> of one person in the picker."""
    start = html.rindex("<li", 0, html.index(f'id="leader-{pk}"'))
    return html[start : html.index("</li>", start)]


def test_the_plans_that_fit_come_as_cards_and_the_others_behind_a_disclosure(client, now, hexie_manager):
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    html = form_of(client, incident)

    fitting = fitting_plans(kind=incident.kind, unit_type=incident.unit.type)
    assert fitting, "the shipped library has an outlet plan for 客户意外受伤"
    other = PlanVersion.objects.filter(status=VersionStatus.APPROVED).exclude(plan__in=fitting).first()
    disclosure = html.index('id="yj-other-plans"')
    for plan in fitting:
        assert html.index(f'id="plan-{plan.current_version.pk}"') < disclosure
    assert html.index(f'id="plan-{other.pk}"') > disclosure
    assert (
        f'id="plan-{fitting[0].current_version.pk}" value="{fitting[0].current_version.pk}" checked' in html
    )
    assert "<select" not in html and "Select an option" not in html
    assert 'type="radio" name="leader"' in html and 'type="checkbox" name="deputies"' in html


def test_the_leading_group_and_the_groups_come_from_the_plan(client, now, hexie_manager, hexie_lobby):
    version = with_groups()
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    html = form_of(client, incident)

    president = person("hexie_president")
    assert f'id="plan-{version.pk}" value="{version.pk}" checked' in html
    assert re.search(rf'id="leader-{president.pk}" checked', html)
    assert re.search(rf'id="deputy-{hexie_manager.pk}" checked', html)
    assert re.search(rf'id="member-{hexie_lobby.pk}" checked', html)
    assert not re.search(rf'id="leader-{hexie_manager.pk}" checked', html)
    assert "现场处置组（网点负责人）、客户安抚组（大堂经理）" in html
    assert (
        f'data-leader="{president.pk}" data-deputies="{hexie_manager.pk}" data-members="{hexie_lobby.pk}"'
        in html
    )


def test_the_filter_hides_who_does_not_match_but_never_who_is_chosen(client, now, hexie_manager, hexie_lobby):
    with_groups()
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    html = form_of(client, incident, q="施")

    assert "hidden" not in row_of(html, person("hexie_guard").pk).split(">")[0]  # 施保安 matches
    assert "hidden" in row_of(html, person("hexie_teller").pk).split(">")[0]  # 何柜员 does not
    assert "hidden" not in row_of(html, hexie_lobby.pk).split(">")[0]  # chosen as 成员
    assert 'value="施"' in html


def test_the_filter_is_a_form_of_its_own_that_works_without_javascript(client, now, hexie_manager):
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    url = reverse("incidents:activate", kwargs={"number": incident.number})
    page = client.get(url, {"q": "何"}).content.decode()

    assert "<html" in page and 'id="yj-activate-filter-form" method="get"' in page
    assert 'form="yj-activate-filter-form"' in page and "js/activate.js" in page
    assert "hidden" in row_of(page, person("hexie_guard").pk).split(">")[0]


def test_activating_from_the_form_forms_the_plan_groups_with_tasks_in_them(
    client, now, hexie_manager, hexie_lobby
):
    version = with_groups()
    incident = ReportFactory()
    president = person("hexie_president")
    client.force_login(hexie_manager.user)
    response = client.post(
        reverse("incidents:activate", kwargs={"number": incident.number}),
        {
            "version": version.pk,
            "leader": president.pk,
            "deputies": [hexie_manager.pk],
            "members": [hexie_lobby.pk],
            "groups": "",
        },
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.ACTIVATED
    assert {(m.person.name, m.role) for m in Member.objects.filter(incident=incident)} == {
        ("刘和谐", MemberRole.LEADER),
        ("郑和谐", MemberRole.DEPUTY),
        ("王大堂", MemberRole.MEMBER),
    }
    grouped = incident.tasks.filter(kind=TaskKind.PLAN_STEP, group__name="客户安抚组")
    assert sorted(grouped.values_list("order", flat=True)) == [1, 6]
    assert incident.tasks.filter(kind=TaskKind.PLAN_STEP, group=None).count() == 3
