from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from yingji.orgs import visibility

from . import labels, selectors
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
    names = labels.Names(e.data for e in page)
    rows = [
        {
            "entry": e,
            "actor": labels.actor_label(e.actor_id, e.actor_name),
            "action": labels.action_label(e.action),
            "object_type": labels.object_type_label(e.object_type),
            "fields": labels.fields(e.data, names),
        }
        for e in page
    ]
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    context["bound"] = settings.AUDIT_SEQUENCE_BOUND_SECONDS
    return render(request, "audit/log.html", context)
