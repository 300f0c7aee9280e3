from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from yingji.core.documents import DOCX_MIME
from yingji.orgs.models import Position, UnitType

from . import exports, selectors
from .forms import SearchForm
from .models import EventGroup, Plan, PlanVersion, VersionStatus
from .services import can_approve_plans, can_edit_plans


def library(request):
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    searching = any(filters.values())
    context = {
        "form": form,
        "searching": searching,
        "groups": EventGroup.choices,
        "unit_types": UnitType.choices,
    }
    if searching:
        context["results"] = list(
            selectors.search_plans(
                text=filters.get("q", ""),
                kind=filters.get("kind", ""),
                unit_type=filters.get("unit_type", ""),
                group=filters.get("group", ""),
            )
        )
    else:
        context["shelves"] = selectors.library_shelves()
        context["rules"] = selectors.level_rules()
    return render(request, "plans/library.html", context)


def _version(code: str, number: int, user) -> PlanVersion:
    version = get_object_or_404(PlanVersion.objects.select_related("plan"), plan__code=code, number=number)
    if version.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW) and not can_edit_plans(user):
        raise Http404()
    return selectors.version_with_steps(version)


def plan(request, code):
    plan = get_object_or_404(Plan, code=code)
    current = plan.versions.filter(status=VersionStatus.APPROVED).first()
    if current is None:
        current = plan.versions.order_by("-number").first()
    if current is None:
        raise Http404()
    return version(request, code, current.number)


def version(request, code, number):
    shown = _version(code, number, request.user)
    versions = shown.plan.versions.order_by("-number")
    if not can_edit_plans(request.user):
        versions = versions.filter(status__in=[VersionStatus.APPROVED, VersionStatus.SUPERSEDED])
    versions = list(versions)
    editable = shown.status == VersionStatus.DRAFT and can_edit_plans(request.user)
    steps = list(shown.steps.all())
    return render(
        request,
        "plans/plan.html",
        {
            "version": shown,
            "plan": shown.plan,
            "steps": steps,
            "outline": selectors.version_outline(shown, steps),
            # Each version with the one before it that this person may see: never a version with itself.
            "history": [
                (v, versions[i + 1] if i + 1 < len(versions) else None) for i, v in enumerate(versions)
            ],
            "kinds": shown.plan.kinds.all(),
            "editable": editable,
            "can_edit": can_edit_plans(request.user),
            "can_approve": can_approve_plans(request.user),
            # Four eyes: whoever drafted, edited or submitted this version is not offered 批准 at all.
            "own_hands": shown.status == VersionStatus.IN_REVIEW and request.user.pk in shown.hands(),
            "has_open_version": shown.plan.versions.filter(
                status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW]
            ).exists(),
            "unit_type_labels": [UnitType(t).label for t in shown.plan.unit_types if t in UnitType.values],
        },
    )


def version_docx(request, code, number):
    shown = _version(code, number, request.user)
    response = HttpResponse(exports.plan_docx(shown), content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="plan-{code}-v{number}.docx"'
    return response


def diff(request, code):
    plan = get_object_or_404(Plan, code=code)
    try:
        old_number, new_number = int(request.GET.get("old", "")), int(request.GET.get("new", ""))
    except ValueError as exc:
        raise Http404() from exc
    if old_number == new_number:
        return redirect("plans:version", code=code, number=new_number)
    old, new = _version(code, old_number, request.user), _version(code, new_number, request.user)
    return render(
        request,
        "plans/diff.html",
        {"plan": plan, "old": old, "new": new, "diff": selectors.diff_versions(old, new)},
    )


def roles(request):
    return render(request, "plans/roles.html", {"positions": selectors.positions_with_step_counts()})


def role_card(request, code):
    position = get_object_or_404(Position, code=code)
    return render(
        request, "plans/role_card.html", {"position": position, "sections": selectors.role_card(position)}
    )


def role_card_docx(request, code):
    position = get_object_or_404(Position, code=code)
    response = HttpResponse(
        exports.role_card_docx(position, selectors.role_card(position)), content_type=DOCX_MIME
    )
    response["Content-Disposition"] = f'attachment; filename="role-card-{code}.docx"'
    return response
