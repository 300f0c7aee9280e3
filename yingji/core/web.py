"""What thin views share: turning a service's DomainError into what a person sees."""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest

from . import inputs
from .errors import DomainError, NotAllowed, NotVisible


def domain_view(view):
    """Outside visibility → 404 (no hint that the record exists); not allowed → 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotVisible as exc:
            raise Http404() from exc
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def add_error(form: Form, exc: DomainError) -> None:
    """Put a service's refusal on the form: on its fields where it names them, else on the form."""
    placed = False
    for field, message in exc.fields.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def act(request: HttpRequest, service, **kwargs) -> bool:
    """A button's action: a refusal of role stays a 403 (domain_view); any other refusal is said on the
    page, its message once and then what it says of each field that the message does not already say."""
    try:
        service(**kwargs)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        for problem in dict.fromkeys((exc.fields or {}).values()):
            if problem and problem != exc.message:
                messages.error(request, problem)
        return False
    return True


def record_pk(value) -> int:
    """A record's id from the URL or a form: anything that is not one (text, a huge number) is a 404,
    as a record that does not exist is."""
    pk = inputs.record_id(value)
    if pk is None:
        raise Http404()
    return pk


def person_required(request: HttpRequest):
    """The signed-in person; an account that belongs to nobody (a superuser without a unit) is refused
    with a 403 on the pages that act as a person."""
    from yingji.orgs.visibility import person_of  # core stays below orgs; this is its one view helper

    person = person_of(request.user)
    if person is None:
        raise PermissionDenied()
    return person
