"""A user sees their own unit and everything below it, never a sibling's; outside is a plain 404."""

import pytest

from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit


def codes(units) -> set[str]:
    return {u.code for u in units}


def test_outlet_head_sees_only_own_outlet(hexie_manager):
    assert codes(visibility.visible_units(hexie_manager.user)) == {"JN0101"}


def test_branch_administrator_sees_own_branch_subtree_not_the_other_branch(branch_duty):
    seen = codes(visibility.visible_units(branch_duty.user))
    # branch_duty sits in the branch's 办公室, a department, which acts for the branch.
    assert {"JN", "JN01", "JN02", "JN0101", "JN0102", "JN0201", "JN0202", "JN-BGS"} == seen
    assert "JB" not in seen and "HQ" not in seen


def test_head_office_administrator_sees_the_whole_bank(hq_duty):
    assert visibility.visible_units(hq_duty.user).count() == Unit.objects.count()
    assert visibility.is_head_office(hq_duty.user)


def test_call_centre_lead_sees_only_the_call_centre(cc_lead):
    assert codes(visibility.visible_units(cc_lead.user)) == {"CC"}


@pytest.mark.parametrize("code", ["JB0101", "JB", "JN0102", "HQ", "CC"])
def test_outlet_head_gets_404_for_units_outside_their_outlet(client, hexie_manager, code):
    client.force_login(hexie_manager.user)
    assert client.get(f"/orgs/units/{code}/").status_code == 404


def test_a_missing_unit_and_a_hidden_unit_answer_the_same(client, hexie_manager):
    client.force_login(hexie_manager.user)
    hidden = client.get("/orgs/units/JB0101/")
    missing = client.get("/orgs/units/NO-SUCH/")
    assert hidden.status_code == missing.status_code == 404

    def without_tokens(answer) -> str:
        # Each page carries its own CSRF token and its own path (for the language switch); nothing else
        # may differ.
        import re

        return re.sub(
            r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|name="next" value=")[^"]+',
            "",
            answer.content.decode(),
        )

    assert without_tokens(hidden) == without_tokens(missing)


def test_other_branch_manager_cannot_open_a_hexie_persons_page(client, other_manager, hexie_lobby):
    client.force_login(other_manager.user)
    assert client.get(hexie_lobby.get_absolute_url()).status_code == 404
    assert client.get(f"/orgs/units/{hexie_lobby.unit.code}/roster/").status_code == 404


def test_tree_lists_only_the_visible_subtree(client, other_manager):
    client.force_login(other_manager.user)
    page = client.get("/orgs/").content.decode()
    assert "城北营业部" in page
    assert "和谐路营业部" not in page and "江南分行" not in page and "总行" not in page


def test_unit_page_lists_people_and_todays_duty_leader(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get("/orgs/units/JN0101/").content.decode()
    assert "王大堂" in page and "郑和谐" in page
    leader = visibility.person_of(hexie_lobby.user)
    assert leader is not None
    from yingji.core import clock
    from yingji.orgs.selectors import duty_leader

    today_leader = duty_leader(unit=hexie_lobby.unit, on_date=clock.local_today())
    assert today_leader is not None and today_leader.name in page


def test_unit_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, hq_duty):
    client.force_login(hq_duty.user)
    with django_assert_max_num_queries(20):
        client.get("/orgs/units/JN0101/")
    with django_assert_max_num_queries(20):
        client.get("/orgs/")


def test_person_with_no_unit_sees_nothing(db, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="x-Long-Password-1")
    assert not visibility.visible_units(loner).exists()
    assert not Person.objects.filter(visibility.scope(loner)).exists()
