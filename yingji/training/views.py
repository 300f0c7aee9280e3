"""The training pages: the sessions and a new one, a session on a phone (sign in, the trainer's buttons,
attendance, materials), a person's training record and the coverage per quarter. Thin: parse, call a
selector or one service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, InvalidTransition
from yingji.core.web import act, add_error, domain_view, person_required, record_pk
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit
from yingji.security import permissions as security_permissions

from . import coverage, permissions, selectors, services
from .forms import CadenceForm, CancelForm, MarkForm, MaterialForm, PlanForm
from .models import Cadence, Material, Session, SessionKind, Status

PAGE_ROWS = 50


def _plannable(person: Person | None) -> list[Unit]:
    if person is None:
        return []
    units = visibility.visible(Unit.objects.filter(is_active=True), person.user, "").exclude(
        type="department"
    )
    return [u for u in units.order_by("path") if permissions.can_plan(person, u)]


@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    kind = str(request.GET.get("kind", ""))[:40]
    rows = list(selectors.sessions_for(request.user, status=status, kind=kind)[:PAGE_ROWS])
    person = visibility.person_of(request.user)
    return render(
        request,
        "training/list.html",
        {
            "sessions": rows,
            "units": _plannable(person),
            "status": status,
            "statuses": Status.choices,
            "kind": kind,
            "kinds": SessionKind.objects.filter(is_active=True),
            "person": person,
        },
    )


@domain_view
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    person = person_required(request)
    unit = visibility.visible_unit(request.user, str(request.GET.get("unit", ""))[:32])
    if unit is None:
        raise Http404()
    if not permissions.can_plan(person, unit):
        raise PermissionDenied()
    form = PlanForm(request.POST or None, unit=unit, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        data = form.cleaned_data
        try:
            session = services.plan_session(
                actor=person,
                unit=unit,
                kind=data["kind"],
                topic=data["topic"],
                starts_at=starts_at,
                ends_at=ends_at,
                place=data["place"],
                trainer=data["trainer"],
                trainer_name=data["trainer_name"],
                attendees=list(data["attendees"]),
            )
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Session planned."))
            return redirect(session)
    status = 400 if form.errors else 200
    return render(request, "training/new.html", {"form": form, "unit": unit}, status=status)


def _page(request: HttpRequest, session: Session, forms: dict | None = None, status: int = 200):
    person = visibility.person_of(request.user)
    forms = forms or {}
    runs = permissions.can_run(person, session) and permissions.sees(person, session.unit)
    attendances = list(selectors.attendances_for(request.user, session=session))
    mine = next((a for a in attendances if person is not None and a.person_id == person.pk), None)
    opens, closes = services.window(session)
    now = clock.now()
    rows = []
    for a in attendances:
        form = None
        if runs and session.status == Status.HELD:
            form = forms.get(("mark", a.pk)) or MarkForm(
                prefix=f"m{a.pk}", initial={"present": "0" if a.attended else "1"}
            )
        rows.append({"attendance": a, "form": form})
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "rows": rows,
            "mine": mine,
            "may_sign_in": mine is not None
            and not mine.attended
            and session.status in (Status.PLANNED, Status.HELD)
            and opens <= now <= closes,
            "opens": opens,
            "closes": closes,
            "runs": runs,
            "may_hold": runs and session.status == Status.PLANNED and now >= opens,
            "may_record": runs and session.status == Status.HELD and now >= session.ends_at,
            "cancel_form": forms.get("cancel") or CancelForm(prefix="c")
            if runs and session.status == Status.PLANNED
            else None,
            "material_form": forms.get("material") or MaterialForm(prefix="f")
            if runs and session.status in (Status.PLANNED, Status.HELD)
            else None,
            "materials": list(session.materials.all()),
            "attended": sum(1 for a in attendances if a.attended),
        },
        status=status,
    )


@domain_view
@require_GET
def session(request: HttpRequest, pk: str) -> HttpResponse:
    return _page(request, selectors.session_for(viewer=request.user, pk=record_pk(pk)))


@domain_view
@require_POST
def sign_in(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.session_for(viewer=request.user, pk=record_pk(pk))
    if act(request, services.sign_in, actor=person_required(request), session=found):
        messages.success(request, _("Signed in."))
    return redirect(found)


ACTIONS = {"hold": services.hold, "record": services.record}


@domain_view
@require_POST
def transition(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    found = selectors.session_for(viewer=request.user, pk=record_pk(pk))
    person = person_required(request)
    if action == "cancel":
        form = CancelForm(request.POST, prefix="c")
        if not form.is_valid():
            return _page(request, found, {"cancel": form}, status=400)
        done = act(request, services.cancel, actor=person, session=found, reason=form.cleaned_data["reason"])
    elif action in ACTIONS:
        done = act(request, ACTIONS[action], actor=person, session=found)
    else:
        raise Http404()
    if done:
        messages.success(request, _("Done."))
    return redirect(found)


@domain_view
@require_POST
def mark(request: HttpRequest, pk: str, attendance_id: str) -> HttpResponse:
    found = selectors.session_for(viewer=request.user, pk=record_pk(pk))
    person = person_required(request)
    row = found.attendances.select_related("person").filter(pk=record_pk(attendance_id)).first()
    if row is None:
        raise Http404()
    form = MarkForm(request.POST, prefix=f"m{row.pk}")
    if form.is_valid():
        try:
            services.mark(
                actor=person,
                session=found,
                person=row.person,
                present=form.cleaned_data["present"],
                reason=form.cleaned_data["reason"],
            )
        except (InvalidInput, InvalidTransition) as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Attendance changed."))
            return redirect(f"{found.get_absolute_url()}#a-{row.pk}")
    return _page(request, found, {("mark", row.pk): form}, status=400)


@domain_view
@require_POST
def add_material(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.session_for(viewer=request.user, pk=record_pk(pk))
    person = person_required(request)
    form = MaterialForm(request.POST, request.FILES, prefix="f")
    if form.is_valid():
        try:
            services.add_material(actor=person, session=found, upload=form.cleaned_data["file"])
        except InvalidInput as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("Material added."))
            return redirect(found)
    return _page(request, found, {"material": form}, status=400)


@domain_view
@require_GET
def material(request: HttpRequest, pk: str, material_id: str) -> HttpResponse:
    found = selectors.session_for(viewer=request.user, pk=record_pk(pk))
    item = Material.objects.filter(pk=record_pk(material_id), session=found).first()
    if item is None or not services.path_of(item).exists():
        raise Http404()
    return FileResponse(
        services.path_of(item).open("rb"),
        content_type=item.content_type,
        as_attachment=True,
        filename=item.name,
    )


@domain_view
@require_GET
def person_record(request: HttpRequest, pk: str) -> HttpResponse:
    person = selectors.person_for(viewer=request.user, pk=record_pk(pk))
    rows = selectors.record_of(person)
    return render(
        request,
        "training/person.html",
        {"who": person, "rows": rows, "attended": sum(1 for r in rows if r.attended)},
    )


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    return redirect("training:person", pk=person_required(request).pk)


@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    today = clock.local_today()
    year = inputs.record_id(request.GET.get("year")) or today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    quarters, rows = coverage.rows(request.user, year=year)
    return render(
        request,
        "training/coverage.html",
        {
            "quarters": quarters,
            "rows": rows,
            "year": year,
            "cadences": Cadence.objects.filter(every_months__gt=0).select_related("kind"),
            "warn_days": settings.YINGJI_TRAINING_WARN_DAYS,
        },
    )


@domain_view
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    """The bank's training schedule (本行设定): each unit type, each kind, every so many months."""
    person = visibility.person_of(request.user)
    may_set = security_permissions.can_set_schedule(person)
    if request.method == "POST":
        if not may_set or person is None:
            raise PermissionDenied()
        form = CadenceForm(request.POST)
        cadence = Cadence.objects.filter(pk=inputs.record_id(request.POST.get("cadence"))).first()
        if cadence is None:
            raise Http404()
        if form.is_valid() and act(
            request,
            services.set_cadence,
            actor=person,
            cadence=cadence,
            every_months=form.cleaned_data["every_months"],
        ):
            messages.success(request, _("Training schedule saved."))
        elif not form.is_valid():
            messages.error(request, _("Choose monthly, quarterly, half-yearly, yearly or not scheduled."))
        return redirect("training:schedule")
    rows = [
        {
            "cadence": c,
            "form": CadenceForm(initial={"every_months": c.every_months}, auto_id=f"id_c{c.pk}_%s")
            if may_set
            else None,
        }
        for c in Cadence.objects.select_related("kind").order_by("unit_type", "kind__sort_order")
    ]
    return render(request, "training/schedule.html", {"rows": rows})
