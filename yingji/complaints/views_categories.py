"""The complaint categories: the standard's, and the ones staff add."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.forms import BootstrapMixin
from yingji.core.web import add_error, domain_view
from yingji.orgs import visibility

from . import services
from .models import Category


class CategoryForm(BootstrapMixin, forms.Form):
    axis = forms.ChoiceField(label=gettext_lazy("Axis"), choices=Category.Axis.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Under"), queryset=Category.objects.filter(parent__isnull=True), required=False
    )


@domain_view
@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    may_add = services.can_manage_categories(person)
    if request.method == "POST" and not may_add:
        raise NotAllowed(_("Consumer-protection staff add complaint categories."))
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.add_category(actor=person, **form.cleaned_data)
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect("complaints:categories")
    rows = Category.objects.select_related("parent").order_by("axis", "sort_order", "code")
    return render(
        request,
        "complaints/categories.html",
        {"form": form, "may_add": may_add, "by_axis": _by_axis(rows)},
    )


def _by_axis(rows) -> list[tuple[str, list[Category]]]:
    grouped: dict[str, list[Category]] = {}
    for row in rows:
        grouped.setdefault(row.axis, []).append(row)
    return [(str(Category.Axis(axis).label), items) for axis, items in grouped.items()]
