"""The special report of an investigation (004 第十九条: 形成专门报告) as Word. The times in it are computed
from the record (metrics.compute), never typed, so 缓报 and late steps are stated as the record shows."""

from datetime import datetime

from django.utils.translation import gettext as _
from docx.shared import Cm, Pt, RGBColor

from yingji.core import documents
from yingji.core.clock import SHANGHAI
from yingji.plans.models import Level

from . import metrics, selectors
from .models import REPORT_FIELDS, Incident, Investigation, TimelineEvent

NONE = "—"


def _at(value: datetime | None, *, short: bool = False) -> str:
    """Shanghai time; in a table's narrow column the month, day and time only."""
    if value is None:
        return NONE
    return value.astimezone(SHANGHAI).strftime("%m-%d %H:%M" if short else "%Y-%m-%d %H:%M")


def _minutes(value: float | None) -> str:
    if value is None:
        return NONE
    return _("%(n)s minutes") % {"n": f"{value:g}"}


def _table(doc, columns: list[tuple[str, float]], rows: list[list[str]]) -> None:
    """A grid with a bold header row; `columns` are (heading, width in cm) and the widths add up to the
    16 cm between the margins, so the long texts get the room. A cell's lines after the first are
    notes, set smaller."""
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.autofit = False
    for index, (_heading, width) in enumerate(columns):
        table.columns[index].width = Cm(width)
    for cell, (heading, width) in zip(table.rows[0].cells, columns, strict=True):
        cell.width = Cm(width)
        run = cell.paragraphs[0].add_run(heading)
        run.bold, run.font.size = True, Pt(10)
    for row in rows:
        cells = table.add_row().cells
        for cell, text, (_heading, width) in zip(cells, row, columns, strict=True):
            cell.width = Cm(width)
            first, *notes = text.split("\n")
            cell.paragraphs[0].add_run(first).font.size = Pt(10)
            for note in notes:
                run = cell.add_paragraph().add_run(note)
                run.italic = True
                run.font.size = Pt(9)
    doc.add_paragraph()


def special_report_docx(incident: Incident) -> bytes:
    room = selectors.room(incident)
    numbers = metrics.compute(incident)
    investigation = Investigation.objects.select_related("started_by").filter(incident=incident).first()
    doc = documents.new_document(
        _("Special report on the investigation of an emergency"),
        f"{incident.number} · {incident.kind.name} · {incident.unit.name}",
    )

    doc.add_heading(_("The event"), level=1)
    documents.add_labelled(doc, _("Number"), incident.number)
    documents.add_labelled(doc, _("Event kind"), incident.kind.name)
    documents.add_labelled(doc, _("Unit"), incident.unit.name)
    documents.add_labelled(doc, _("Level"), Level(incident.level).label)
    if incident.level != incident.classified_level:
        documents.add_labelled(doc, _("Level by the rules"), Level(incident.classified_level).label)
    reasons = [str(r.get("text", "")) for r in incident.level_reasons if r.get("text")]
    changes = [e.data.get("reason", "") for e in room["timeline"] if e.event == TimelineEvent.LEVEL_CHANGED]
    for reason in [*reasons, *(c for c in changes if c)]:
        doc.add_paragraph(reason, style="List Bullet")
    documents.add_labelled(doc, _("Happened at"), _at(incident.occurred_at))
    documents.add_labelled(
        doc,
        _("First reported"),
        _("%(at)s by %(name)s") % {"at": _at(incident.reported_at), "name": incident.reporter.name},
    )
    documents.add_labelled(doc, _("What happened"), incident.description)
    for name in REPORT_FIELDS:
        if value := getattr(incident, name):
            documents.add_labelled(doc, str(Incident._meta.get_field(name).verbose_name), value)
    if incident.plan_version:
        documents.add_labelled(
            doc, _("Plan activated"), f"{incident.plan_version.title} v{incident.plan_version.number}"
        )
    documents.add_labelled(doc, _("Status"), incident.get_status_display())

    doc.add_heading(_("Times from the record"), level=1)
    documents.add_labelled(doc, _("From occurrence to first report"), _minutes(numbers.to_first_report))
    if numbers.late_report:
        para = doc.add_paragraph()
        run = para.add_run(
            _("Late report (缓报): the first report came later than the %(n)s minutes the rule allows.")
            % {"n": numbers.late_report_limit}
        )
        run.bold = True
        run.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    documents.add_labelled(doc, _("From first report to activation"), _minutes(numbers.to_activation))
    documents.add_labelled(doc, _("From first report to termination"), _minutes(numbers.to_termination))
    if numbers.regulator_due:
        late = _("late") if numbers.regulator_late else _("in time")
        documents.add_labelled(
            doc,
            _("Report to the regulator"),
            _("due %(due)s, done %(done)s (%(late)s)")
            % {"due": _at(numbers.regulator_due), "done": _at(numbers.regulator_done), "late": late},
        )
    documents.add_labelled(
        doc,
        _("Notices"),
        _("%(sent)s sent, %(open)s not acknowledged, %(esc)s escalated")
        % {"sent": numbers.notices, "open": numbers.unacknowledged, "esc": numbers.escalated},
    )
    if numbers.slowest_ack_minutes is not None:
        documents.add_labelled(doc, _("Slowest acknowledgement"), _minutes(numbers.slowest_ack_minutes))

    if room["members"]:
        doc.add_heading(_("Leading group"), level=1)
        for member in room["members"]:
            doc.add_paragraph(
                f"{member.get_role_display()}：{member.person.name}（{member.person.unit.name}）",
                style="List Bullet",
            )

    doc.add_heading(_("Tasks"), level=1)
    late_ids = {t.task.pk for t in numbers.tasks if t.late}
    if room["tasks"]:
        _table(
            doc,
            [
                (_("No."), 1.0),
                (_("Action"), 5.9),
                (_("Position"), 2.2),
                (_("Done by"), 1.7),
                (_("Status"), 1.6),
                (_("Due"), 1.8),
                (_("Done at"), 1.8),
            ],
            [
                [
                    str(number),
                    task.title + (f"\n{task.note}" if task.note else ""),
                    task.position.name if task.position else NONE,
                    task.owner.name if task.owner else NONE,
                    task.get_status_display() + (f" · {_('late')}" if task.pk in late_ids else ""),
                    _at(task.due_at, short=True),
                    _at(task.done_at, short=True),
                ]
                for number, task in enumerate(room["tasks"], start=1)
            ],
        )
    else:
        doc.add_paragraph(_("No tasks."))
    if numbers.never_done:
        doc.add_heading(_("Steps never done"), level=2)
        for task in numbers.never_done:
            doc.add_paragraph(task.title, style="List Bullet")

    doc.add_heading(_("Notices and acknowledgements"), level=1)
    if room["notices"]:
        _table(
            doc,
            [
                (_("Person"), 3.6),
                (_("Why told"), 4.0),
                (_("Sent"), 2.8),
                (_("Acknowledged"), 2.8),
                (_("Escalated"), 2.8),
            ],
            [
                [
                    f"{n.recipient.name}（{n.recipient.unit.name}）",
                    n.reason,
                    _at(n.created_at, short=True),
                    _at(n.acknowledged_at, short=True) if n.acknowledged_at else _("not acknowledged"),
                    _at(n.escalated_at, short=True),
                ]
                for n in room["notices"]
            ],
        )
    else:
        doc.add_paragraph(_("Nobody was notified."))

    doc.add_heading(_("Timeline"), level=1)
    for entry in room["timeline"]:
        para = doc.add_paragraph()
        para.paragraph_format.space_after = Pt(2)
        para.add_run(f"{_at(entry.at)}  ").bold = True
        who = f"{entry.actor.name}：" if entry.actor else ""
        para.add_run(f"[{entry.get_event_display()}] {who}{entry.text}")

    doc.add_heading(_("Findings of the investigation"), level=1)
    if investigation is None:
        doc.add_paragraph(_("No investigation has been opened."))
    else:
        documents.add_labelled(doc, _("Cause"), investigation.cause or NONE)
        # As the investigation page: the linked warnings answer from their own times; a hand-ticked
        # answer is printed only if someone gave one.
        times = _("condition since %(since)s, warning raised %(raised)s, incident reported %(reported)s")
        lines = [
            f"{w.title}："
            + times
            % {
                "since": _at(w.condition_since, short=True),
                "raised": _at(w.raised_at, short=True),
                "reported": _at(incident.reported_at, short=True),
            }
            + " "
            + (
                _("Warning came first")
                if w.raised_at <= incident.reported_at
                else _("Warning came after the report")
            )
            for w in incident.warnings.order_by("raised_at", "pk")
        ]
        ticked = {True: _("Yes"), False: _("No"), None: "" if lines else _("Not stated")}
        warned = "\n".join([*lines, ticked[investigation.warnings_in_time]]).strip()
        if investigation.warnings_note:
            warned = f"{warned}。{investigation.warnings_note}"
        documents.add_labelled(doc, _("Warnings came in time"), warned)
        doc.add_heading(_("Responsible people and their responsibility"), level=2)
        if investigation.responsibility:
            _table(
                doc,
                [(_("Name"), 3.5), (_("Responsibility"), 12.5)],
                [[r["name"], r["responsibility"]] for r in investigation.responsibility],
            )
        else:
            doc.add_paragraph(_("None named."))
        documents.add_labelled(doc, _("Consequences"), investigation.consequences or NONE)
        documents.add_labelled(doc, _("Preventive measures"), investigation.preventive_measures or NONE)

        # 004 第二十一条: 缓报 is above (from the record); 隐瞒 and 谎报 are the investigators' findings.
        doc.add_heading(_("Reporting duty and accountability"), level=2)
        for label, found, note in (
            (_("Concealed (隐瞒)"), investigation.concealed, investigation.concealed_note),
            (_("False report (谎报)"), investigation.false_report, investigation.false_report_note),
        ):
            said = {True: _("Yes"), False: _("No"), None: _("Not stated")}[found]
            documents.add_labelled(doc, label, f"{said}。{note}" if note else said)
        if investigation.accountability:
            _table(
                doc,
                [
                    (_("Person responsible"), 3.0),
                    (_("Measure taken"), 7.0),
                    (_("Police (公安)"), 2.0),
                    (_("Note"), 4.0),
                ],
                [
                    [
                        m["person"],
                        m["measure"],
                        _("Handed over") if m.get("police") else _("No"),
                        m.get("note") or NONE,
                    ]
                    for m in investigation.accountability
                ],
            )
        else:
            doc.add_paragraph(_("No accountability measures recorded."))

        doc.add_heading(_("Investigation and closure"), level=1)
        # Opening and closing each write one investigation entry; once closed, the last is the closing.
        closing = [e for e in room["timeline"] if e.event == TimelineEvent.INVESTIGATION][-1:]
        documents.add_labelled(
            doc,
            _("Opened"),
            _("%(at)s by %(name)s")
            % {"at": _at(investigation.started_at), "name": investigation.started_by.name},
        )
        if investigation.closed_at:
            name = closing[0].actor.name if closing and closing[0].actor else NONE
            documents.add_labelled(
                doc, _("Closed"), _("%(at)s by %(name)s") % {"at": _at(investigation.closed_at), "name": name}
            )
        else:
            documents.add_labelled(doc, _("Closed"), _("not yet"))
    return documents.to_bytes(doc)
