"""The drill report's text, in the shape of the seeds (002: 一、演练背景 … 五、演练结论; 000 ends with
（撰稿：… 审签领导：…）): each section written from the drill, its plans, its run, its evaluation and its
findings, then edited by people; the Word document is made from the sections as they were edited.

Reads only: the services in reporting.py store what `generate` writes."""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from yingji.core import documents

from . import evaluation
from .models import ActionLog, Briefing, Drill, Inject, Participant, Report, elapsed_text

# The sections in their order: (field, heading). The headings are the seeds' own words.
SECTIONS = (
    ("background", pgettext_lazy("drill report", "Background")),
    ("purposes", pgettext_lazy("drill report", "Purposes")),
    ("content", pgettext_lazy("drill report", "Content")),
    ("process", pgettext_lazy("drill report", "Process")),
    ("evaluation", pgettext_lazy("drill report", "Evaluation")),
    ("conclusions", pgettext_lazy("drill report", "Conclusions")),
    ("problems", pgettext_lazy("drill report", "Problems found")),
    ("improvements", pgettext_lazy("drill report", "Improvements")),
)
FIELDS = tuple(field for field, _heading in SECTIONS)
# 一、二、… as the seeds number their sections.
NUMERALS = "一二三四五六七八九十"


def section_headings() -> list[tuple[str, str]]:
    return [(field, f"{NUMERALS[n]}、{heading}") for n, (field, heading) in enumerate(SECTIONS)]


def _local(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def _minutes(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _scenario_clock(drill: Drill, inject: Inject) -> str:
    """The story's time of an inject: its own, or the scenario clock at its offset (11:10 in 002)."""
    if inject.clock_time is not None:
        return inject.clock_time.strftime("%H:%M")
    starts = [s.clock_start for s in drill.scenarios.all() if s.clock_start is not None]
    if not starts:
        return ""
    total = min(starts).hour * 60 + min(starts).minute + inject.offset_seconds // 60
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def _background(drill: Drill) -> str:
    lines = []
    when = _local(drill.started_at or drill.starts_at, "%Y年%m月%d日")
    units = "、".join(u.name for u in drill.units.all())
    lines.append(
        _("On %(when)s %(unit)s held the drill “%(title)s” (%(form)s)%(place)s.")
        % {
            "when": when or _("the day of the drill"),
            "unit": drill.unit.name,
            "title": drill.title,
            "form": drill.get_form_display(),
            "place": _(" at %s") % drill.place if drill.place else "",
        }
    )
    if units:
        lines.append(_("Units taking part: %s.") % units)
    plans = [
        _("%(title)s (version %(version)s)")
        % {"title": s.snapshot.get("title", s.title), "version": s.snapshot.get("version", "")}
        for s in drill.scenarios.all()
        if s.plan_version_id
    ]
    if plans:
        lines.append(_("Plans drilled: %s.") % "；".join(plans))
    if drill.principles:
        lines.append(_("Principles: %s") % drill.principles)
    return "\n".join(lines)


def _purposes(drill: Drill) -> str:
    if drill.purposes.strip():
        return drill.purposes
    briefing = Briefing.objects.filter(drill=drill).values_list("purpose", flat=True).first()
    if briefing and briefing.strip():
        return briefing
    plans = "、".join(f"《{s.snapshot.get('title', s.title)}》" for s in drill.scenarios.all())
    return _("To test %(plans)s and how the staff taking part respond.") % {"plans": plans or drill.title}


def _content(drill: Drill) -> str:
    lines = []
    for scenario in drill.scenarios.all():
        start = f"（{scenario.clock_start:%H:%M}）" if scenario.clock_start else ""
        text = scenario.situation or next(
            (i.text for i in drill.injects.all() if i.scenario_id == scenario.pk), ""
        )
        lines.append(f"{scenario.title}{start}" + (f"：{text}" if text else ""))
    for objective in drill.objectives.all():
        target = ""
        if objective.target_minutes is not None:
            target = _("(within %s minutes)") % objective.target_minutes
            if objective.bank_own:
                target += _("(the bank's own setting)")
        lines.append(_("Objective %(n)s: %(text)s") % {"n": objective.order, "text": objective.text} + target)
    return "\n".join(lines)


def _process(drill: Drill) -> str:
    """Every released inject with its +H:MM and scenario clock, every logged action with its time and
    who, in the order they happened."""
    if drill.started_at is None:
        return _("The drill was not run.")
    events: list[tuple] = []
    injects = list(
        Inject.objects.filter(drill=drill).prefetch_related("acks").order_by("offset_seconds", "number")
    )
    for inject in injects:
        if inject.status == Inject.State.RELEASED and inject.released_at:
            story = _scenario_clock(drill, inject)
            line = _("%(offset)s%(story)s event %(n)s: %(text)s (%(channel)s, to %(to)s)") % {
                "offset": inject.offset_text,
                "story": _(" (scenario clock %s)") % story if story else "",
                "n": inject.number,
                "text": inject.text,
                "channel": inject.get_channel_display(),
                "to": inject.recipient_text,
            }
            if inject.unscripted:
                line += _(" [added during the run]")
            acks = len(inject.acks.all())
            if acks:
                line += _(" — acknowledged by %s") % acks
            events.append((inject.released_at, 0, f"{_local(inject.released_at, '%H:%M:%S')} {line}"))
    logs = ActionLog.objects.filter(drill=drill).select_related("participant", "expected_action")
    for log in logs:
        what = log.expected_action.action if log.expected_action and not log.text else log.text
        events.append(
            (
                log.at,
                1,
                _("%(time)s %(elapsed)s %(who)s: %(what)s")
                % {
                    "time": _local(log.at, "%H:%M:%S"),
                    "elapsed": log.elapsed_text,
                    "who": log.participant.name,
                    "what": what,
                },
            )
        )
    events.sort(key=lambda e: (e[0], e[1]))
    lines = [_("%s the drill started") % _local(drill.started_at, "%Y-%m-%d %H:%M:%S")]
    lines += [text for _at, _order, text in events]
    for inject in injects:
        if inject.status == Inject.State.SKIPPED:
            lines.append(
                _("Event %(n)s was not released: %(reason)s")
                % {"n": inject.number, "reason": inject.skip_reason or "—"}
            )
    if drill.paused_seconds:
        lines.append(_("Paused for %s minutes in all.") % _minutes(drill.paused_seconds / 60))
    if drill.ended_at:
        lines.append(
            _("%(time)s the drill ended (running time %(elapsed)s)")
            % {
                "time": _local(drill.ended_at, "%H:%M:%S"),
                "elapsed": elapsed_text(drill.running_seconds(drill.ended_at)),
            }
        )
    return "\n".join(lines)


def _score_line(score: Decimal | None, passed: bool | None, table: dict) -> str:
    """得分 and 合格/不合格, with the conversion and the pass mark it was judged by (本行设定)."""
    if score is None:
        return _("No score: no expected action was rated.")
    scores = table.get("scores") or {k: table[k] for k in "PSMU" if k in table}
    pass_score = table.get("pass_score", table.get("pass", settings.YINGJI_DRILL_PASS_SCORE))
    verdict = pgettext("drill report", "passed") if passed else pgettext("drill report", "not passed")
    conversion = " ".join(f"{k}={v}" for k, v in scores.items())
    return _(
        "Score %(score)s, %(verdict)s (pass mark %(pass)s; ratings counted as %(table)s; "
        "the bank's own setting)."
    ) % {"score": score, "verdict": verdict, "pass": pass_score, "table": conversion}


def _evaluation(drill: Drill, actions: list, objectives: list, scored: tuple) -> str:
    lines = []
    found = evaluation.evaluation_of(drill)
    if found is not None:
        if found.hot_wash:
            lines.append(_("Hot wash: %s") % found.hot_wash)
        if found.meeting_at:
            lines.append(
                _("Evaluation meeting: %(when)s %(place)s")
                % {"when": _local(found.meeting_at), "place": found.meeting_place}
            )
        by_category: dict[str, list[str]] = {}
        for attendee in found.attendees.all():
            by_category.setdefault(attendee.category, []).append(
                attendee.name + (f"（{attendee.organisation}）" if attendee.organisation else "")
            )
        labels = dict(Participant.Category.choices)
        for category, names in by_category.items():
            lines.append(f"{labels.get(category, category)}：{'、'.join(names)}")
    for result in objectives:
        objective = result.objective
        met = {
            True: pgettext("drill report", "met"),
            False: pgettext("drill report", "not met"),
            None: pgettext("drill report", "not measured"),
        }[result.met]
        target = ""
        if objective.target_minutes is not None:
            target = _(", target %s minutes") % objective.target_minutes
            if objective.bank_own:
                target += _("(the bank's own setting)")
        taken = (
            _(", took %s minutes") % _minutes(result.minutes_taken)
            if result.minutes_taken is not None
            else ""
        )
        rating = pgettext("drill report", ", rated %s") % result.rating if result.rating else ""
        lines.append(
            _("Objective %(n)s %(text)s: %(met)s%(target)s%(taken)s%(rating)s")
            % {
                "n": objective.order,
                "text": objective.text,
                "met": met,
                "target": target,
                "taken": taken,
                "rating": rating,
            }
        )
    for result in actions:
        action = result.expected_action
        parts = [
            pgettext("drill report", "rated %s") % (result.rating or pgettext("drill report", "not rated"))
        ]
        if result.taken_minutes is not None:
            parts.append(_("done after %s minutes") % _minutes(result.taken_minutes))
            if result.taken_by:
                parts.append("、".join(result.taken_by))
        else:
            parts.append(
                pgettext("drill report", "not done")
                if result.missed
                else pgettext("drill report", "not logged")
            )
        if result.expected_minutes is not None:
            parts.append(_("expected within %s minutes") % result.expected_minutes)
        if result.late:
            parts.append(pgettext("drill report", "late"))
        who = action.position.name if action.position else _("everyone")
        lines.append(f"{result.scenario.title} {action.order}.【{who}】{action.action}：{'，'.join(parts)}")
    lines.append(_score_line(*scored))
    return "\n".join(lines)


def _conclusions(drill: Drill, objectives: list, passed: bool | None) -> str:
    lines = []
    if passed is True:
        lines.append(_("The drill achieved its purpose and passed."))
    elif passed is False:
        lines.append(_("The drill did not reach the pass mark."))
    measured = [r for r in objectives if r.met is not None]
    if measured:
        lines.append(
            _("%(met)s of %(all)s measured objectives were met.")
            % {"met": sum(1 for r in measured if r.met), "all": len(measured)}
        )
    found = evaluation.evaluation_of(drill)
    if found is not None and found.strengths:
        lines.append(found.strengths)
    return "\n".join(lines)


def _problems_and_improvements(drill: Drill) -> tuple[str, str]:
    problems, improvements = [], []
    seen: set[int] = set()
    for n, finding in enumerate(evaluation.findings_of(drill), 1):
        problems.append(
            f"{n}. 【{finding.get_category_display()}】{finding.text}（{finding.get_grade_display()}）"
        )
        for action in finding.actions.all():
            if action.pk in seen:
                continue
            seen.add(action.pk)
            improvements.append(
                _("%(n)s. %(text)s (owner %(owner)s, due %(due)s, %(status)s)")
                % {
                    "n": len(seen),
                    "text": action.text,
                    "owner": action.owner.name,
                    "due": _local(action.due_at, "%Y-%m-%d"),
                    "status": action.get_status_display(),
                }
            )
    if not problems:
        problems.append(_("The drill found no problem that needs correcting."))
    if not improvements:
        improvements.append(_("No corrective action has been opened."))
    return "\n".join(problems), "\n".join(improvements)


def generate(drill: Drill) -> dict[str, str]:
    """The eight sections from what the drill, its run, its evaluation and its findings say now."""
    actions = evaluation.action_results(drill)
    objectives = evaluation.objective_results(drill, actions)
    scored = evaluation.score(drill, actions=actions, objectives=objectives)
    problems, improvements = _problems_and_improvements(drill)
    return {
        "background": _background(drill),
        "purposes": _purposes(drill),
        "content": _content(drill),
        "process": _process(drill),
        "evaluation": _evaluation(drill, actions, objectives, scored),
        "conclusions": _conclusions(drill, objectives, scored[1]),
        "problems": problems,
        "improvements": improvements,
    }


def docx(drill: Drill, report: Report | None) -> bytes:
    """The report as Word. Until it is signed off every page's header says 草稿（未审签）; once signed
    off it ends with 撰稿 and 审签, names and dates, as the seeds do. Without a stored report it is the
    text the report would start from, a draft too."""
    sections = {f: getattr(report, f) for f in FIELDS} if report else generate(drill)
    when = _local(drill.started_at or drill.starts_at, "%Y-%m-%d")
    subtitle = " · ".join(x for x in (_("Drill report"), drill.unit.name, when, drill.place) if x)
    doc = documents.new_document(drill.title, subtitle)
    signed = report is not None and report.approved_at is not None
    if not signed:
        mark = _("Draft (not signed off)")
        header = doc.sections[0].header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for para in (header, doc.add_paragraph()):
            run = para.add_run(mark)
            run.bold = True
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    for field, heading in section_headings():
        doc.add_heading(heading, level=1)
        for line in (sections.get(field) or "").splitlines():
            if line.strip():
                doc.add_paragraph(line)
    # The seeds close with （撰稿：… 审签领导：…）: the signatures at the foot, on the right.
    signatures = []
    if report is not None and report.author_id:
        signatures.append((_("Written by"), report.author.name, report.submitted_at))
    if signed:
        signatures.append((_("Signed off by"), report.approver.name, report.approved_at))
    for n, (label, name, at) in enumerate(signatures):
        documents.add_labelled(doc, label, f"{name}  {_local(at, '%Y-%m-%d')}")
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if n == 0:
            doc.paragraphs[-1].paragraph_format.space_before = Pt(18)
    return documents.to_bytes(doc)
