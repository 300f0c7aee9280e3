"""While the database is away, people get a Chinese 503 page, clients a 503 JSON error in the API's
shape and the load balancer a 503 health check, each with Retry-After; when it is back, the next
request works, with nothing restarted.

The outage is simulated where it happens: the connection refuses to open (every query of the request
fails), or a query fails as the database goes away in the middle of a request."""

import logging
from contextlib import contextmanager
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory

from yingji.core import outage

REFUSED = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@contextmanager
def database_away():
    """The database cannot be reached: no connection opens, so every query of a request fails."""
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=REFUSED):
        yield


@contextmanager
def database_lost_at(sql_fragment: str):
    """The database goes away mid-request: the first statement containing `sql_fragment` fails."""
    execute = CursorWrapper.execute

    def failing(self, sql, params=None):
        if sql_fragment in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(self, sql, params)

    with mock.patch.object(CursorWrapper, "execute", failing):
        yield


@pytest.fixture(autouse=True)
def database_back_after_each_test(db):
    """Each test ends with the database back, as the next request after an outage finds it."""
    yield
    outage.check_database()


def token_for(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip()


def test_a_signed_in_manager_gets_the_chinese_503_page_and_the_list_once_the_database_is_back(
    client, hexie_manager
):
    client.force_login(hexie_manager.user)
    with database_away():
        answer = client.get("/incidents/")
    page = answer.content.decode()
    assert answer.status_code == 503
    assert answer["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert "服务暂时不可用" in page and "系统暂时无法连接数据库" in page
    assert "Server Error" not in page
    # In the product's look, with a way to try again; nothing read from the database (not even who she is).
    assert "vendor/bootstrap/bootstrap.min.css" in page and 'href="/incidents/"' in page
    assert "郑和谐" not in page

    back = client.get("/incidents/")
    assert back.status_code == 200 and "郑和谐" in back.content.decode()


def test_the_503_page_is_rendered_without_reading_the_database(django_assert_num_queries, hexie_manager):
    request = RequestFactory().get("/incidents/")
    request.user = hexie_manager.user  # the menu and the name would need queries: none may run
    with django_assert_num_queries(0):
        page = outage.page(request)
    assert "服务暂时不可用" in page and "郑和谐" not in page


def test_a_report_posted_during_the_outage_is_answered_503_not_500(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    with database_away():
        answer = client.post("/incidents/report/", {"description": "大厅停电"})
    assert answer.status_code == 503 and "服务暂时不可用" in answer.content.decode()
    # A form cannot be sent again by a link: only a page read is offered again.
    assert 'href="/incidents/report/"' not in answer.content.decode()


def test_the_database_lost_while_the_list_is_read_gives_the_503_page(client, hexie_manager):
    client.force_login(hexie_manager.user)
    with database_lost_at("incidents_incident"):
        answer = client.get("/incidents/")
    assert answer.status_code == 503 and "服务暂时不可用" in answer.content.decode()
    assert client.get("/incidents/").status_code == 200


def test_the_database_lost_as_her_session_is_read_gives_the_503_page_not_a_500(hexie_manager):
    # The session is read by the middleware, before any view: Django answers that failure with a 500.
    browser = Client(raise_request_exception=False)
    browser.force_login(hexie_manager.user)
    with database_lost_at("django_session"):
        answer = browser.get("/incidents/")
    assert answer.status_code == 503 and "服务暂时不可用" in answer.content.decode()
    assert browser.get("/incidents/").status_code == 200


def test_the_503_page_follows_the_language_she_chose(client, hexie_manager):
    client.cookies["django_language"] = "en"
    with database_away():
        answer = client.get("/incidents/")
    assert answer.status_code == 503 and "Service temporarily unavailable" in answer.content.decode()


def test_the_api_answers_503_in_its_error_shape_and_200_once_the_database_is_back(client, hexie_manager):
    headers = {"Authorization": f"Bearer {token_for('hexie_manager')}"}
    with database_away():
        answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 503
    assert answer["Content-Type"] == "application/json"
    assert answer["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert answer.json() == {
        "error": "database_unavailable",
        "message": "服务暂时不可用：无法连接数据库，请稍后重试。",
        "fields": {},
    }

    back = client.get("/api/v1/me", headers=headers)
    assert back.status_code == 200 and back.json()["username"] == "hexie_manager"


def test_the_api_answers_503_json_not_a_traceback_when_the_database_goes_away_in_debug(
    client, hexie_manager, settings
):
    headers = {"Authorization": f"Bearer {token_for('hexie_manager')}"}
    settings.DEBUG = True  # as `make run` runs: django-ninja would answer its traceback as text
    with database_lost_at("api_apitoken"):
        answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 503 and answer["Retry-After"]
    assert answer.json()["error"] == "database_unavailable" and "Traceback" not in answer.content.decode()


def test_healthz_answers_503_while_the_database_is_away_and_200_when_back(client):
    with database_away():
        answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json() == {"ok": False, "database": "unavailable"}
    assert answer["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert client.get("/healthz").json() == {"ok": True}


def test_healthz_answers_503_when_its_own_query_fails(client):
    with database_lost_at("SELECT 1"):
        answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["ok"] is False


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(client, caplog):
    caplog.set_level(logging.WARNING, logger="yingji.outage")
    with database_away():
        for _ in range(20):
            assert client.get("/healthz").status_code == 503
            assert client.get("/api/v1/me").status_code == 503
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200

    # Not one line per request from Django either.
    assert not [record for record in caplog.records if record.name == "django.request"]
    messages = [record.getMessage() for record in caplog.records if record.name == "yingji.outage"]
    assert len(messages) == 2
    assert messages[0].startswith("database unavailable") and "Connection refused" in messages[0]
    assert messages[1].startswith("database reachable again")
