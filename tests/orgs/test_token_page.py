"""An emergency administrator issues an API token from a person's page: shown once, stored as a hash,
recorded in the audit log; anyone who may not edit that person is refused and nothing changes."""

from yingji.api.models import ApiToken
from yingji.api.services import authenticate_token
from yingji.audit.models import AuditEntry
from yingji.core.testing import footprint


def test_a_branch_administrator_issues_a_token_for_a_lobby_manager_and_sees_it_once(
    client, branch_duty, hexie_lobby
):
    client.force_login(branch_duty.user)
    page = client.post(f"/orgs/people/{hexie_lobby.pk}/tokens/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    raw = page.context["new_token"]
    assert raw.startswith("yj_") and raw in page.content.decode()
    token = ApiToken.objects.get(person=hexie_lobby)
    assert token.key_hash != raw and authenticate_token(raw).pk == hexie_lobby.user.pk
    entry = AuditEntry.objects.get(action="api_token.issue")
    assert (entry.actor_id, entry.data["prefix"]) == (branch_duty.user.pk, token.prefix)

    again = client.get(f"/orgs/people/{hexie_lobby.pk}/").content.decode()
    assert raw not in again and f"{token.prefix}…" in again


def test_the_person_page_offers_the_button_not_a_command(client, branch_duty, hexie_lobby):
    client.force_login(branch_duty.user)
    html = client.get(f"/orgs/people/{hexie_lobby.pk}/").content.decode()
    assert f'action="/orgs/people/{hexie_lobby.pk}/tokens/"' in html and "签发令牌" in html
    assert "manage.py" not in html and "issue_token" not in html


def test_a_revoked_token_is_listed_as_revoked(client, branch_duty, hexie_lobby):
    client.force_login(branch_duty.user)
    client.post(f"/orgs/people/{hexie_lobby.pk}/tokens/")
    token = ApiToken.objects.get(person=hexie_lobby)
    client.post(f"/tokens/{token.pk}/revoke/")
    html = client.get(f"/orgs/people/{hexie_lobby.pk}/").content.decode()
    assert f"{token.prefix}…" in html and "已吊销" in html
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_an_outlet_head_cannot_issue_a_token_and_nothing_changes(client, hexie_manager, hexie_lobby):
    client.force_login(hexie_manager.user)
    assert (
        f"/orgs/people/{hexie_lobby.pk}/tokens/"
        not in client.get(f"/orgs/people/{hexie_lobby.pk}/").content.decode()
    )
    before = footprint()
    assert client.post(f"/orgs/people/{hexie_lobby.pk}/tokens/").status_code == 403
    assert footprint() == before


def test_someone_of_another_outlet_gets_a_404_and_nothing_changes(client, other_manager, hexie_lobby):
    client.force_login(other_manager.user)
    before = footprint()
    assert client.post(f"/orgs/people/{hexie_lobby.pk}/tokens/").status_code == 404
    assert footprint() == before


def test_a_token_cannot_be_issued_by_a_get(client, branch_duty, hexie_lobby):
    client.force_login(branch_duty.user)
    before = footprint()
    assert client.get(f"/orgs/people/{hexie_lobby.pk}/tokens/").status_code == 405
    assert footprint() == before
