"""Reads of a drill's evaluation: each expected action's response time against the expected one and
its ratings, each objective met or not from the logged times, the score by the bank's table.

Times are measured on the drill's running clock (pauses excluded) from the start of the action's
scenario, which is the offset of the scenario's first scripted inject (0 when it has none)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Prefetch

from yingji.corrective.models import CorrectiveAction, Finding

from .models import (
    ActionLog,
    ActionRating,
    Drill,
    ExpectedAction,
    FindingLink,
    Inject,
    Objective,
    ObjectiveRating,
    Participant,
    Status,
)

# Gravest first: the reconciled rating of an action is the gravest of the evaluators' current ones.
SEVERITY = ["U", "M", "S", "P"]
RATED = frozenset({Status.ENDED, Status.EVALUATED, Status.REPORTED})
LIVE = frozenset({Status.RUNNING, Status.PAUSED})


@dataclass
class ActionResult:
    expected_action: ExpectedAction
    scenario: object
    expected_minutes: int | None
    taken_minutes: float | None = None
    taken_at: object = None
    taken_by: list[str] = field(default_factory=list)
    late: bool | None = None
    missed: bool = False
    ratings: list[ActionRating] = field(default_factory=list)
    history: list[ActionRating] = field(default_factory=list)
    rating: str | None = None
    proposed: bool = False
    finding_ids: list[int] = field(default_factory=list)


@dataclass
class ObjectiveResult:
    objective: Objective
    minutes_taken: float | None
    met: bool | None
    rating: str | None = None
    latest: ObjectiveRating | None = None
    history: list[ObjectiveRating] = field(default_factory=list)


def gravest(ratings: list[str]) -> str | None:
    return min(ratings, key=SEVERITY.index) if ratings else None


def current_ratings(history: list) -> list:
    """The latest rating of each evaluator (the rows come in time order)."""
    latest: dict[int, object] = {}
    for row in history:
        latest[row.evaluator_id] = row
    return list(latest.values())


def scenario_starts(drill: Drill) -> dict[int, int]:
    """Running-time seconds at which each scenario starts: its first scripted inject."""
    starts: dict[int, int] = {}
    for scenario_id, offset in Inject.objects.filter(
        drill=drill, unscripted=False, scenario__isnull=False
    ).values_list("scenario_id", "offset_seconds"):
        starts[scenario_id] = min(offset, starts.get(scenario_id, offset))
    return starts


def action_results(drill: Drill) -> list[ActionResult]:
    """Every expected action of the drill in script order, with who did it when and how it was rated."""
    actions = list(
        ExpectedAction.objects.filter(scenario__drill=drill)
        .select_related("scenario", "position")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=ActionRating.objects.select_related("evaluator").order_by("at", "pk"),
            )
        )
        .order_by("scenario__order", "order")
    )
    starts = scenario_starts(drill)
    first_logs: dict[int, ActionLog] = {}
    names: dict[int, list[str]] = defaultdict(list)
    for log in (
        ActionLog.objects.filter(drill=drill, expected_action__isnull=False)
        .select_related("participant")
        .order_by("elapsed_seconds", "pk")
    ):
        first_logs.setdefault(log.expected_action_id, log)
        if log.participant.name not in names[log.expected_action_id]:
            names[log.expected_action_id].append(log.participant.name)
    linked: dict[int, list[int]] = defaultdict(list)
    for action_id, finding_id in FindingLink.objects.filter(
        drill=drill, expected_action__isnull=False
    ).values_list("expected_action_id", "finding_id"):
        linked[action_id].append(finding_id)
    over = drill.status in RATED
    results = []
    for action in actions:
        result = ActionResult(action, action.scenario, action.expected_minutes)
        log = first_logs.get(action.pk)
        if log is not None:
            start = starts.get(action.scenario_id, 0)
            result.taken_minutes = round(max(0, log.elapsed_seconds - start) / 60, 1)
            result.taken_at = log.at
            result.taken_by = names[action.pk]
            if action.expected_minutes is not None:
                result.late = result.taken_minutes > action.expected_minutes
        else:
            result.missed = over
        result.history = list(action.ratings.all())
        result.ratings = current_ratings(result.history)
        result.rating = gravest([r.rating for r in result.ratings])
        result.finding_ids = linked.get(action.pk, [])
        result.proposed = action.critical and result.rating == "U" and not result.finding_ids
        results.append(result)
    return results


def objective_results(drill: Drill, actions: list[ActionResult] | None = None) -> list[ObjectiveResult]:
    """Each objective met or not from the logged time of its linked action; the lead's final rating."""
    by_action = {r.expected_action.pk: r for r in (actions if actions is not None else action_results(drill))}
    over = drill.status in RATED
    results = []
    for objective in Objective.objects.filter(drill=drill).prefetch_related("ratings").order_by("order"):
        linked = by_action.get(objective.expected_action_id)
        minutes = linked.taken_minutes if linked else None
        met = objective.met(minutes)
        if met is None and over and linked is not None and objective.target_minutes is not None:
            met = False  # the run ended and nobody took the action: the target was not met
        history = list(objective.ratings.all())
        latest = history[-1] if history else None
        results.append(
            ObjectiveResult(objective, minutes, met, latest.rating if latest else None, latest, history)
        )
    return results


def score_table() -> dict[str, int]:
    return dict(settings.YINGJI_DRILL_SCORES)


def score(
    drill: Drill,
    *,
    actions: list[ActionResult] | None = None,
    objectives: list[ObjectiveResult] | None = None,
) -> tuple[Decimal | None, bool | None, dict]:
    """The mean of the objectives' final ratings by the table (or of the actions' reconciled ratings
    when the drill set no objectives), and 合格 at the pass mark; None while anything is unrated."""
    evaluation = evaluation_of(drill)
    if evaluation is not None and evaluation.concluded_at is not None:
        return evaluation.score, evaluation.passed, evaluation.score_table
    table = {**score_table(), "pass": int(settings.YINGJI_DRILL_PASS_SCORE)}
    actions = actions if actions is not None else action_results(drill)
    objectives = objectives if objectives is not None else objective_results(drill, actions)
    ratings = [o.rating for o in objectives] if objectives else [a.rating for a in actions]
    if not ratings or any(r is None for r in ratings):
        return None, None, table
    mean = Decimal(sum(table[r] for r in ratings)) / len(ratings)
    points = mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return points, points >= table["pass"], table


def _has_evaluation(drill: Drill) -> bool:
    try:
        drill.evaluation  # noqa: B018  (a reverse one-to-one raises when there is none)
    except Drill.evaluation.RelatedObjectDoesNotExist:
        return False
    return True


def evaluation_of(drill: Drill):
    return drill.evaluation if _has_evaluation(drill) else None


def evaluators(drill: Drill) -> list[Participant]:
    return list(
        Participant.objects.filter(drill=drill, role=Participant.Role.EVALUATOR).select_related("person")
    )


def evaluator_of(actor, drill: Drill) -> Participant | None:
    if not actor.is_authenticated:
        return None
    return (
        Participant.objects.filter(drill=drill, role=Participant.Role.EVALUATOR, person__user=actor)
        .select_related("person")
        .first()
    )


def findings_of(drill: Drill) -> list[Finding]:
    """The drill's findings in the corrective register, with their actions and the action they are about."""
    return list(
        Finding.objects.filter(drill_link__drill=drill)
        .select_related("unit", "plan", "plan_draft", "drill_link__expected_action", "recorded_by")
        .prefetch_related(Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner")))
        .order_by("pk")
    )
