"""The JSON API. Handlers are thin: they parse, call a selector or a service, and shape the answer.
Every error is {"error": code, "message": 中文说明, "fields": {...}} with a 4xx status."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from yingji.core.errors import DomainError

from .services import authenticate_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Yingji 应急 API",
    version="1",
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
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
        body = error_body("invalid", _("The request body could not be read: send valid JSON."))
    else:
        body = error_body("http_error", _("The request could not be handled (HTTP %s).") % exc.status_code)
    return api.create_response(request, body, status=exc.status_code)


def _translate_pydantic(err: dict) -> str:
    kind = err.get("type", "")
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
