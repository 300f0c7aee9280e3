"""The JSON API. Handlers are thin: they parse, call a selector or a service, and shape the answer.
Every error is {"error": code, "message": 中文说明, "fields": {...}} with a 4xx status."""

import logging
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from yingji.core import inputs, outage
from yingji.core.errors import DomainError

from .services import authenticate_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class ObjectBodyParser(Parser):
    """Every JSON body of this API is an object. Ninja reads any other JSON value (a number, a list) as
    an empty body, so `-6517` passed for a body whose fields are all optional: it is refused instead."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        return data


def signed_in_or_token(view):
    """The schema and its docs page list every operation: shown to a signed-in person or a valid token
    only. Anyone else gets the API's 401 for the schema, and the sign-in page for the docs page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated or BearerToken()(request) is not None:
            return view(request, *args, **kwargs)
        if request.path_info.endswith("/openapi.json"):
            return JsonResponse(
                error_body("unauthorized", _("A valid token is required: Authorization: Bearer <token>.")),
                status=401,
            )
        return redirect_to_login(request.get_full_path())

    return guarded


api = NinjaAPI(
    title="Yingji 应急 API",
    version="1",
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=signed_in_or_token,
    parser=ObjectBodyParser(),
)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": code, "message": message, "fields": fields or {}}


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request,
        error_body("unauthorized", _("A valid token is required: Authorization: Bearer <token>.")),
        status=401,
    )


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request, exc):
    # 503 {"error": "database_unavailable", …} with Retry-After, as the middleware answers (core.outage).
    return outage.unavailable(request, exc)


@api.exception_handler(Exception)
def on_unexpected_error(request, exc: Exception):
    """Whatever no handler above expects: logged with its traceback as Django logs a 500, answered
    as a 500 in the error shape, never the traceback ninja shows when DEBUG is on (the default in dev)."""
    if isinstance(exc, PermissionDenied):
        return api.create_response(
            request, error_body("forbidden", _("You are not allowed to do this.")), status=403
        )
    logging.getLogger("django.request").error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    body = error_body("server_error", _("Something went wrong on the server; the error has been logged."))
    return api.create_response(request, body, status=500)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        fields[".".join(loc) or "body"] = _translate_pydantic(err)
    return api.create_response(
        request, error_body("invalid", _("Some fields are not valid."), fields), status=400
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400:
        # Ninja raises this when the body cannot be parsed at all.
        body = error_body("invalid", _("The request body could not be read: send a JSON object."))
    else:
        body = error_body("http_error", _("The request could not be handled (HTTP %s).") % exc.status_code)
    return api.create_response(request, body, status=exc.status_code)


def _translate_pydantic(err: dict) -> str:
    kind = err.get("type", "")
    if kind == inputs.PYDANTIC_ERROR:  # an input rule's own message, already in the reader's language
        return str(err.get("msg", ""))
    if kind == "string_unicode":  # a lone surrogate in a string with a length limit
        return inputs.surrogate_message()
    if kind in {"less_than_equal", "greater_than_equal"}:
        limit = (err.get("ctx") or {}).get("le" if kind == "less_than_equal" else "ge")
        return (_("At most %s.") if kind == "less_than_equal" else _("At least %s.")) % limit
    if kind == "missing":
        return _("This field is required.")
    if kind in {
        "string_type",
        "int_type",
        "int_parsing",
        "bool_type",
        "bool_parsing",
        "float_parsing",
        "dict_type",
        "list_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "date_parsing",
    }:
        return _("This value has the wrong type.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    return _("This value is not valid.")


from . import routes  # noqa: E402,F401  (registers the routers on `api`)

# isort: split
from yingji.monitoring.api import signals_router  # noqa: E402  (an integration's token, not a person's)

api.add_router("/", signals_router)
from yingji.security.api import security_router  # noqa: E402

api.add_router("/", security_router)
from yingji.yearplan.api import yearplan_router  # noqa: E402

api.add_router("/", yearplan_router)
from yingji.training.api import training_router  # noqa: E402

api.add_router("/", training_router)
from yingji.letters.api import letters_router  # noqa: E402

api.add_router("/", letters_router)
from yingji.assessment.api import assessment_router  # noqa: E402

api.add_router("/", assessment_router)
from yingji.readiness.api import readiness_router  # noqa: E402

api.add_router("/", readiness_router)
