"""Sign-in: argon2, lockout after five failures for 15 minutes, idle expiry, CSRF, audited password change."""

from datetime import timedelta

from django.conf import settings
from django.test import Client

from yingji.audit.models import AuditEntry


def attempt(client, password: str):
    return client.post("/login/", {"username": "hexie_lobby", "password": password})


def test_lobby_manager_signs_in_and_lands_on_home(client, demo_password, hexie_lobby):
    answer = attempt(client, demo_password)
    assert answer.status_code == 302 and answer.url == "/"
    assert "王大堂" in client.get("/").content.decode()


def test_passwords_are_hashed_with_argon2(hexie_lobby):
    assert hexie_lobby.user.password.startswith("argon2")
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, demo_password, hexie_lobby):
    for _ in range(5):
        attempt(client, "wrong-password")
    answer = attempt(client, demo_password)
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another browser (another address) is locked out too: the lock is on the account.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert attempt(other, demo_password).status_code == 429


def test_four_wrong_passwords_do_not_lock(client, demo_password, hexie_lobby):
    for _ in range(4):
        attempt(client, "wrong-password")
    assert attempt(client, demo_password).status_code == 302


def test_the_lock_lifts_after_15_minutes(client, demo_password, hexie_lobby):
    from axes.models import AccessAttempt

    for _ in range(5):
        attempt(client, "wrong-password")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16)
    )
    assert attempt(client, demo_password).status_code == 302


def test_session_expires_after_eight_idle_hours():
    # Renewed by core.middleware.SessionRenewalMiddleware (tests/core/test_session_renewal.py).
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_RENEW_SECONDS == 60


def test_pages_need_a_session(client, demo):
    answer = client.get("/orgs/")
    assert answer.status_code == 302 and answer.url.startswith("/login/")


def test_a_form_without_csrf_token_is_refused(demo, hexie_lobby, demo_password):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"username": "hexie_lobby", "password": demo_password}).status_code == 403


def test_changing_the_own_password_is_audited(client, hexie_lobby, demo_password):
    client.force_login(hexie_lobby.user)
    answer = client.post(
        "/password/",
        {
            "old_password": demo_password,
            "new_password1": "Another#Pass-2026",
            "new_password2": "Another#Pass-2026",
        },
    )
    assert answer.status_code == 302
    hexie_lobby.user.refresh_from_db()
    assert hexie_lobby.user.check_password("Another#Pass-2026")
    assert AuditEntry.objects.filter(action="account.change_password", object_id=str(hexie_lobby.pk)).exists()
    # Still signed in after the change.
    assert client.get("/").status_code == 200


def test_a_wrong_old_password_changes_nothing(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    before = AuditEntry.objects.count()
    page = client.post(
        "/password/",
        {"old_password": "nope", "new_password1": "Another#Pass-2026", "new_password2": "Another#Pass-2026"},
    )
    assert page.status_code == 200
    assert AuditEntry.objects.count() == before
