"""My notices: the bell's count, the inbox, and 已收到. Thin: each reads my own notices or calls the one
service; another person's notice is answered as if it did not exist."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from yingji.core import clock
from yingji.core.errors import NotVisible
from yingji.core.web import domain_view
from yingji.orgs import visibility

from . import selectors, services

PER_PAGE = 30


def _me(request: HttpRequest):
    person = visibility.person_of(request.user)
    if person is None:
        raise NotVisible()
    return person


@domain_view
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    notices = selectors.my_notices(person).prefetch_related("deliveries")  # each copy's outcome
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "notify/inbox.html", {"page": page, "notices": page.object_list, "now": clock.now()}
    )


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    count = selectors.unacknowledged_count(person)
    return render(request, "notify/_badge.html", {"count": count})


@domain_view
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    person = _me(request)
    notice = services.ensure_recipient(person, pk)
    services.acknowledge(person=person, notice=notice)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "notify:inbox"
    return redirect(target)
