"""The year's summary's text and its Word document. The four sections follow seed 001's words (年终进行
年度工作总结，认真查找存在问题和不足，研究加强和改进工作措施，确保下一年安全保卫工作顺利开展): what was done,
the problems, the measures, next year's work. Each is written from the figures, then edited by people;
the Word document shows the sections as edited and the figures, as generated, in tables.

Reads only: the services in summaries.py store what `generate` writes."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor

from yingji.core import documents
from yingji.drills.report_writing import NUMERALS
from yingji.orgs.models import Unit

from . import figures as fig
from .models import Status, Summary

SECTIONS = (
    ("overview", pgettext_lazy("summary", "Work done in the year")),
    ("problems", pgettext_lazy("summary", "Problems and shortcomings")),
    ("measures", pgettext_lazy("summary", "Measures to improve")),
    ("next_year", pgettext_lazy("summary", "Next year's work")),
)
FIELDS = tuple(field for field, _heading in SECTIONS)
MAX_SECTION = 20_000


def section_headings() -> list[tuple[str, str]]:
    return [(field, f"{NUMERALS[n]}、{heading}") for n, (field, heading) in enumerate(SECTIONS)]


def title(unit: Unit, year: int) -> str:
    return _("%(unit)s: security work summary of %(year)s") % {"unit": unit.name, "year": year}


def _overview(f: dict, kinds: list, missing: list[str]) -> str:
    lines = []
    if "tasks_total" in f:
        lines.append(
            _(
                "Annual work plan: %(total)s tasks, %(done)s done (%(late)s of them late), "
                "%(overdue)s overdue and not done."
            )
            % {
                "total": f["tasks_total"],
                "done": f["tasks_done"],
                "late": f["tasks_done_late"],
                "overdue": f["tasks_overdue"],
            }
        )
    if "letters_total" in f:
        lines.append(
            _(
                "Responsibility letters: %(signed)s of %(total)s signed "
                "(%(late)s late), %(unsigned)s not signed."
            )
            % {
                "signed": f["letters_signed"],
                "total": f["letters_total"],
                "late": f["letters_signed_late"],
                "unsigned": f["letters_unsigned"],
            }
        )
    lines.append(
        _(
            "Inspections: %(n)s held, %(signed)s signed by both; %(failed)s items failed, %(major)s of them "
            "major safety hazards; %(total)s rectifications, %(closed)s closed after re-check, %(waiting)s "
            "awaiting re-check, %(open)s open (%(overdue)s overdue)."
        )
        % {
            "n": f["inspections"],
            "signed": f["inspections_signed"],
            "failed": f["items_failed"],
            "major": f["major_hazards"],
            "total": f["rectifications_total"],
            "closed": f["rectifications_closed"],
            "waiting": f["rectifications_awaiting_recheck"],
            "open": f["rectifications_open"],
            "overdue": f["rectifications_overdue"],
        }
    )
    lines.append(
        _(
            "Drills: %(held)s held, %(reported)s reports signed off; %(done)s of %(due)s required drills "
            "held; %(findings)s problems found, %(closed)s of %(actions)s corrective actions verified."
        )
        % {
            "held": f["drills_held"],
            "reported": f["drills_reported"],
            "done": f["drill_periods_done"],
            "due": f["drill_periods_due"],
            "findings": f["drill_findings"],
            "closed": f["drill_actions_closed"],
            "actions": f["drill_actions_total"],
        }
    )
    by_kind = "、".join(f"{name}{n}" for name, n in kinds)
    lines.append(
        _(
            "Incidents: %(n)s (level Ⅰ %(one)s, level Ⅱ %(two)s, level "
            "Ⅲ %(three)s), %(closed)s closed%(kinds)s."
        )
        % {
            "n": f["incidents"],
            "one": f["incidents_level_1"],
            "two": f["incidents_level_2"],
            "three": f["incidents_level_3"],
            "closed": f["incidents_closed"],
            "kinds": _("; by kind: %s") % by_kind if by_kind else "",
        }
    )
    if "staff" in f:
        lines.append(
            _(
                "Safety education: %(sessions)s sessions, %(attendances)s "
                "attendances; %(trained)s of %(staff)s "
                "staff trained."
            )
            % {
                "sessions": f["sessions_held"],
                "attendances": f["attendances"],
                "trained": f["staff_trained"],
                "staff": f["staff"],
            }
        )
    if "staff_concerned" in f:
        lines.append(
            _(
                "Plan readiness: %(ready)s of %(concerned)s staff ready; %(due)s role cards to acknowledge; "
                "%(passed)s quizzes passed."
            )
            % {
                "ready": f["staff_ready"],
                "concerned": f["staff_concerned"],
                "due": f["acknowledgements_due"],
                "passed": f["quizzes_passed"],
            }
        )
    names = dict(fig.PARTS)
    if missing:
        lines.append(_("Not counted (not in use): %s.") % "、".join(str(names.get(m, m)) for m in missing))
    return "\n".join(lines)


# (figure that says something is wrong, the problem, the measure that answers it)
WEAK_POINTS = (
    (
        "tasks_overdue",
        gettext_lazy("%s tasks of the annual plan are overdue and not done."),
        gettext_lazy("Finish the overdue tasks of the annual plan and name who answers for each."),
    ),
    (
        "tasks_done_late",
        gettext_lazy("%s tasks of the annual plan were done late."),
        gettext_lazy("Follow the annual plan's deadlines; remind owners before each task falls due."),
    ),
    (
        "letters_unsigned",
        gettext_lazy("%s responsibility letters are not signed."),
        gettext_lazy("Have every unsigned responsibility letter signed, new staff included."),
    ),
    (
        "rectifications_overdue",
        gettext_lazy("%s rectifications are past their deadline."),
        gettext_lazy("Close the overdue rectifications and have the inspector re-check them."),
    ),
    (
        "rectifications_open",
        gettext_lazy("%s rectifications are still open."),
        gettext_lazy(
            "Carry the open rectifications through to the inspector's re-check (有记录、有反馈、有整改)."
        ),
    ),
    (
        "major_hazards",
        gettext_lazy("%s major safety hazards were found."),
        gettext_lazy(
            "Hold those responsible for major safety hazards to account "
            "and check the same points at every outlet."
        ),
    ),
)


def _problems_and_measures(f: dict) -> tuple[str, str]:
    problems, measures = [], []
    for key, problem, measure in WEAK_POINTS:
        if f.get(key, 0) > 0:
            problems.append(f"{len(problems) + 1}. " + str(problem) % f[key])
            measures.append(f"{len(measures) + 1}. " + str(measure))
    pairs = (
        (
            "drill_periods_due",
            "drill_periods_done",
            _("%(missing)s of %(due)s required drills were not held."),
            _("Hold the drills the bank requires in every period; plan them at the start of the year."),
        ),
        (
            "staff",
            "staff_trained",
            _("%(missing)s of %(due)s staff did not attend safety education."),
            _("Train the staff not yet trained in the quarterly safety, fire and warning education."),
        ),
        (
            "staff_concerned",
            "staff_ready",
            _("%(missing)s of %(due)s staff are not ready for their plans."),
            _("Have every concerned person acknowledge their role cards and pass the quiz."),
        ),
    )
    for due_key, done_key, problem, measure in pairs:
        missing = f.get(due_key, 0) - f.get(done_key, 0)
        if missing > 0:
            problems.append(f"{len(problems) + 1}. " + problem % {"missing": missing, "due": f[due_key]})
            measures.append(f"{len(measures) + 1}. " + str(measure))
    if not problems:
        problems.append(_("The records of the year show no open problem."))
        measures.append(_("Keep the measures of this year in place."))
    return "\n".join(problems), "\n".join(measures)


def _next_year(year: int) -> str:
    """The phases and dates of seed 001's annual plan, for the year after."""
    y = year + 1
    return "\n".join(
        [
            _(
                "1. Deployment (%(y)s-03-01 to 03-10): form the leadership "
                "group and write the implementation plan."
            )
            % {"y": y},
            _("2. Sign the responsibility letters with every department and every employee by %(y)s-03-10.")
            % {"y": y},
            _(
                "3. Write the year's security work plan by the end of March; "
                "hold topic meetings in May and September."
            )
            % {"y": y},
            _(
                "4. Inspect every month and quarter, each inspection with "
                "a record, feedback and a rectification."
            ),
            _(
                "5. Hold safety, fire and warning education every quarter; "
                "bring the rules up to date by the end "
                "of October."
            ),
            _("6. Summarise the year by %(y)s-11-30.") % {"y": y},
        ]
    )


def generate(unit: Unit, year: int, snapshot: dict) -> dict[str, str]:
    """The four sections from the snapshot's figures."""
    f = snapshot["figures"]
    problems, measures = _problems_and_measures(f)
    return {
        "overview": _overview(f, snapshot.get("incident_kinds", []), snapshot.get("missing", [])),
        "problems": problems,
        "measures": measures,
        "next_year": _next_year(year),
    }


def figure_rows(snapshot: dict) -> list[tuple[str, list[tuple[str, int]]]]:
    """The figures part by part, as the tables show them; a part not counted is left out."""
    f = snapshot["figures"]
    groups = []
    for heading, rows in fig.GROUPS:
        present = [(str(label), f[key]) for key, label in rows if key in f]
        if present:
            groups.append((str(heading), present))
    return groups


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def _table(doc, first: str, rows) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = first, _("Figure")
    for cell in table.rows[0].cells:
        cell.paragraphs[0].runs[0].bold = True
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(label), str(value)


def docx(summary: Summary) -> bytes:
    """The summary as Word: the sections as edited, the figures as generated in tables. Until it is
    approved every page's header and its first line say 草稿（未审批）."""
    doc = documents.new_document(
        title(summary.unit, summary.year),
        _("Figures as of %s") % timezone.localtime(summary.generated_at).strftime("%Y-%m-%d %H:%M"),
    )
    if summary.status != Status.APPROVED:
        mark = _("Draft (not approved)")
        for paragraph in (doc.sections[0].header.paragraphs[0], doc.add_paragraph()):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            stamp = paragraph.add_run(mark)
            stamp.bold, stamp.font.color.rgb = True, RGBColor(0xC0, 0x00, 0x00)
    for field, heading in section_headings():
        doc.add_heading(heading, level=1)
        for line in getattr(summary, field).splitlines():
            if line.strip():
                doc.add_paragraph(line)
    doc.add_heading(_("Annex: the year's figures"), level=1)
    for heading, rows in figure_rows(summary.figures):
        doc.add_heading(heading, level=2)
        _table(doc, pgettext("summary table", "Item"), rows)
    kinds = summary.figures.get("incident_kinds") or []
    if kinds:
        doc.add_heading(_("Incidents by kind"), level=2)
        _table(doc, pgettext("summary table", "Kind"), kinds)
    signatures = []
    if summary.author_id:
        signatures.append((pgettext("summary", "Written by"), summary.author.name, summary.submitted_at))
    if summary.status == Status.APPROVED and summary.approver_id:
        signatures.append((pgettext("summary", "Approved by"), summary.approver.name, summary.approved_at))
    for label, name, at in signatures:
        documents.add_labelled(doc, label, f"{name}  {_local(at)}")
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return documents.to_bytes(doc)
