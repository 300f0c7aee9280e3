from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yingji.core import clock
from yingji.core.errors import InvalidInput
from yingji.core.web import add_error, domain_view

from . import selectors, services, visibility
from .forms import NewPersonForm, NewUnitForm, PersonForm, SetPasswordForm, UnitForm
from .models import Unit

ROSTER_DAYS = 14


def tree(request):
    units = selectors.unit_tree(viewer=request.user)
    base_depth = min((u.depth for u in units), default=1)
    rows = [{"unit": u, "level": u.depth - base_depth + 1} for u in units]
    return render(request, "orgs/tree.html", {"rows": rows})


@domain_view
def unit_detail(request, code):
    unit = selectors.unit_by_code(viewer=request.user, code=code)
    today = clock.local_today()
    return render(
        request,
        "orgs/unit.html",
        {
            "unit": unit,
            "parent": unit.parent_unit,
            "children": visibility.visible(Unit.objects.get_children(unit), request.user, "").order_by(
                "code"
            ),
            "people": selectors.people_of_unit(viewer=request.user, unit=unit),
            "duty_leader": selectors.duty_leader(unit=unit, on_date=today),
            "today": today,
            "can_manage": visibility.can_manage(request.user, unit),
        },
    )


def _managed_unit(request, code):
    unit = selectors.unit_by_code(viewer=request.user, code=code)
    if not visibility.can_manage(request.user, unit):
        raise PermissionDenied(_("Only an emergency administrator of this unit or above can do this."))
    return unit


@domain_view
@require_http_methods(["GET", "POST"])
def unit_edit(request, code):
    unit = _managed_unit(request, code)
    initial = {"name": unit.name, "address": unit.address, "phone": unit.phone}
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(actor=request.user, unit=unit, **form.cleaned_data)
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(unit)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "unit": unit, "heading": _("Edit %(unit)s") % {"unit": unit.name}},
    )


@domain_view
@require_http_methods(["GET", "POST"])
def unit_new(request, code):
    parent = _managed_unit(request, code)
    form = NewUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(actor=request.user, parent=parent, **form.cleaned_data)
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect(unit)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "unit": parent, "heading": _("New unit under %(unit)s") % {"unit": parent.name}},
    )


@domain_view
@require_http_methods(["GET", "POST"])
def person_new(request, code):
    unit = _managed_unit(request, code)
    form = NewPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_person(
                actor=request.user,
                unit=unit,
                username=data["username"],
                name=data["name"],
                mobile=data["mobile"],
                email=data["email"],
                password=data["password"] or None,
                position_codes=[p.code for p in data["positions"]],
            )
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.name})
            return redirect(person)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "unit": unit, "heading": _("New person in %(unit)s") % {"unit": unit.name}},
    )


@domain_view
def person_detail(request, pk):
    person = selectors.person_by_id(viewer=request.user, pk=pk)
    return _person_page(request, person)


def _person_page(request, person, *, new_token: str = ""):
    from yingji.api.selectors import tokens_of

    is_self = person.user_id == request.user.pk
    can_manage = visibility.can_manage(request.user, person.unit)
    response = render(
        request,
        "orgs/person.html",
        {
            "person": person,
            "can_manage": can_manage,
            "tokens": tokens_of(person=person) if (can_manage or is_self) else [],
            "show_tokens": can_manage or is_self,
            "new_token": new_token,
            "duty_days": person.duty_days.filter(on_date__gte=clock.local_today()).select_related("unit")[
                :14
            ],
        },
    )
    if new_token:
        # The raw token exists only in this answer: no cache may keep a copy of it.
        response["Cache-Control"] = "no-store"
    return response


@domain_view
@require_POST
def person_token_issue(request, pk):
    """A new API token, shown once in the answer to this POST (only its hash is stored), never through a
    redirect that would have to keep it somewhere."""
    from yingji.api.services import issue_token_by

    person = selectors.person_by_id(viewer=request.user, pk=pk)
    try:
        _token, raw = issue_token_by(actor=request.user, person=person)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect(person)
    return _person_page(request, person, new_token=raw)


@domain_view
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = selectors.person_by_id(viewer=request.user, pk=pk)
    if not visibility.can_manage(request.user, person.unit):
        raise PermissionDenied()
    initial = {"name": person.name, "mobile": person.mobile, "positions": list(person.positions.all())}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_person(
                actor=request.user,
                person=person,
                name=data["name"],
                mobile=data["mobile"],
                position_codes=[p.code for p in data["positions"]],
            )
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(person)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "unit": person.unit, "heading": _("Edit %(name)s") % {"name": person.name}},
    )


@domain_view
@require_POST
def person_active(request, pk):
    person = selectors.person_by_id(viewer=request.user, pk=pk)
    try:
        services.set_person_active(
            actor=request.user, person=person, active=request.POST.get("active") == "1"
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return redirect(person)


@domain_view
@require_http_methods(["GET", "POST"])
def person_password(request, pk):
    person = selectors.person_by_id(viewer=request.user, pk=pk)
    if not visibility.can_manage(request.user, person.unit):
        raise PermissionDenied()
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password(actor=request.user, person=person, password=form.cleaned_data["password"])
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Password set."))
            return redirect(person)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "unit": person.unit, "heading": _("Set password of %(name)s") % {"name": person.name}},
    )


@domain_view
@require_http_methods(["GET", "POST"])
def roster(request, code):
    unit = selectors.unit_by_code(viewer=request.user, code=code)
    can_manage = visibility.can_manage(request.user, unit)
    candidates = list(selectors.duty_candidates(viewer=request.user, unit=unit))
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied()
        _save_roster_day(request, unit, candidates)
        return redirect("orgs:roster", code=unit.code)
    start = clock.local_today()
    days = selectors.roster(unit=unit, start=start, days=ROSTER_DAYS)
    rows = [
        {"date": start + timedelta(days=i), "entry": days.get(start + timedelta(days=i))}
        for i in range(ROSTER_DAYS)
    ]
    return render(
        request,
        "orgs/roster.html",
        {"unit": unit, "rows": rows, "candidates": candidates, "can_manage": can_manage},
    )


def _save_roster_day(request, unit, candidates):
    from .forms import RosterDayForm

    form = RosterDayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick a date and a person."))
        return
    leader_id = form.cleaned_data["leader"]
    leader = None
    if leader_id:
        leader = next((p for p in candidates if p.pk == leader_id), None)
        if leader is None:
            messages.error(request, _("That person cannot be the leader on duty here."))
            return
    try:
        services.assign_duty_leader(
            actor=request.user, unit=unit, on_date=form.cleaned_data["on_date"], leader=leader
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Roster saved."))
