"""A drill after its script: the run (its clock, the injects with their states and release times, the
players' acknowledgements and logged actions), the ratings (each expected action's timing and P/S/M/U,
each objective met or not, the score), the findings with their corrective actions, and the report.
Read-only. The drill is found through the drill selectors (404 outside the person's visibility); its
findings and actions through the corrective selectors, so nobody reads a finding of a unit they do not see
by way of a drill they play in."""

from datetime import datetime

from django.db.models import Prefetch
from ninja import Field, Schema

from yingji.core import clock, inputs
from yingji.corrective import selectors as corrective
from yingji.corrective.models import CorrectiveAction, Finding
from yingji.drills import evaluation, reporting, selectors
from yingji.drills.models import ActionLog, Drill, Inject, InjectAck, elapsed_text

from .routes import ALWAYS, ErrorOut
from .routes_corrective import ActionOut, _action
from .routes_drills import drills_router

ERRORS: dict[int, type[Schema]] = {**ALWAYS, 404: ErrorOut}


class AckOut(Schema):
    participant: str
    at: datetime


class RunInjectOut(Schema):
    number: int
    scenario: int | None = Field(description="The scenario's order.")
    offset_seconds: int
    offset: str = Field(description="+H:MM from the start of the drill, as the script writes it.")
    clock_time: str | None = Field(description="HH:MM on the scenario's clock, if the script gives it.")
    text: str
    channel: str
    recipient: str
    status: str = Field(description="pending, released or skipped.")
    released_at: datetime | None
    released_by_schedule: bool = Field(description="Released when it fell due, not by the controller.")
    skip_reason: str
    unscripted: bool = Field(description="Added by the controller during the run.")
    acks: list[AckOut]


class ActionLogOut(Schema):
    participant: str
    expected_action: int | None
    text: str
    at: datetime
    elapsed_seconds: int = Field(description="Running time when logged (pauses excluded).")
    elapsed: str = Field(description="+H:MM:SS")


class RunOut(Schema):
    status: str
    started_at: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    ended_at: datetime | None
    running_seconds: int = Field(description="Seconds of exercise so far, stopped while paused.")
    elapsed: str = Field(description="+H:MM:SS")
    scenario_clock: str | None = Field(description="HH:MM the story has reached.")
    injects: list[RunInjectOut]
    action_logs: list[ActionLogOut]


class RatingOut(Schema):
    evaluator: str | None = Field(description="The evaluator's name; null for an objective's final rating.")
    rating: str = Field(description="P, S, M or U.")
    note: str
    at: datetime
    correction_reason: str = Field(description="Set on a rating given after the run ended.")


class ActionResultOut(Schema):
    expected_action: int
    scenario: int = Field(description="The scenario's order.")
    action: str
    expected_minutes: int | None
    taken_minutes: float | None = Field(description="Minutes from the start of the scenario.")
    taken_by: list[str]
    late: bool | None
    missed: bool = Field(description="The run is over and nobody logged it.")
    rating: str | None = Field(description="The gravest of the evaluators' current ratings.")
    ratings: list[RatingOut] = Field(description="Each evaluator's current rating.")
    history: list[RatingOut] = Field(description="Every rating given, corrections too.")


class ObjectiveResultOut(Schema):
    order: int
    text: str
    target_minutes: int | None
    bank_own: bool = Field(description="The target is the bank's own setting (本行设定).")
    minutes_taken: float | None
    met: bool | None
    rating: str | None = Field(description="The lead evaluator's final rating.")
    history: list[RatingOut]


class ScoreOut(Schema):
    score: float | None = Field(description="Null while something is unrated.")
    passed: bool | None
    table: dict[str, int] = Field(
        description="Points per rating and the pass mark (key `pass`), the bank's own setting."
    )
    concluded_at: datetime | None = Field(description="When the lead evaluator fixed the score.")


class RatingsOut(Schema):
    actions: list[ActionResultOut]
    objectives: list[ObjectiveResultOut]
    score: ScoreOut


class DrillFindingOut(Schema):
    id: int
    unit: str
    category: str
    category_display: str
    grade: str
    grade_display: str
    text: str
    found_at: datetime
    expected_action: int | None = Field(description="The expected action it is about, if any.")
    plan: str | None
    actions: list[ActionOut] = Field(description="Its corrective actions that the person sees.")


class ReportOut(Schema):
    state: str = Field(description="not_written, draft, submitted or signed_off.")
    background: str
    purposes: str
    content: str
    process: str
    evaluation: str
    conclusions: str
    problems: str
    improvements: str
    author: str | None = Field(description="撰稿: who submitted it.")
    submitted_at: datetime | None
    approver: str | None = Field(description="审签: who signed it off.")
    approved_at: datetime | None
    returned_reason: str
    updated_at: datetime | None


def _drill(request, drill_id: int) -> Drill:
    return selectors.drill_for(viewer=request.user, pk=drill_id)


@drills_router.get("/drills/{drill_id}/run", response={200: RunOut, **ERRORS})
def get_run(request, drill_id: int):
    """The run as recorded: the clock, every inject with its state and release time and who acknowledged
    it, every logged action with its running time."""
    drill = _drill(request, drill_id)
    now = clock.now()
    injects = (
        Inject.objects.filter(drill=drill)
        .select_related("scenario", "recipient_position", "recipient_participant")
        .prefetch_related(Prefetch("acks", queryset=InjectAck.objects.select_related("participant")))
        .order_by("offset_seconds", "number")
    )
    logs = ActionLog.objects.filter(drill=drill).select_related("participant").order_by("at", "pk")
    story = drill.scenario_clock(now)
    return {
        "status": drill.status,
        "started_at": inputs.local_time(drill.started_at),
        "paused_at": inputs.local_time(drill.paused_at),
        "paused_seconds": drill.paused_seconds,
        "ended_at": inputs.local_time(drill.ended_at),
        "running_seconds": drill.running_seconds(now),
        "elapsed": elapsed_text(drill.running_seconds(now)),
        "scenario_clock": story.strftime("%H:%M") if story else None,
        "injects": [
            {
                "number": i.number,
                "scenario": i.scenario.order if i.scenario else None,
                "offset_seconds": i.offset_seconds,
                "offset": i.offset_text,
                "clock_time": i.clock_time.strftime("%H:%M") if i.clock_time else None,
                "text": i.text,
                "channel": i.channel,
                "recipient": i.recipient_text,
                "status": i.status,
                "released_at": inputs.local_time(i.released_at),
                "released_by_schedule": i.status == Inject.State.RELEASED and i.released_by_id is None,
                "skip_reason": i.skip_reason,
                "unscripted": i.unscripted,
                "acks": [
                    {"participant": a.participant.name, "at": inputs.local_time(a.at)} for a in i.acks.all()
                ],
            }
            for i in injects
        ],
        "action_logs": [
            {
                "participant": log.participant.name,
                "expected_action": log.expected_action_id,
                "text": log.text,
                "at": inputs.local_time(log.at),
                "elapsed_seconds": log.elapsed_seconds,
                "elapsed": log.elapsed_text,
            }
            for log in logs
        ],
    }


def _rating(row, *, evaluator: bool = True) -> dict:
    return {
        "evaluator": row.evaluator.name if evaluator else None,
        "rating": row.rating,
        "note": row.note,
        "at": inputs.local_time(row.at),
        "correction_reason": row.correction_reason,
    }


@drills_router.get("/drills/{drill_id}/ratings", response={200: RatingsOut, **ERRORS})
def get_ratings(request, drill_id: int):
    """Each expected action's timing and ratings (current and every correction), each objective met or
    not with the lead's final rating, and the score by the bank's table."""
    drill = _drill(request, drill_id)
    actions = evaluation.action_results(drill)
    objectives = evaluation.objective_results(drill, actions)
    points, passed, table = evaluation.score(drill, actions=actions, objectives=objectives)
    concluded = evaluation.evaluation_of(drill)
    return {
        "actions": [
            {
                "expected_action": r.expected_action.pk,
                "scenario": r.scenario.order,
                "action": r.expected_action.action,
                "expected_minutes": r.expected_minutes,
                "taken_minutes": r.taken_minutes,
                "taken_by": r.taken_by,
                "late": r.late,
                "missed": r.missed,
                "rating": r.rating,
                "ratings": [_rating(x) for x in r.ratings],
                "history": [_rating(x) for x in r.history],
            }
            for r in actions
        ],
        "objectives": [
            {
                "order": r.objective.order,
                "text": r.objective.text,
                "target_minutes": r.objective.target_minutes,
                "bank_own": r.objective.bank_own,
                "minutes_taken": r.minutes_taken,
                "met": r.met,
                "rating": r.rating,
                "history": [_rating(x, evaluator=False) for x in r.history],
            }
            for r in objectives
        ],
        "score": {
            "score": float(points) if points is not None else None,
            "passed": passed,
            "table": {k: int(v) for k, v in table.items()},
            "concluded_at": inputs.local_time(concluded.concluded_at) if concluded else None,
        },
    }


@drills_router.get("/drills/{drill_id}/findings", response={200: list[DrillFindingOut], **ERRORS})
def get_findings(request, drill_id: int):
    """The drill's findings in the corrective register that the person sees, each with its corrective
    actions that the person sees."""
    drill = _drill(request, drill_id)
    now = clock.now()
    actions = (
        corrective.actions_for(request.user)
        .select_related("created_by", "verified_by")
        .prefetch_related("findings")
    )
    findings = (
        corrective.findings_for(request.user)
        .filter(drill_link__drill=drill)
        .select_related("drill_link")
        .prefetch_related(Prefetch("actions", queryset=actions, to_attr="seen_actions"))
        .order_by("found_at", "pk")
    )
    return [_finding(f, now) for f in findings]


def _finding(f: Finding, now: datetime) -> dict:
    seen: list[CorrectiveAction] = f.seen_actions  # type: ignore[attr-defined]
    return {
        "id": f.pk,
        "unit": f.unit.code,
        "category": f.category,
        "category_display": f.get_category_display(),
        "grade": f.grade,
        "grade_display": f.get_grade_display(),
        "text": f.text,
        "found_at": inputs.local_time(f.found_at),
        "expected_action": f.drill_link.expected_action_id,
        "plan": f.plan.code if f.plan else None,
        "actions": [_action(a, now) for a in seen],
    }


@drills_router.get("/drills/{drill_id}/report", response={200: ReportOut, **ERRORS})
def get_report(request, drill_id: int):
    """The report as it stands, with its state; its sections are empty while it is not written."""
    drill = _drill(request, drill_id)
    report = reporting.report_of(drill)
    sections = {f: getattr(report, f) if report else "" for f in reporting.report_writing.FIELDS}
    return {
        "state": reporting.state(report),
        **sections,
        "author": report.author.name if report and report.author else None,
        "submitted_at": inputs.local_time(report.submitted_at) if report else None,
        "approver": report.approver.name if report and report.approver else None,
        "approved_at": inputs.local_time(report.approved_at) if report else None,
        "returned_reason": report.returned_reason if report else "",
        "updated_at": inputs.local_time(report.updated_at) if report else None,
    }
