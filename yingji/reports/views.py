"""The home page by role, the situation board and its live region. Thin: find the unit, call one read,
render."""

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from yingji.complaints import reports as complaint_reports
from yingji.core import clock, documents
from yingji.core.due import due_text
from yingji.incidents import selectors as incident_selectors
from yingji.letters import selectors as letter_selectors
from yingji.notify.models import Notice
from yingji.orgs import selectors as org_selectors
from yingji.orgs import visibility
from yingji.training import selectors as training_selectors

from . import board as boards
from . import dashboards, exports, summary

MY_TASKS_ROWS = 20  # the soonest due; the rest wait in each incident's room (我的 filter)
MY_NOTICES_ROWS = 10  # the oldest waiting; the rest on the notices page


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A sub-branch, branch or head office (and their departments) land on the board of their subtree;
    an outlet's or the call centre's staff on their open tasks, the notices waiting for their 已收到,
    their letters to sign and training sessions to sign in to, and today's leader on duty."""
    if boards.sees_a_board(request.user):
        return _board_page(request, boards.board_root(request.user), home=True)
    person = visibility.person_of(request.user)
    context: dict = {"person": person}
    if person is not None:
        unit = person.unit.acting_unit
        context |= {
            "unit": unit,
            "duty_leader": org_selectors.duty_leader(unit=unit, on_date=clock.local_today()),
            "today": clock.local_today(),
            "my_tasks": list(incident_selectors.my_tasks(person=person)[:MY_TASKS_ROWS]),
            "my_notices": list(
                Notice.objects.filter(
                    recipient=person, acknowledged_at__isnull=True, withdrawn_at__isnull=True
                ).order_by("created_at", "pk")[:MY_NOTICES_ROWS]
            ),
            "now": clock.now(),
            # The security year's to-dos that are a person's own: letters to sign, sessions to sign in to.
            "my_letters": [
                (letter, due_text(letter.due_at)) for letter in letter_selectors.letters_to_sign(person)
            ],
            "my_sessions": training_selectors.sessions_to_attend(person, now=clock.now()),
        }
    return render(request, "reports/home.html", context)


@require_GET
def board(request: HttpRequest, code: str) -> HttpResponse:
    """The board of one unit the viewer sees (a branch's row on head office's board opens this)."""
    return _board_page(request, boards.board_root(request.user, code), home=False)


@require_GET
def board_live(request: HttpRequest, code: str) -> HttpResponse:
    """The board's live region, asked for every few seconds with the version it shows: 204 while nothing
    changed (one statement), the region redrawn when something did."""
    root = boards.board_root(request.user, code)
    if root is None:
        raise Http404()
    version = boards.version(request.user, root)
    if request.GET.get("v", "") == version:
        return HttpResponse(status=204)
    return render(request, "reports/_board_live.html", _live(request, root, version))


def _board_page(request: HttpRequest, root, *, home: bool) -> HttpResponse:
    if root is None:
        raise Http404()
    context = _live(request, root, boards.version(request.user, root)) | {
        "home": home,
        "poll_seconds": settings.YINGJI_BOARD_POLL_SECONDS,
        "parent": _parent_seen(request, root),
    }
    person = visibility.person_of(request.user)
    if home and person is not None:
        context["my_tasks"] = list(incident_selectors.my_tasks(person=person)[:MY_TASKS_ROWS])
    return render(request, "reports/board.html", context)


def _live(request: HttpRequest, root, version: str) -> dict:
    """The live region's context. Its body is the same for everyone who sees `root` (all of its
    subtree), so the body drawn for a version is kept and only drawn again when the version changes: a
    head office full of open boards costs one statement per page and per poll."""
    key = f"reports:board:{root.pk}:{version}:{get_language()}"
    body = cache.get(key)
    if body is None:
        board = boards.board(request.user, root, version_seen=version)
        body = render_to_string("reports/_board_body.html", {"board": board}, request=request)
        cache.set(key, body, boards.KEEP_SECONDS)
    # Our own template's output, escaped as it was drawn.
    return {"root": root, "version": version, "body": mark_safe(body), "now": clock.now()}


def _parent_seen(request: HttpRequest, root):
    parent = root.parent_unit if root.depth > 1 else None
    return parent if parent is not None and visibility.can_see_unit(request.user, parent) else None


# --- Dashboards ------------------------------------------------------------------------------------


def _selection(request: HttpRequest):
    found = dashboards.select(
        request.user,
        unit_code=request.GET.get("unit", ""),
        month=request.GET.get("month", ""),
        day=request.GET.get("day", ""),
    )
    if found is None:
        raise Http404()
    return found


@require_GET
def dashboards_page(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    charts = dashboards.all_charts(request.user, selection)
    query = urlencode(
        {
            "unit": selection.root.code,
            "month": selection.month.strftime("%Y-%m"),
            "day": selection.day.isoformat(),
        }
    )
    return render(
        request,
        "reports/dashboards.html",
        {
            "selection": selection,
            "charts": charts,
            "specs": {c.key: c.spec() for c in charts},
            "query": query,
            "units": complaint_reports.unit_choices(request.user),
        },
    )


@require_GET
def chart_xlsx(request: HttpRequest, key: str) -> HttpResponse:
    selection = _selection(request)
    chart = dashboards.one_chart(request.user, selection, key)
    if chart is None:
        raise Http404()
    name = f"{chart.key}-{selection.root.code}-{selection.month:%Y-%m}.xlsx"
    return FileResponse(
        exports.workbook(chart, scope=selection.scope),
        as_attachment=True,
        filename=name,
        content_type=exports.XLSX,
    )


@require_GET
def summary_docx(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    content = summary.document(request.user, selection)
    name = f"monthly-summary-{selection.root.code}-{selection.month:%Y-%m}.docx"
    response = HttpResponse(content, content_type=documents.DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
