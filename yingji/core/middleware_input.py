"""An address no page can mean is refused at the door: a path or a query string holding a NUL byte, or
a percent-escape that is not UTF-8 (a lone surrogate such as %ED%A0%80, an overlong or cut-off
sequence), answers 400 before any middleware, view or database reads it.

Why here and not in each view: such a value reaches every `request.GET` and URL parameter alike, and
PostgreSQL cannot even compare a text with a NUL in it, so one forgotten check was a 500. Pages get a
Chinese page, the API its JSON error shape."""

from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .middleware import chosen_language


def address_problem(request: HttpRequest) -> str | None:
    """What is wrong with the request's path or query string, or None when both are plain text."""
    # The path arrives decoded, except that Django percent-escapes again the bytes that are not UTF-8
    # (`repercent_broken_unicode`): decoding those escapes gives the bytes the client sent. The query
    # string arrives as sent.
    raw_path = unquote_to_bytes(request.path_info)
    raw_query = unquote_to_bytes(request.META.get("QUERY_STRING", "").replace("+", " "))
    for raw in (raw_path, raw_query):
        if b"\x00" in raw:
            return _("The address holds a NUL character, which no text may contain.")
        try:
            raw.decode("utf-8")  # strict: refuses encoded surrogates and malformed sequences
        except UnicodeDecodeError:
            return _("The address holds characters that are not valid UTF-8 text.")
    return None


class AddressInputMiddleware:
    """Answers 400 to an address that holds a NUL byte or is not valid UTF-8 (see the module's docstring).
    It stands near the top of MIDDLEWARE, so nothing below ever sees such an address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with translation.override(chosen_language(request)):
            problem = address_problem(request)
            if problem is not None:
                return refusal(request, problem)
        return self.get_response(request)


def refusal(request: HttpRequest, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": "invalid", "message": message, "fields": {}}, status=400)
    # Rendered without the request: nothing of the session or the database is read for this answer.
    return HttpResponse(render_to_string("400.html", {"message": message}), status=400)
