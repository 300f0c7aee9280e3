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
    """Choices as radio buttons, not drop-downs: on a phone a drop-down with nothing chosen showed an
    untranslated "- Select an option -"; the parents are grouped by axis so the right one is found."""

    axis = forms.ChoiceField(
        label=gettext_lazy("Axis"),
        choices=Category.Axis.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    parent = forms.TypedChoiceField(
        label=gettext_lazy("Under"),
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"axis": Category.Axis.BUSINESS, "parent": ""})
        super().__init__(*args, **kwargs)
        tops = Category.objects.filter(parent__isnull=True).order_by("axis", "sort_order", "code")
        grouped: dict[str, list[tuple[int, str]]] = {}
        for top in tops:
            grouped.setdefault(str(Category.Axis(top.axis).label), []).append((top.pk, top.name))
        self.fields["parent"].choices = [("", _("None: a top-level category")), *grouped.items()]
        self.group_labels = ["", *grouped]

    def parent_groups(self) -> list[tuple[str, list]]:
        """The parent's radio buttons under their axis: (axis label, buttons); the first has no label."""
        groups: dict[int, list] = {}
        for button in self["parent"].subwidgets:
            groups.setdefault(int(str(button.data["index"]).split("_")[0]), []).append(button)
        return [(self.group_labels[i], buttons) for i, buttons in sorted(groups.items())]

    def clean_parent(self) -> Category | None:
        pk = self.cleaned_data.get("parent")
        return Category.objects.filter(pk=pk, parent__isnull=True).first() if pk else None


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
