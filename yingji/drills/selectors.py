"""Every read of drills starts from what the viewer may see: a drill of a unit they see, or one in which
a unit they see takes part (an outlet's staff see the sub-branch's drill they play in)."""

from django.db.models import Prefetch, Q, QuerySet

from yingji.core import inputs
from yingji.core.errors import NotVisible
from yingji.orgs import visibility
from yingji.plans.models import Plan, VersionStatus

from .models import (
    ActionLog,
    Drill,
    DrillTemplate,
    ExpectedAction,
    Inject,
    Participant,
    Scenario,
    Status,
    elapsed_text,
)


def scope(viewer) -> Q:
    taking_part = Drill.units.through.objects.filter(visibility.scope(viewer, "unit")).values("drill_id")
    return visibility.scope(viewer, "unit") | Q(pk__in=taking_part)


def drills_for(*, viewer) -> QuerySet[Drill]:
    return Drill.objects.filter(scope(viewer)).select_related("unit").prefetch_related("units")


def drill_for(*, viewer, pk: int) -> Drill:
    """One drill with everything its page and the API show, in a fixed number of queries."""
    if inputs.record_id(pk) is None:  # not an id any drill can have (a database cannot even look)
        raise NotVisible()
    drill = (
        Drill.objects.filter(scope(viewer), pk=pk)
        .select_related("unit", "template", "created_by")
        .prefetch_related(
            "units",
            Prefetch("participants", queryset=Participant.objects.select_related("person", "position")),
            Prefetch(
                "scenarios",
                queryset=Scenario.objects.select_related("plan_version__plan").prefetch_related(
                    Prefetch(
                        "expected_actions",
                        queryset=ExpectedAction.objects.select_related("position", "scenario"),
                    )
                ),
            ),
            "objectives__expected_action__scenario",
            Prefetch(
                "injects",
                queryset=Inject.objects.select_related(
                    "scenario",
                    "recipient_position",
                    "recipient_participant",
                    "contingency_for__scenario",
                ).prefetch_related(
                    Prefetch("expected_actions", queryset=ExpectedAction.objects.select_related("position"))
                ),
            ),
        )
        .first()
    )
    if drill is None:
        raise NotVisible()
    return drill


def templates() -> QuerySet[DrillTemplate]:
    return DrillTemplate.objects.all()


def plans_in_force() -> QuerySet[Plan]:
    """Plans with an approved version: what a scenario may draw (the plan the bank really has)."""
    return (
        Plan.objects.filter(versions__status=VersionStatus.APPROVED)
        .prefetch_related("versions")
        .order_by("sort_order", "code")
        .distinct()
    )


def run_state(*, drill: Drill, viewer, now) -> dict:
    """What the run page shows to this viewer. The role comes from the viewer's place in the drill: a
    controller runs it, a player gets the injects addressed to them, anyone else who sees the drill (an
    evaluator, an observer, a planner) follows the log."""
    mine = [p for p in drill.participants.all() if p.person is not None and p.person.user_id == viewer.pk]
    controller = next((p for p in mine if p.role == Participant.Role.CONTROLLER), None)
    player = next((p for p in mine if p.role == Participant.Role.PLAYER), None)
    injects = list(
        Inject.objects.filter(drill=drill)
        .select_related("recipient_position", "recipient_participant", "contingency_for__scenario")
        .prefetch_related("expected_actions__scenario", "acks")
        .order_by("offset_seconds", "number")
    )
    logs = list(
        ActionLog.objects.filter(drill=drill)
        .select_related("participant", "expected_action__scenario")
        .order_by("-at", "-pk")
    )
    released = [i for i in injects if i.status == Inject.State.RELEASED]
    for_me: list[Inject] = []
    expected: list[ExpectedAction] = []
    done: set[int] = set()
    if player is not None:
        for_me = sorted(
            (i for i in released if i.addressed_to(player)), key=lambda i: i.released_at, reverse=True
        )
        for inject in for_me:
            inject.acked_by_me = any(a.participant_id == player.pk for a in inject.acks.all())
        seen: set[int] = set()
        for inject in for_me:
            for action in inject.expected_actions.all():
                if action.pk not in seen:
                    seen.add(action.pk)
                    expected.append(action)
        done = {log.expected_action_id for log in logs if log.participant_id == player.pk}
    return {
        "role": "controller" if controller else "player" if player else "observer",
        "controller": controller,
        "player": player,
        "elapsed": elapsed_text(drill.running_seconds(now)),
        "scenario_clock": drill.scenario_clock(now),
        "pending": [i for i in injects if i.status == Inject.State.PENDING],
        "released": sorted(released, key=lambda i: i.released_at, reverse=True),
        "skipped": [i for i in injects if i.status == Inject.State.SKIPPED],
        "for_me": for_me,
        "expected": expected,
        "done": done,
        "logs": logs,
        "live": drill.status in (Status.RUNNING, Status.PAUSED),
    }
