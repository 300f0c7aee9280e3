"""Every write of a drill's evaluation (HSEEP: evaluators rate each expected action P/S/M/U during the
run; a hot wash after it; the evaluation meeting reconciles a final rating per objective, scores the
drill and records findings). Ratings are appended, never overwritten; after the drill has ended a new
rating is a correction with its reason, and once the evaluation is concluded nothing is rated again.

A finding goes into the corrective register (yingji.corrective) with its action; a finding against a
plan opens the plan's next draft; concluding verifies the register's done actions this drill re-tested."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.transitions import transition
from yingji.corrective import services as corrective
from yingji.corrective.models import Category, CorrectiveAction, Finding, Grade, Rating, SourceType
from yingji.corrective.models import Status as ActionStatus
from yingji.corrective.permissions import can_verify
from yingji.orgs import visibility
from yingji.orgs.models import Person
from yingji.plans import services as plans
from yingji.plans.models import Plan, Step

from . import evaluation as reads
from .models import (
    TRANSITIONS,
    ActionRating,
    Drill,
    Evaluation,
    ExpectedAction,
    FindingLink,
    MeetingAttendee,
    Objective,
    ObjectiveRating,
    Participant,
    Status,
)
from .permissions import can_plan

MAX_NOTE = 2000
RATING_OPEN = frozenset({Status.RUNNING, Status.PAUSED, Status.ENDED})


def _evaluation(drill: Drill) -> Evaluation:
    found, _created = Evaluation.objects.get_or_create(drill=drill)
    return found


def _note(value: str, field: str = "note", *, limit: int = MAX_NOTE, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(required, fields={field: required})
    if len(value) > limit:
        raise InvalidInput(_("At most %(n)s characters.") % {"n": limit}, fields={field: ""})
    if problem := inputs.text_problem(value):
        raise InvalidInput(problem, fields={field: problem})
    return value


def _rating(value: str) -> str:
    if value not in Rating.values:
        message = _("Choose P, S, M or U.")
        raise InvalidInput(message, fields={"rating": message})
    return value


def is_lead(actor, drill: Drill) -> bool:
    evaluation = reads.evaluation_of(drill)
    lead = evaluation.lead_evaluator if evaluation else None
    return bool(lead and lead.person_id and lead.person.user_id == actor.pk)


def can_evaluate(actor, drill: Drill) -> bool:
    """Run the evaluation: the lead evaluator, or a planner of the organising unit."""
    return is_lead(actor, drill) or can_plan(actor, drill.unit)


def _check_evaluator(actor, drill: Drill) -> None:
    if not can_evaluate(actor, drill):
        raise NotAllowed(_("The lead evaluator or the drill's planners evaluate the drill."))


def _check_ended(drill: Drill) -> None:
    if drill.status != Status.ENDED:
        raise InvalidInput(_("This is done after the run has ended and before the evaluation is concluded."))


def mark_critical(*, actor, expected_action: ExpectedAction, critical: bool) -> ExpectedAction:
    """The planner says which expected actions are critical tasks (a U on one proposes a 不足项), while
    the drill may still be changed."""
    drill = expected_action.scenario.drill
    if not can_plan(actor, drill.unit):
        raise NotAllowed(_("Only emergency administrators, trainers, unit heads and leaders plan drills."))
    if not drill.editable:
        raise InvalidInput(_("This drill can no longer be changed."))
    with transaction.atomic():
        expected_action.critical = critical
        expected_action.save(update_fields=["critical"])
        audit.record(
            actor=actor,
            action="drill.mark_critical",
            obj=drill,
            data={
                "text": expected_action.action[:100],
                "decision": "critical" if critical else "not critical",
            },
        )
    return expected_action


# --- Ratings -----------------------------------------------------------------------------------------


def rate_action(
    *,
    actor,
    expected_action: ExpectedAction,
    rating: str,
    note: str = "",
    reason: str = "",
    on_behalf_of: Participant | None = None,
) -> ActionRating:
    """An evaluator rates an expected action. `on_behalf_of` records the rating of an outside evaluator
    (a regulator without an account) read out at the table; the recorder is kept."""
    drill = expected_action.scenario.drill
    mine = reads.evaluator_of(actor, drill)
    if mine is None:
        raise NotAllowed(_("Only the drill's evaluators rate its actions."))
    evaluator = mine
    if on_behalf_of is not None:
        if (
            on_behalf_of.drill_id != drill.pk
            or on_behalf_of.role != Participant.Role.EVALUATOR
            or on_behalf_of.person_id is not None
        ):
            raise InvalidInput(
                _("Only an outside evaluator without an account is rated for."),
                fields={"on_behalf_of": _("Not an outside evaluator of this drill.")},
            )
        evaluator = on_behalf_of
    if drill.status not in RATING_OPEN:
        raise InvalidInput(_("Actions are rated while the drill runs; after the evaluation nothing changes."))
    rating = _rating(rating)
    note = _note(note)
    correction = drill.status == Status.ENDED
    if correction:
        reason = _note(reason, "reason", required=_("After the run a rating is a correction: say why."))
    with transaction.atomic():
        row = ActionRating.objects.create(
            expected_action=expected_action,
            evaluator=evaluator,
            rating=rating,
            note=note,
            at=clock.now(),
            correction_reason=reason if correction else "",
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="drill.correct_rating" if correction else "drill.rate_action",
            obj=drill,
            data={
                "name": evaluator.name,
                "text": expected_action.action[:100],
                "decision": rating,
                **({"reason": reason} if correction else {}),
            },
        )
    return row


def rate_objective(*, actor, objective: Objective, rating: str, note: str = "") -> ObjectiveRating:
    """The lead evaluator's final rating of an objective at the meeting; a later one supersedes it,
    both kept."""
    drill = objective.drill
    if not is_lead(actor, drill):
        raise NotAllowed(_("The lead evaluator gives the final rating of each objective."))
    _check_ended(drill)
    rating, note = _rating(rating), _note(note)
    with transaction.atomic():
        row = ObjectiveRating.objects.create(
            objective=objective, rating=rating, note=note, at=clock.now(), recorded_by=actor
        )
        audit.record(
            actor=actor,
            action="drill.rate_objective",
            obj=drill,
            data={"text": objective.text[:100], "decision": rating},
        )
    return row


# --- Hot wash and meeting ----------------------------------------------------------------------------


def record_hot_wash(*, actor, drill: Drill, text: str) -> Evaluation:
    """现场点评 right after the run: what went well and what did not, in the evaluators' words."""
    if not (can_evaluate(actor, drill) or reads.evaluator_of(actor, drill)):
        raise NotAllowed(_("The drill's evaluators and planners record the hot wash."))
    _check_ended(drill)
    text = _note(text, "hot_wash", limit=8000, required=_("Say what was said."))
    with transaction.atomic():
        evaluation = _evaluation(drill)
        evaluation.hot_wash, evaluation.hot_wash_at = text, evaluation.hot_wash_at or clock.now()
        evaluation.save(update_fields=["hot_wash", "hot_wash_at"])
        audit.record(actor=actor, action="drill.hot_wash", obj=drill, data={"text": text[:200]})
    return evaluation


def update_meeting(
    *,
    actor,
    drill: Drill,
    meeting_at: datetime | None,
    place: str = "",
    lead_evaluator: Participant | None = None,
    strengths: str = "",
) -> Evaluation:
    if not can_plan(actor, drill.unit) and not is_lead(actor, drill):
        raise NotAllowed(_("The drill's planners arrange the evaluation meeting."))
    _check_ended(drill)
    errors: dict[str, str] = {}
    if meeting_at is not None and (problem := inputs.event_time_problem(meeting_at)):
        errors["meeting_at"] = problem
    if lead_evaluator is not None and (
        lead_evaluator.drill_id != drill.pk
        or lead_evaluator.role != Participant.Role.EVALUATOR
        or lead_evaluator.person_id is None
    ):
        errors["lead_evaluator"] = _("Choose one of the drill's evaluators with an account.")
    if errors:
        raise InvalidInput(_("Some fields are not valid."), fields=errors)
    place = _note(place, "place", limit=200)
    strengths = _note(strengths, "strengths", limit=8000)
    with transaction.atomic():
        evaluation = _evaluation(drill)
        evaluation.meeting_at, evaluation.meeting_place = meeting_at, place
        evaluation.lead_evaluator, evaluation.strengths = lead_evaluator, strengths
        evaluation.save(update_fields=["meeting_at", "meeting_place", "lead_evaluator", "strengths"])
        audit.record(
            actor=actor,
            action="drill.meeting",
            obj=drill,
            data={
                "at": meeting_at.isoformat() if meeting_at else None,
                "place": place,
                "name": lead_evaluator.name if lead_evaluator else "",
            },
        )
    return evaluation


def add_attendee(
    *,
    actor,
    drill: Drill,
    category: str,
    participant: Participant | None = None,
    name: str = "",
    organisation: str = "",
) -> MeetingAttendee:
    if not can_evaluate(actor, drill):
        raise NotAllowed(_("The lead evaluator or the drill's planners evaluate the drill."))
    _check_ended(drill)
    if category not in Participant.Category.values:
        raise InvalidInput(_("Choose a category."), fields={"category": _("Choose a category.")})
    if participant is not None:
        if participant.drill_id != drill.pk:
            raise InvalidInput(_("Not this drill's."), fields={"participant": _("Not this drill's.")})
        name, organisation = participant.name, organisation or participant.organisation
    name = _note(name, "name", limit=50, required=_("Give the attendee's name."))
    organisation = _note(organisation, "organisation", limit=100)
    with transaction.atomic():
        attendee = MeetingAttendee.objects.create(
            evaluation=_evaluation(drill),
            participant=participant,
            name=name,
            organisation=organisation,
            category=category,
        )
        audit.record(
            actor=actor,
            action="drill.add_attendee",
            obj=drill,
            data={"name": name, "organisation": organisation, "category": category},
        )
    return attendee


def remove_attendee(*, actor, attendee: MeetingAttendee) -> None:
    drill = attendee.evaluation.drill
    if not can_evaluate(actor, drill):
        raise NotAllowed(_("The lead evaluator or the drill's planners evaluate the drill."))
    _check_ended(drill)
    with transaction.atomic():
        audit.record(actor=actor, action="drill.remove_attendee", obj=drill, data={"name": attendee.name})
        attendee.delete()


# --- Findings ----------------------------------------------------------------------------------------


def _plan_and_step(action: ExpectedAction | None, drill: Drill) -> tuple[Plan | None, Step | None]:
    """The plan the finding is against: its action's scenario's plan, and the step when it still exists."""
    if action is None:
        plans_drawn = {s.plan_version.plan for s in drill.scenarios.select_related("plan_version__plan")}
        plans_drawn.discard(None)
        return (plans_drawn.pop() if len(plans_drawn) == 1 else None), None
    version = action.scenario.plan_version
    if version is None:
        return None, None
    step = Step.objects.filter(pk=action.source_step_id, version=version).first()
    return version.plan, step


def next_drill_at(drill: Drill) -> datetime | None:
    """When the organising unit drills next (a 不足项 must be corrected before it)."""
    upcoming = (
        Drill.objects.filter(
            unit=drill.unit,
            status__in=[Status.PLANNED, Status.BRIEFED],
            starts_at__gt=clock.now(),
        )
        .exclude(pk=drill.pk)
        .order_by("starts_at")
        .first()
    )
    return upcoming.starts_at if upcoming else None


def record_drill_finding(
    *,
    actor,
    drill: Drill,
    category: str,
    grade: str,
    text: str,
    expected_action: ExpectedAction | None = None,
    action_text: str = "",
    owner: Person | None = None,
    due_at: datetime | None = None,
) -> Finding:
    """A finding of the evaluation, in the corrective register with its first corrective action when
    one is given. A finding in the category 预案针对性和可操作性 against a plan opens the plan's draft."""
    if not can_evaluate(actor, drill):
        raise NotAllowed(_("The lead evaluator or the drill's planners evaluate the drill."))
    if drill.status not in (Status.ENDED, Status.EVALUATED):
        raise InvalidInput(_("Findings are recorded once the run has ended."))
    if expected_action is not None and expected_action.scenario.drill_id != drill.pk:
        raise InvalidInput(_("Not this drill's."), fields={"expected_action": _("Not this drill's.")})
    person = visibility.person_of(actor)
    if person is None:
        raise NotAllowed(_("Only a member of staff records findings."))
    plan, step = _plan_and_step(expected_action, drill)
    with transaction.atomic():
        finding = corrective.record_finding(
            actor=person,
            unit=drill.unit,
            source_type=SourceType.DRILL,
            source_id=drill.pk,
            source_label=_("Drill “%(title)s”") % {"title": drill.title[:150]},
            category=category,
            grade=grade,
            text=text,
            found_at=drill.ended_at or clock.now(),
            plan=plan,
            plan_step=step,
        )
        FindingLink.objects.create(drill=drill, finding=finding, expected_action=expected_action)
        if plan is not None and category == Category.PLAN:
            draft = plans.draft_for_finding(actor=actor, plan=plan, finding_text=finding.text)
            finding.plan_draft = draft
            finding.save(update_fields=["plan_draft"])
        if action_text.strip():
            corrective.open_action(
                actor=person,
                findings=[finding],
                owner=owner or person,
                text=action_text,
                due_at=due_at,
                next_drill_at=next_drill_at(drill) if due_at is None else None,
            )
    return finding


def propose_grade(result: reads.ActionResult) -> str:
    """A U on a critical expected action proposes a 不足项; anything else the evaluator grades."""
    return Grade.DEFICIENCY if result.proposed else Grade.RECTIFICATION


# --- Conclusion ---------------------------------------------------------------------------------------


def conclude_evaluation(*, actor, drill: Drill) -> Evaluation:
    """The lead evaluator concludes: the score and 合格 are fixed with the table used, the drill is
    evaluated, and corrective actions done elsewhere that this drill re-tested are verified (P, S) or
    opened again (M, U)."""
    if not can_evaluate(actor, drill):
        raise NotAllowed(_("The lead evaluator or the drill's planners evaluate the drill."))
    _check_ended(drill)
    actions = reads.action_results(drill)
    objectives = reads.objective_results(drill, actions)
    points, passed, table = reads.score(drill, actions=actions, objectives=objectives)
    if points is None:
        message = (
            _("Give every objective its final rating first.")
            if objectives
            else _("Every expected action needs a rating first.")
        )
        raise InvalidInput(message)
    with transaction.atomic():
        evaluation = _evaluation(drill)
        if evaluation.lead_evaluator_id is None:
            raise InvalidInput(_("Name the lead evaluator first."), fields={"lead_evaluator": ""})
        transition(drill, Status.EVALUATED, table=TRANSITIONS, expect={Status.ENDED})
        now = clock.now()
        evaluation.score, evaluation.passed, evaluation.score_table = points, passed, table
        evaluation.concluded_at, evaluation.concluded_by = now, actor
        evaluation.save(update_fields=["score", "passed", "score_table", "concluded_at", "concluded_by"])
        audit.record(
            actor=actor,
            action="drill.conclude",
            obj=drill,
            data={"title": drill.title, "score": str(points), "decision": "passed" if passed else "failed"},
        )
        _verify_retested(actor, drill, actions)
    return evaluation


def _verify_retested(actor, drill: Drill, actions: list[reads.ActionResult]) -> None:
    """Done corrective actions whose finding concerns a plan step this drill rated, at a unit that took
    part: the rating decides whether the fix held."""
    person = visibility.person_of(actor)
    if person is None:
        return
    rated: dict[tuple[str, int], str] = {}
    for result in actions:
        snapshot_plan = (result.scenario.snapshot or {}).get("plan")
        order = _step_order(result)
        if result.rating and snapshot_plan and order is not None:
            key = (snapshot_plan, order)
            rated[key] = reads.gravest([r for r in (rated.get(key), result.rating) if r])
    if not rated:
        return
    units = {drill.unit_id, *drill.units.values_list("pk", flat=True)}
    pending = (
        CorrectiveAction.objects.filter(
            status=ActionStatus.DONE,
            findings__unit_id__in=units,
            findings__plan__code__in={plan for plan, _order in rated},
        )
        .exclude(findings__drill_link__drill=drill)
        .prefetch_related("findings__plan", "findings__plan_step")
        .distinct()
    )
    label = _("Drill “%(title)s”") % {"title": drill.title[:150]}
    for action in pending:
        ratings = [
            rated.get((f.plan.code, f.plan_step.order))
            for f in action.findings.all()
            if f.plan is not None and f.plan_step is not None
        ]
        decided = reads.gravest([r for r in ratings if r])
        if decided and can_verify(person, action):
            corrective.verify(actor=person, action=action, by_source=label, rating=decided)


def _step_order(result: reads.ActionResult) -> int | None:
    snapshot = result.scenario.snapshot or {}
    for step in snapshot.get("steps", []):
        if step.get("id") == result.expected_action.source_step_id:
            return step.get("order")
    return None
