"""A signed-in session expires after eight idle hours: each request renews it, but it is written back at
most once a minute, so a phone polling a drill every 1.5 s does not write its session on every poll."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session

from yingji.core.middleware import SessionRenewalMiddleware


@pytest.fixture
def signed_in(client, demo, hexie_lobby):
    client.force_login(hexie_lobby.user)
    client.get("/")
    return client


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_requests_within_a_minute_do_not_write_the_session(signed_in, monkeypatch):
    first = _expiry(signed_in)
    Session.objects.update(expire_date=first - timedelta(hours=1))  # as if an hour had gone by

    signed_in.get("/")

    assert _expiry(signed_in) == first - timedelta(hours=1)


def test_a_request_a_minute_after_the_last_renewal_renews_the_idle_expiry(signed_in, monkeypatch):
    first = _expiry(signed_in)
    Session.objects.update(expire_date=first - timedelta(hours=1))
    real_time = SessionRenewalMiddleware.__call__.__globals__["time"].time
    monkeypatch.setattr("yingji.core.middleware.time.time", lambda: real_time() + 61)

    signed_in.get("/")

    assert _expiry(signed_in) > first - timedelta(minutes=5)


def test_an_anonymous_visitor_gets_no_session(client, demo):
    client.get("/login/")
    assert not Session.objects.exists()
