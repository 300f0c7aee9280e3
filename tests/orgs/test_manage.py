"""应急管理员 manage units, people and the roster in the pages; everyone else is refused, and a refusal
leaves nothing behind."""

from datetime import timedelta

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.testing import footprint
from yingji.orgs.models import DutyRoster, Person, Unit


def test_branch_administrator_adds_an_outlet_under_a_sub_branch(client, branch_duty):
    client.force_login(branch_duty.user)
    answer = client.post(
        "/orgs/units/JN01/new-unit/",
        {
            "code": "JN0103",
            "name": "和谐新城网点",
            "type": "outlet",
            "address": "和谐新城1号",
            "phone": "027-86661003",
        },
    )
    assert answer.status_code == 302
    outlet = Unit.objects.get(code="JN0103")
    assert outlet.parent_unit.code == "JN01"
    entry = AuditEntry.objects.get(action="unit.create", object_id=str(outlet.pk))
    assert entry.actor_name == "吴分值" and entry.data["parent"] == "JN01"


def test_an_outlet_cannot_be_placed_under_an_outlet(client, branch_duty):
    client.force_login(branch_duty.user)
    before = footprint()
    page = client.post("/orgs/units/JN0101/new-unit/", {"code": "X1", "name": "x", "type": "outlet"})
    assert page.status_code == 200
    assert "营业网点" in page.content.decode() or "Outlet" in page.content.decode()
    assert footprint() == before


def test_a_bad_phone_is_refused_with_a_clear_message(client, branch_duty):
    client.force_login(branch_duty.user)
    before = footprint()
    page = client.post("/orgs/units/JN01/edit/", {"name": "和谐支行", "phone": "12345"})
    assert page.status_code == 200
    assert "12345" in page.content.decode()
    assert footprint() == before


def test_lobby_manager_cannot_manage_their_own_outlet(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    before = footprint()
    assert client.get("/orgs/units/JN0101/edit/").status_code == 403
    assert (
        client.post(
            "/orgs/units/JN0101/new-person/",
            {"username": "sneaky", "name": "某人", "mobile": "13800000000", "positions": ["teller"]},
        ).status_code
        == 403
    )
    assert footprint() == before


def test_branch_administrator_cannot_touch_the_other_branch(client, branch_duty):
    client.force_login(branch_duty.user)
    before = footprint()
    answer = client.post(
        "/orgs/units/JB0101/new-person/",
        {"username": "sneaky", "name": "某人", "mobile": "13800000000", "positions": ["teller"]},
    )
    assert answer.status_code == 404
    assert footprint() == before


def test_administrator_adds_a_teller_who_then_appears_on_the_unit_page(client, branch_duty):
    client.force_login(branch_duty.user)
    answer = client.post(
        "/orgs/units/JN0102/new-person/",
        {
            "username": "plaza_teller",
            "name": "新柜员",
            "mobile": "13811112222",
            "positions": ["teller", "trainer"],
        },
    )
    person = Person.objects.get(user__username="plaza_teller")
    assert answer.url == person.get_absolute_url()
    assert sorted(p.code for p in person.positions.all()) == ["teller", "trainer"]
    assert not person.user.has_usable_password()
    assert "新柜员" in client.get("/orgs/units/JN0102/").content.decode()


def test_a_taken_username_is_refused(client, branch_duty):
    client.force_login(branch_duty.user)
    before = footprint()
    page = client.post(
        "/orgs/units/JN0102/new-person/",
        {"username": "HEXIE_LOBBY", "name": "重名", "mobile": "13811112222", "positions": ["teller"]},
    )
    assert page.status_code == 200 and "HEXIE_LOBBY" in page.content.decode()
    assert footprint() == before


def test_administrator_sets_tomorrows_duty_leader(client, branch_duty):
    client.force_login(branch_duty.user)
    tomorrow = clock.local_today() + timedelta(days=1)
    president = Person.objects.get(user__username="hexie_president")
    client.post("/orgs/units/JN0101/roster/", {"on_date": tomorrow.isoformat(), "leader": president.pk})
    assert DutyRoster.objects.get(unit__code="JN0101", on_date=tomorrow).leader == president
    assert AuditEntry.objects.filter(action="duty.assign", data__leader="刘和谐").exists()


def test_outlet_head_cannot_change_the_roster(client, hexie_manager):
    client.force_login(hexie_manager.user)
    before = footprint()
    answer = client.post(
        "/orgs/units/JN0101/roster/", {"on_date": clock.local_today().isoformat(), "leader": hexie_manager.pk}
    )
    assert answer.status_code == 403
    assert footprint() == before


def test_deactivated_person_cannot_sign_in(client, branch_duty, hexie_lobby, demo_password):
    client.force_login(branch_duty.user)
    client.post(f"/orgs/people/{hexie_lobby.pk}/active/", {"active": "0"})
    client.logout()
    answer = client.post("/login/", {"username": "hexie_lobby", "password": demo_password})
    assert answer.status_code == 200  # the form again, not a redirect into the product
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="person.deactivate", object_id=str(hexie_lobby.pk)).exists()
