"""Every path that sets a password runs the bank's password validators (Chinese messages), and a
"change" to the same password is refused."""

import pytest
from django.core.management import call_command

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput
from yingji.core.testing import footprint
from yingji.orgs import services
from yingji.orgs.models import Person, Unit

WEAK = "12345678"
STRONG = "Another#Pass-2026"


def test_a_new_person_with_12345678_is_refused_on_the_page(client, branch_duty):
    client.force_login(branch_duty.user)
    before = footprint()
    page = client.post(
        "/orgs/units/JN0102/new-person/",
        {
            "username": "plaza_teller",
            "name": "新柜员",
            "mobile": "13811112222",
            "positions": ["teller"],
            "password": WEAK,
        },
    )
    assert page.status_code == 200
    assert "这个密码太常见了" in page.content.decode()
    assert footprint() == before
    assert not Person.objects.filter(user__username="plaza_teller").exists()


def test_a_new_person_with_a_strong_password_can_sign_in(client, branch_duty):
    client.force_login(branch_duty.user)
    client.post(
        "/orgs/units/JN0102/new-person/",
        {
            "username": "plaza_teller",
            "name": "新柜员",
            "mobile": "13811112222",
            "positions": ["teller"],
            "password": STRONG,
        },
    )
    assert Person.objects.get(user__username="plaza_teller").user.check_password(STRONG)


def test_the_service_refuses_a_password_like_the_username(admin_user):
    before = footprint()
    with pytest.raises(InvalidInput) as refusal:
        services.create_person(
            actor=admin_user,
            unit=Unit.objects.get(code="JN0102"),
            username="plaza_teller",
            name="新柜员",
            mobile="13811112222",
            position_codes=["teller"],
            password="plaza_teller",
        )
    assert "相似" in refusal.value.fields["password"]
    assert footprint() == before


def test_an_administrator_cannot_reset_to_12345678(client, branch_duty, hexie_lobby):
    client.force_login(branch_duty.user)
    before = footprint()
    page = client.post(f"/orgs/people/{hexie_lobby.pk}/password/", {"password": WEAK})
    assert page.status_code == 200 and "这个密码太常见了" in page.content.decode()
    assert footprint() == before


def test_an_administrator_cannot_reset_to_the_same_password(client, branch_duty, hexie_lobby, demo_password):
    client.force_login(branch_duty.user)
    before = footprint()
    page = client.post(f"/orgs/people/{hexie_lobby.pk}/password/", {"password": demo_password})
    assert page.status_code == 200 and "与当前密码相同" in page.content.decode()
    assert footprint() == before


def test_changing_ones_own_password_to_12345678_is_refused(client, hexie_lobby, demo_password):
    client.force_login(hexie_lobby.user)
    before = AuditEntry.objects.count()
    page = client.post(
        "/password/", {"old_password": demo_password, "new_password1": WEAK, "new_password2": WEAK}
    )
    assert page.status_code == 200 and "这个密码太常见了" in page.content.decode()
    assert AuditEntry.objects.count() == before
    hexie_lobby.user.refresh_from_db()
    assert hexie_lobby.user.check_password(demo_password)


def test_changing_ones_own_password_to_the_same_one_is_refused(client, hexie_lobby, demo_password):
    client.force_login(hexie_lobby.user)
    password_hash = hexie_lobby.user.password
    before = AuditEntry.objects.count()
    page = client.post(
        "/password/",
        {"old_password": demo_password, "new_password1": demo_password, "new_password2": demo_password},
    )
    assert page.status_code == 200 and "与当前密码相同" in page.content.decode()
    assert AuditEntry.objects.count() == before
    hexie_lobby.user.refresh_from_db()
    assert hexie_lobby.user.password == password_hash


def test_the_demo_refuses_a_weak_demo_password(demo, settings):
    """`load_demo` takes the demo users' password from the operator (YINGJI_DEMO_PASSWORD)."""
    from django.contrib.auth.models import User

    Person.objects.filter(user__username="cc_agent").delete()
    User.objects.filter(username="cc_agent").delete()
    settings.DEMO_PASSWORD = WEAK
    with pytest.raises(InvalidInput):
        call_command("load_demo")
