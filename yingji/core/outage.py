"""What a web process answers while the database is away, and how it comes back by itself.

The database is the one thing every request needs (sessions, sign-in, every record), so when it cannot
be reached there is nothing useful a page can do but say so: a Chinese 503 page in the product's look,
the API's usual JSON error with status 503, `/healthz` 503, each with `Retry-After`. The page is
rendered with no request context, so no context processor and no user lookup can query on the way.

Nothing has to be restarted when the database returns. A connection that broke is dropped (here, and by
Django's CONN_HEALTH_CHECKS at the start of the next request), and the next request connects anew.

An outage is logged once when it starts, then at most once a minute while it lasts (with how many
requests were turned away), and once when it ends: a flood of requests does not flood the log."""

import logging
import sys
import threading
import time

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.csp import CSP, build_policy
from django.utils.translation import gettext as _

logger = logging.getLogger("yingji.outage")

# What a database that cannot be reached raises (refused, reset, timed out, shut down, server gone).
DATABASE_DOWN = (OperationalError, InterfaceError)
# Long enough for a restart or a fail-over to a standby, short enough that nobody waits for nothing.
RETRY_AFTER_SECONDS = 15
# While an outage lasts, one log line a minute says it still does.
LOG_EVERY_SECONDS = 60

_lock = threading.Lock()
_down_since: float | None = None  # time.monotonic() when this process first saw the outage
_last_logged = 0.0
_turned_away = 0  # requests answered 503 since the last log line


def check_database() -> None:
    """Raise one of DATABASE_DOWN unless the database answers, before the request starts work.

    On PostgreSQL with persistent connections this is the health check CONN_HEALTH_CHECKS would run at
    the request's first query anyway (a broken connection is closed and a new one opened), moved to the
    front, so it costs nothing more. A new connection is opened here when there is none."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if _down_since is not None:
        _note_back()


def failure_of(request: HttpRequest) -> BaseException | None:
    """The database error that a middleware below raised and Django answered with a 500, if any."""
    return getattr(request, "_yingji_database_down", None)


def _remember(sender, request: HttpRequest | None = None, **kwargs) -> None:
    # Sent by Django while it handles an exception nothing else handled, inside its `except`.
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, DATABASE_DOWN):
        request._yingji_database_down = exc  # type: ignore[attr-defined]


got_request_exception.connect(_remember, dispatch_uid="yingji.core.outage")


def unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 for this request (a page, the API's JSON or the health check's), having dropped the
    connection that failed and noted the outage in the log."""
    _drop_connection()
    _note_down(exc)
    path = request.path_info
    if path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "error": "database_unavailable",
                "message": _(
                    "The service is briefly unavailable: its database cannot be reached. Try again shortly."
                ),
                "fields": {},
            },
            status=503,
        )
    elif path == "/healthz":
        response = JsonResponse({"ok": False, "database": "unavailable"}, status=503)
    else:
        response = HttpResponse(page(request), status=503)
        # The middleware that would add these stands below this answer.
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        if settings.SECURE_CSP:
            response[CSP.HEADER_ENFORCE] = build_policy(settings.SECURE_CSP)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged by _note_down (once per outage, then once a minute), not by Django once per request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def page(request: HttpRequest) -> str:
    """The 503 page. No request is passed to the template engine, so no context processor runs: the
    page reads nothing from the database (not the user, not the session, not the notice count)."""
    retry_url = request.get_full_path() if request.method in ("GET", "HEAD") else None
    return render_to_string("503.html", {"retry_url": retry_url, "retry_after": RETRY_AFTER_SECONDS})


def _drop_connection() -> None:
    """Close this thread's connection so the next request opens a new one. Inside an atomic block (a
    test's transaction) it is left alone: closing would break the block, and Django drops a connection
    with errors at the end of the request anyway."""
    if connection.in_atomic_block:
        return
    try:
        connection.close()
    except DATABASE_DOWN:
        connection.connection = None


def _note_down(exc: BaseException) -> None:
    global _down_since, _last_logged, _turned_away
    now = time.monotonic()
    with _lock:
        _turned_away += 1
        if _down_since is None:
            _down_since = now
            _last_logged = now
            _turned_away = 0
            logger.error("database unavailable, answering 503 until it returns: %s", _one_line(exc))
        elif now - _last_logged >= LOG_EVERY_SECONDS:
            logger.error(
                "database still unavailable after %d s (%d requests answered 503 in the last %d s): %s",
                now - _down_since,
                _turned_away,
                now - _last_logged,
                _one_line(exc),
            )
            _last_logged = now
            _turned_away = 0


def _note_back() -> None:
    global _down_since, _turned_away
    with _lock:
        if _down_since is None:
            return
        logger.warning("database reachable again after %d s", time.monotonic() - _down_since)
        _down_since = None
        _turned_away = 0


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"
