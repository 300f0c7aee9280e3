import time

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.utils import translation

from . import outage


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a session, except the API, which authenticates each request by bearer token
    and answers 401 in JSON rather than redirecting a machine to a login form."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def chosen_language(request) -> str:
    """Simplified Chinese unless the person chose another language (the language cookie set by the
    menu's switch). Deliberately ignores the browser's Accept-Language: a bank terminal with an
    English system locale still shows the bank's own language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    supported = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in supported else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """The request in the language `chosen_language` picks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        request.LANGUAGE_CODE = language
        # Scoped to this request, so the thread's next request (or test) starts from the default.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class DatabaseOutageMiddleware:
    """While the database is away every request gets a 503 (a Chinese page, the API's JSON error, or the
    health check's answer) with Retry-After, instead of a 500; when it is back the next request works.

    It stands above everything that may query (sessions, sign-in, the views) and checks the database
    before the request goes further in (`outage.check_database`): once a middleware below has failed,
    Django has already turned the failure into a 500. A database lost after that check is caught as
    the view's exception (process_exception), or, if something below failed of it, recognised by
    `outage` and the 500 answered as a 503 all the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            outage.check_database()
        except outage.DATABASE_DOWN as exc:
            return self.unavailable(request, exc)
        response = self.get_response(request)
        if response.status_code == 500 and (exc := outage.failure_of(request)) is not None:
            return self.unavailable(request, exc)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, outage.DATABASE_DOWN):
            return self.unavailable(request, exception)
        return None

    def unavailable(self, request, exc):
        with translation.override(chosen_language(request)):
            return outage.unavailable(request, exc)


def renewed_at_sign_in(sender, request, user, **kwargs) -> None:
    """Signing in writes the session: it counts as its renewal, so the next request need not write it."""
    if getattr(request, "session", None) is not None:
        request.session[SessionRenewalMiddleware.KEY] = int(time.time())


class SessionRenewalMiddleware:
    """Keeps the idle expiry (SESSION_COOKIE_AGE from the last request) without writing the session on
    every request: a session is written back when it was last renewed a minute or more ago. Phones poll
    a drill's run or the board every few seconds; writing each poll's session was most of its cost.
    The idle limit is therefore kept to within SESSION_RENEW_SECONDS."""

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a request that used its session renews it (a poll answered from a pass reads none).
        if session is not None and session.accessed and session.session_key and not session.is_empty():
            now = int(time.time())
            renewed = session.get(self.KEY)
            if not isinstance(renewed, int) or not 0 <= now - renewed < settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now
        return response
