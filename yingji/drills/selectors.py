"""Every read of drills starts from what the viewer may see: a drill of a unit they see, or one in which
a unit they see takes part (an outlet's staff see the sub-branch's drill they play in)."""

import copy
import functools
import threading
from collections import OrderedDict
from datetime import time

from django.db.models import Count, Prefetch, Q, QuerySet

from yingji.core import inputs, rows
from yingji.core.errors import NotVisible
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan, VersionStatus

from .models import (
    EDITABLE,
    ActionLog,
    Drill,
    DrillTemplate,
    ExpectedAction,
    Inject,
    InjectAck,
    Participant,
    Scenario,
    Status,
    elapsed_text,
)
from .running import falls_due


def scope(viewer) -> Q:
    return _scope_of_units(visibility.scope(viewer, "unit"))


def _scope_of_units(units: Q) -> Q:
    """The drills of the units `units` selects, and those in which one of them takes part."""
    taking_part = Drill.units.through.objects.filter(units).values("drill_id")
    return units | Q(pk__in=taking_part)


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


# ── The live run ─────────────────────────────────────────────────────────────────────────────────────


def run_drill_for(*, viewer, pk: int) -> Drill:
    """The drill of a run page or of its poll: its row alone (the clock and the tokens), visible exactly as
    every drill is (`scope`). Every phone asks for it every poll, so it costs two small queries: the
    viewer's person with their unit, which `scope` reads, then the row."""
    if inputs.record_id(pk) is None:
        raise NotVisible()
    _with_unit(viewer)
    sql, params = _run_drill_statement(visibility.scope(viewer, "unit"), int(pk))
    drill = next(iter(Drill.objects.raw(sql, params)), None)
    if drill is None:
        raise NotVisible()
    return drill


@functools.lru_cache(maxsize=1024)
def _run_drill_statement(units: Q, pk: int) -> tuple[str, tuple]:
    """`Drill.objects.filter(scope(viewer), pk=pk)` as the ORM compiles it, compiled once per process for
    each scope and drill (a Q compares by value: 200 players of two outlets share two statements).
    Compiling it was a third of what a poll with nothing new cost."""
    return Drill.objects.filter(_scope_of_units(units), pk=pk).order_by().query.sql_with_params()


# Written once (core/rows.py): compiling this join every poll cost more than running it.
_PERSON_WITH_UNIT = (
    f"SELECT {rows.columns(Person, 'p')}, {rows.columns(Unit, 'u')} FROM {rows.table(Person)} p "
    f"JOIN {rows.table(Unit)} u ON u.id = p.unit_id WHERE p.user_id = %s"
)


def _with_unit(viewer) -> None:
    """The viewer's person and unit in one query instead of the two `visibility.scope` would make."""
    if not viewer.is_authenticated:
        return
    row = rows.one(_PERSON_WITH_UNIT, [viewer.pk])
    if row is not None:
        person, at = rows.instance(Person, row)
        person.unit, _ = rows.instance(Unit, row, at)
        viewer.person = person  # what visibility.person_of reads: no query of its own


def run_mark(drill: Drill, *, acks: bool) -> str:
    """What a live fragment was drawn from, sent back by its next poll: the drill's status and run token,
    and for a controller (whose page counts acknowledgements) the acknowledgements' token too."""
    mark = f"{drill.status}.{drill.run_token}"
    return f"{mark}.{drill.ack_token}" if acks else mark


def run_unchanged(drill: Drill, since: str, now) -> bool:
    """Whether a page drawn at the mark `since` shows all there is: the marks are the row's and nothing
    fell due. Before the start the script is still edited by services that move no mark, and a page of a
    planned or briefed drill is always drawn again."""
    return (
        drill.status not in EDITABLE
        and since in (run_mark(drill, acks=False), run_mark(drill, acks=True))
        and not falls_due(drill, now)
    )


# What every player's page of one run token shows alike: the released injects with their expected
# actions, the log, who plays which part, when the scenario clock starts. After a release all 200 phones
# ask for the page within one poll interval; each process reads this once per token and the players'
# pages then read only what is theirs (their acknowledgements). Keyed by the drill's status and run
# token, which every change of these replaces (running.py); the acknowledgements, which change only
# ack_token, are never in it. Read after the row, so an entry holds at least what its token says. Not
# kept before the start: planning edits the script without changing the token.
_SHARED_VERSIONS = 16
_shared: OrderedDict[tuple, dict] = OrderedDict()
_shared_lock = threading.Lock()


def _shared_part(drill: Drill) -> dict:
    key = (drill.pk, drill.status, drill.run_token)
    with _shared_lock:
        found = _shared.get(key)
    if found is not None:
        return found
    released = list(
        Inject.objects.filter(drill=drill, status=Inject.State.RELEASED)
        .prefetch_related(Prefetch("expected_actions", queryset=ExpectedAction.objects.only("pk", "action")))
        .order_by("-released_at", "-pk")
    )
    parts: dict[int, list[Participant]] = {}
    for p in Participant.objects.filter(drill=drill).select_related("person", "position"):
        if p.person is not None:
            parts.setdefault(p.person.user_id, []).append(p)
    starts = [c for c in Scenario.objects.filter(drill=drill).values_list("clock_start", flat=True) if c]
    found = {
        "released": released,
        "logs": list(
            ActionLog.objects.filter(drill=drill).select_related("participant").order_by("-at", "-pk")
        ),
        "parts": parts,
        "scenario_start": min(c.hour * 60 + c.minute for c in starts) if starts else None,
    }
    if drill.status not in EDITABLE:
        with _shared_lock:
            _shared[key] = found
            while len(_shared) > _SHARED_VERSIONS:
                _shared.popitem(last=False)
    return found


def run_state(*, drill: Drill, viewer, now) -> dict:
    """What the run page shows to this viewer. The role comes from the viewer's place in the drill: a
    controller runs it, a player gets the injects addressed to them, anyone else who sees the drill (an
    evaluator, an observer, a planner) follows the log. Each reads only what their part of the page shows:
    a player's page is drawn by every phone after each change, so it reads its own acknowledgements and
    takes the rest from the part all players share."""
    shared = _shared_part(drill)
    mine = shared["parts"].get(viewer.pk, []) if viewer.is_authenticated else []
    controller = next((p for p in mine if p.role == Participant.Role.CONTROLLER), None)
    player = next((p for p in mine if p.role == Participant.Role.PLAYER), None)
    script: list[Inject] = []
    if controller is not None:  # the whole script with its counts of acknowledgements: a few pages
        script = list(
            Inject.objects.filter(drill=drill)
            .select_related("recipient_position", "recipient_participant", "contingency_for")
            .annotate(ack_count=Count("acks"))
            .order_by("offset_seconds", "number")
        )
    for_me: list[Inject] = []
    expected: list[ExpectedAction] = []
    done: set[int] = set()
    if player is not None:
        acked = set(InjectAck.objects.filter(participant=player).values_list("inject_id", flat=True))
        seen: set[int] = set()
        for shared_inject in shared["released"]:  # newest first
            if not shared_inject.addressed_to(player):
                continue
            inject = copy.copy(shared_inject)  # the shared one is other pages' too: mark a copy
            inject.acked_by_me = inject.pk in acked
            for_me.append(inject)
            for action in inject.expected_actions.all():
                if action.pk not in seen:
                    seen.add(action.pk)
                    expected.append(action)
        done = {log.expected_action_id for log in shared["logs"] if log.participant_id == player.pk}
    start, running = shared["scenario_start"], drill.running_seconds(now)
    clock = None
    if start is not None:  # as Drill.scenario_clock, from the shared start
        total = start + running // 60
        clock = time((total // 60) % 24, total % 60)
    released = [i for i in script if i.status == Inject.State.RELEASED]
    return {
        "role": "controller" if controller else "player" if player else "observer",
        "controller": controller,
        "player": player,
        "mark": run_mark(drill, acks=controller is not None),
        "running_seconds": running,
        "ticking": drill.status == Status.RUNNING,
        "elapsed": elapsed_text(running),
        "scenario_clock": clock,
        # The scenario clock's start in minutes of the day, so the page's own clock can move it on.
        "scenario_start": start,
        "pending": [i for i in script if i.status == Inject.State.PENDING],
        "released": sorted(released, key=lambda i: i.released_at, reverse=True),
        "skipped": [i for i in script if i.status == Inject.State.SKIPPED],
        "for_me": for_me,
        "expected": expected,
        "done": done,
        "logs": shared["logs"],
        "live": drill.status in (Status.RUNNING, Status.PAUSED),
    }
