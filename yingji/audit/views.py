from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from yingji.orgs import visibility

from . import selectors
from .forms import AuditFilterForm

PAGE_SIZE = 50


def log(request):
    if not visibility.is_head_office(request.user):
        raise PermissionDenied()
    form = AuditFilterForm(
        request.GET or None, actions=selectors.known_actions(), object_types=selectors.known_object_types()
    )
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(viewer=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()})
