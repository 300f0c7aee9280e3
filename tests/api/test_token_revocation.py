"""A deactivated person's API tokens are revoked at deactivation, with an audit entry, and do not come
back when the person is reactivated: they need a new token."""

from yingji.api.models import ApiToken
from yingji.api.services import issue_token
from yingji.audit.models import AuditEntry
from yingji.orgs import services


def me(client, raw: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})


def test_deactivation_revokes_the_tokens_and_reactivation_does_not_bring_them_back(
    client, branch_duty, hexie_lobby
):
    token, raw = issue_token(actor=branch_duty.user, person=hexie_lobby)
    assert me(client, raw).status_code == 200

    services.set_person_active(actor=branch_duty.user, person=hexie_lobby, active=False)
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="api_token.revoke", object_id=str(token.pk))
    assert entry.actor_id == branch_duty.user.pk and entry.data["reason"] == "person.deactivate"

    services.set_person_active(actor=branch_duty.user, person=hexie_lobby, active=True)
    assert me(client, raw).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None

    _, fresh = issue_token(actor=branch_duty.user, person=hexie_lobby)
    assert me(client, fresh).status_code == 200


def test_the_deactivation_page_revokes_every_live_token(client, branch_duty, hexie_lobby):
    issue_token(actor=branch_duty.user, person=hexie_lobby)
    issue_token(actor=branch_duty.user, person=hexie_lobby)
    client.force_login(branch_duty.user)
    client.post(f"/orgs/people/{hexie_lobby.pk}/active/", {"active": "0"})
    assert not ApiToken.objects.filter(person=hexie_lobby, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 2


def test_a_refused_deactivation_revokes_nothing(client, other_manager, hexie_lobby, branch_duty):
    token, _ = issue_token(actor=branch_duty.user, person=hexie_lobby)
    client.force_login(other_manager.user)
    before = AuditEntry.objects.count()
    answer = client.post(f"/orgs/people/{hexie_lobby.pk}/active/", {"active": "0"})
    assert answer.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and AuditEntry.objects.count() == before


def test_switching_a_person_off_in_djangos_user_admin_revokes_their_tokens(client, admin_user, hexie_lobby):
    issue_token(actor=admin_user, person=hexie_lobby)
    user = hexie_lobby.user
    client.force_login(admin_user)
    joined = user.date_joined.astimezone()
    answer = client.post(
        f"/django-admin/auth/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            # is_active left out: the box unticked
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
            "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active
    assert not ApiToken.objects.filter(person=hexie_lobby, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.filter(
        action="api_token.revoke", data__reason="user.deactivate_in_admin"
    ).exists()
