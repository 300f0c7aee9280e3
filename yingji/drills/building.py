"""Building a drill's content: a scenario drawn from a plan version (its steps copied as a snapshot and
as expected actions) and a template's scenarios, objectives and injects. Called by the services inside
their transaction; nothing here writes an audit entry of its own."""

from datetime import time

from django.conf import settings
from django.utils.translation import gettext as _

from yingji.core.errors import InvalidInput
from yingji.orgs.models import Person, Position
from yingji.plans.models import Plan, PlanVersion, Step

from .models import Drill, ExpectedAction, Inject, Objective, Participant, Scenario


def approved_version(code: str) -> PlanVersion:
    plan = Plan.objects.filter(code=code).prefetch_related("versions").first()
    version = plan.current_version if plan else None
    if version is None:
        raise InvalidInput(_("The plan “%s” has no approved version to drill.") % code)
    return version


def snapshot_of(version: PlanVersion, steps: list[Step]) -> dict:
    return {
        "plan": version.plan.code,
        "version": version.number,
        "title": version.title,
        "approved_at": version.approved_at.isoformat() if version.approved_at else None,
        "groups": version.groups,
        "steps": [
            {
                "id": s.pk,
                "order": s.order,
                "action": s.action,
                "position": s.position.code,
                "position_name": s.position.name,
                "timing": s.timing,
                "minutes": s.minutes,
                "condition": s.condition,
                "branch": s.branch,
                "group": s.group,
            }
            for s in steps
        ],
    }


def draw_scenario(
    drill: Drill,
    version: PlanVersion,
    *,
    title: str = "",
    situation: str = "",
    clock_start: time | None = None,
    expected_minutes: dict[int, int] | None = None,
) -> Scenario:
    """Copy the version's steps into the drill: the n-th step becomes expected action n, expected within
    the step's own minutes unless the template times it on the scenario clock."""
    steps = list(version.steps.select_related("position").order_by("order"))
    order = (drill.scenarios.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    scenario = Scenario.objects.create(
        drill=drill,
        order=order,
        title=title or version.title,
        situation=situation,
        plan_version=version,
        snapshot=snapshot_of(version, steps),
        clock_start=clock_start,
    )
    timed = expected_minutes or {}
    ExpectedAction.objects.bulk_create(
        ExpectedAction(
            scenario=scenario,
            order=n,
            action=step.action,
            position=step.position,
            group=step.group,
            condition=step.condition,
            expected_minutes=timed.get(n, step.minutes),
            source_step_id=step.pk,
        )
        for n, step in enumerate(steps, 1)
    )
    known = {g["name"] for g in drill.groups}
    new_groups = [
        {"name": g["name"], "duties": g.get("duties", "")} for g in version.groups if g["name"] not in known
    ]
    if new_groups:
        drill.groups = [*drill.groups, *new_groups]
        drill.save(update_fields=["groups"])
    return scenario


def _clock(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def _minutes_between(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def apply_template(drill: Drill, data: dict, *, compress_to_minutes: int | None = None) -> None:
    """Scenarios, participants, objectives and injects of a template, drawn from today's approved plans.

    Injects timed on a scenario clock start at +0:00 at the first clock time; injects without one are
    spaced by the bank's YINGJI_DRILL_SCENARIO_MINUTES per scenario. A tabletop may compress the whole
    script into `compress_to_minutes`: offsets shrink in proportion, the scenario clock stays as it is."""
    scenarios: list[Scenario] = []
    for spec in data["scenarios"]:
        timed = {int(k): v for k, v in spec.get("expected_minutes", {}).items()}
        scenarios.append(
            draw_scenario(
                drill,
                approved_version(spec["plan"]),
                title=spec["title"],
                situation=spec.get("situation", ""),
                clock_start=_clock(spec.get("clock_start")),
                expected_minutes=timed,
            )
        )
    actions = {
        (s.order, a.order): a for s in scenarios for a in s.expected_actions.select_related("position")
    }
    report_minutes = settings.YINGJI_DRILL_REPORT_MINUTES
    for spec in data["scenarios"]:
        if step := spec.get("report_step"):
            action = actions[(scenarios[data["scenarios"].index(spec)].order, step)]
            action.expected_minutes = report_minutes
            action.save(update_fields=["expected_minutes"])
    for n, spec in enumerate(data.get("objectives", []), 1):
        bank_own = spec.get("target_minutes") == "setting"
        Objective.objects.create(
            drill=drill,
            order=n,
            text=spec["text"],
            target_minutes=report_minutes if bank_own else spec.get("target_minutes"),
            bank_own=bank_own,
            expected_action=actions.get((spec["scenario"], spec["step"])) if spec.get("step") else None,
        )
    _add_participants(drill, data.get("participants", []))
    _add_injects(drill, data.get("injects", []), scenarios, actions, compress_to_minutes)


def _add_participants(drill: Drill, slots: list[dict]) -> None:
    units = list(drill.units.all())
    people = list(Person.objects.filter(unit__in=units, user__is_active=True).prefetch_related("positions"))
    taken: set[int] = set()
    for slot in slots:
        for person in people:
            held = list(person.positions.all())
            if slot.get("position"):
                held = [p for p in held if p.code == slot["position"]]
            elif not slot.get("everyone"):
                continue
            if person.pk in taken or (slot.get("position") and not held):
                continue
            Participant.objects.create(
                drill=drill,
                person=person,
                name=person.name,
                role=slot["role"],
                position=next(iter(held), None),
            )
            taken.add(person.pk)


def _add_injects(
    drill: Drill,
    specs: list[dict],
    scenarios: list[Scenario],
    actions: dict[tuple[int, int], ExpectedAction],
    compress_to_minutes: int | None,
) -> None:
    spacing = settings.YINGJI_DRILL_SCENARIO_MINUTES * 60
    first_clock = next((_clock(s["clock"]) for s in specs if s.get("clock")), None)
    offsets = []
    for spec in specs:
        clock = _clock(spec.get("clock"))
        if clock is not None and first_clock is not None:
            offsets.append(_minutes_between(first_clock, clock) * 60)
        else:
            offsets.append((spec["scenario"] - 1) * spacing)
    longest = max(offsets, default=0)
    if compress_to_minutes and longest > 0:
        offsets = [round(o * compress_to_minutes * 60 / longest) for o in offsets]
    positions = {p.code: p for p in Position.objects.all()}
    for n, (spec, offset) in enumerate(zip(specs, offsets, strict=True), 1):
        scenario = scenarios[spec["scenario"] - 1]
        to = spec.get("to", "all")
        inject = Inject.objects.create(
            drill=drill,
            scenario=scenario,
            number=n,
            offset_seconds=offset,
            clock_time=_clock(spec.get("clock")),
            text=spec["text"],
            recipient=(
                Inject.Recipient.ALL
                if to == "all"
                else Inject.Recipient.POSITION
                if "position" in to
                else Inject.Recipient.GROUP
            ),
            recipient_position=positions[to["position"]] if to != "all" and "position" in to else None,
            recipient_group=to.get("group", "") if to != "all" else "",
            channel=spec.get("channel", "spoken"),
            controller_notes=spec.get("notes", ""),
            contingency_for=(
                actions[(scenario.order, spec["contingency_for"])] if spec.get("contingency_for") else None
            ),
        )
        expects = spec.get("expects", [])
        if expects == "all":
            inject.expected_actions.set(scenario.expected_actions.all())
        else:
            inject.expected_actions.set([actions[(scenario.order, step)] for step in expects])
