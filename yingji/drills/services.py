"""Every write of a drill's plan, script and briefing: one business action each, in one transaction with
its audit entry. A drill never reports, notifies or opens a task: nothing here calls incidents or
notify, so a drill cannot page anyone or reach a regulator."""

from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.transitions import transition
from yingji.orgs import visibility
from yingji.orgs.models import Person, Position, Unit
from yingji.plans.models import Plan

from . import briefing as briefings
from .building import apply_template, approved_version, draw_scenario
from .models import (
    TRANSITIONS,
    Briefing,
    Channel,
    Drill,
    DrillTemplate,
    ExpectedAction,
    Form,
    Inject,
    Objective,
    Participant,
    Scope,
    Status,
)
from .permissions import can_plan

OVERVIEW_FIELDS = (
    "title",
    "form",
    "scope",
    "starts_at",
    "place",
    "purposes",
    "principles",
    "evaluation_criteria",
    "notes",
)


def _check_planner(actor, unit: Unit, units: list[Unit]) -> None:
    if not can_plan(actor, unit):
        raise NotAllowed(_("Only emergency administrators, trainers, unit heads and leaders plan drills."))
    if not units:
        raise InvalidInput(
            _("Choose the units taking part."), fields={"units": _("Choose the units taking part.")}
        )
    if any(not visibility.can_see_unit(actor, u) for u in units):
        raise InvalidInput(_("A unit taking part is outside your units."), fields={"units": _("Not yours.")})


def _check_editable(actor, drill: Drill) -> None:
    if not can_plan(actor, drill.unit):
        raise NotAllowed(_("Only emergency administrators, trainers, unit heads and leaders plan drills."))
    if not drill.editable:
        raise InvalidInput(_("This drill can no longer be changed."))


def _new_drill(actor, *, unit: Unit, units: list[Unit], title: str, **fields) -> Drill:
    if not title.strip():
        raise InvalidInput(_("Give the drill a title."), fields={"title": _("This field is required.")})
    drill = Drill.objects.create(
        unit=unit, title=title.strip(), created_by=actor, created_at=clock.now(), **fields
    )
    drill.units.set(units)
    return drill


def _write_briefing(drill: Drill) -> Briefing:
    # Stored text is written in the bank's language, whatever the language of the page or command.
    with translation.override(settings.LANGUAGE_CODE):
        sections = briefings.generate(drill)
    found, _created = Briefing.objects.update_or_create(
        drill=drill, defaults={**sections, "updated_at": clock.now()}
    )
    return found


def create_from_scratch(
    *,
    actor,
    unit: Unit,
    units: list[Unit],
    title: str,
    form: str = Form.LIVE,
    scope: str = Scope.SINGLE,
    starts_at: datetime | None = None,
    place: str = "",
) -> Drill:
    _check_planner(actor, unit, units)
    with transaction.atomic():
        drill = _new_drill(
            actor,
            unit=unit,
            units=units,
            title=title,
            form=form,
            scope=scope,
            starts_at=starts_at,
            place=place,
        )
        _write_briefing(drill)
        audit.record(actor=actor, action="drill.create", obj=drill, data={"title": drill.title})
    return drill


def create_from_plan(
    *,
    actor,
    unit: Unit,
    units: list[Unit],
    plan: Plan,
    form: str = Form.LIVE,
    starts_at: datetime | None = None,
    place: str = "",
    title: str = "",
) -> Drill:
    """A single-scenario drill of the plan's approved version: the plan the bank really has."""
    _check_planner(actor, unit, units)
    version = approved_version(plan.code)
    with translation.override(settings.LANGUAGE_CODE):  # stored text, in the bank's language
        default_title = _("Drill: %s") % version.title
        announcement = _("The controller announces the scenario: %s") % version.title
    with transaction.atomic():
        drill = _new_drill(
            actor,
            unit=unit,
            units=units,
            title=title or default_title,
            form=form,
            scope=Scope.SINGLE,
            starts_at=starts_at,
            place=place,
            principles=version.principles,
        )
        scenario = draw_scenario(drill, version)
        first = Inject.objects.create(
            drill=drill,
            scenario=scenario,
            number=1,
            offset_seconds=0,
            text=announcement,
            channel=Channel.SPOKEN,
        )
        first.expected_actions.set(scenario.expected_actions.all())
        _write_briefing(drill)
        audit.record(
            actor=actor, action="drill.create", obj=drill, data={"title": drill.title, "plan": version.title}
        )
    return drill


def create_from_template(
    *,
    actor,
    unit: Unit,
    units: list[Unit],
    template: DrillTemplate,
    starts_at: datetime | None = None,
    place: str = "",
    form: str = "",
    compress_to_minutes: int | None = None,
) -> Drill:
    _check_planner(actor, unit, units)
    data = template.data
    if compress_to_minutes is not None and not 10 <= compress_to_minutes <= 24 * 60:
        raise InvalidInput(
            _("Compress the script into 10 to 1440 minutes."),
            fields={"compress_to_minutes": _("Between 10 and 1440.")},
        )
    with transaction.atomic():
        drill = _new_drill(
            actor,
            unit=unit,
            units=units,
            title=data["title"],
            form=form or data["form"],
            scope=data["scope"],
            starts_at=starts_at,
            place=place,
            purposes=data.get("purposes", ""),
            principles=data.get("principles", ""),
            evaluation_criteria=data.get("evaluation_criteria", ""),
            notes=data.get("notes", ""),
            template=template,
        )
        apply_template(drill, data, compress_to_minutes=compress_to_minutes)
        _write_briefing(drill)
        audit.record(
            actor=actor,
            action="drill.create",
            obj=drill,
            data={"title": drill.title, "source": template.title},
        )
    return drill


def update_drill(*, actor, drill: Drill, **changes) -> Drill:
    _check_editable(actor, drill)
    unknown = set(changes) - set(OVERVIEW_FIELDS)
    if unknown:
        raise InvalidInput(_("Some fields are not valid."))
    if "title" in changes and not str(changes["title"]).strip():
        raise InvalidInput(_("Give the drill a title."), fields={"title": _("This field is required.")})
    with transaction.atomic():
        changed = {
            k: [str(getattr(drill, k) or ""), str(v or "")]
            for k, v in changes.items()
            if getattr(drill, k) != v
        }
        for key, value in changes.items():
            setattr(drill, key, value)
        drill.save(update_fields=list(changes) or None)
        audit.record(actor=actor, action="drill.update", obj=drill, data={"changed": changed})
    return drill


def add_participant(
    *,
    actor,
    drill: Drill,
    role: str,
    person: Person | None = None,
    name: str = "",
    organisation: str = "",
    category: str = Participant.Category.STAFF,
    position: Position | None = None,
    group: str = "",
) -> Participant:
    _check_editable(actor, drill)
    if role not in Participant.Role.values or category not in Participant.Category.values:
        raise InvalidInput(_("Some fields are not valid."))
    if person is not None and not visibility.can_see_unit(actor, person.unit):
        raise InvalidInput(_("This person is outside your units."), fields={"person": _("Not yours.")})
    if person is None and not name.strip():
        raise InvalidInput(
            _("Choose a member of staff or give an outsider's name."),
            fields={"name": _("Choose a member of staff or give an outsider's name.")},
        )
    if group and group not in {g["name"] for g in drill.groups}:
        raise InvalidInput(_("The drill has no such working group."), fields={"group": _("Unknown group.")})
    with transaction.atomic():
        participant = Participant.objects.create(
            drill=drill,
            person=person,
            name=person.name if person else name.strip(),
            organisation=organisation.strip(),
            category=Participant.Category.STAFF if person else category,
            role=role,
            position=position or (person.positions.first() if person else None),
            group=group,
        )
        audit.record(
            actor=actor,
            action="drill.add_participant",
            obj=drill,
            data={"name": participant.name, "as": participant.get_role_display()},
        )
    return participant


def remove_participant(*, actor, participant: Participant) -> None:
    drill = participant.drill
    _check_editable(actor, drill)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="drill.remove_participant",
            obj=drill,
            data={"name": participant.name, "as": participant.get_role_display()},
        )
        participant.delete()


def add_scenario(*, actor, drill: Drill, plan: Plan, title: str = "", clock_start: time | None = None):
    _check_editable(actor, drill)
    version = approved_version(plan.code)
    with transaction.atomic():
        scenario = draw_scenario(drill, version, title=title.strip(), clock_start=clock_start)
        if drill.scenarios.count() > 1 and drill.scope != Scope.COMBINED:
            drill.scope = Scope.COMBINED
            drill.save(update_fields=["scope"])
        audit.record(
            actor=actor,
            action="drill.add_scenario",
            obj=drill,
            data={"title": scenario.title, "plan": version.title, "version": version.number},
        )
    return scenario


def add_objective(
    *, actor, drill: Drill, text: str, target_minutes: int | None, expected_action: ExpectedAction | None
) -> Objective:
    _check_editable(actor, drill)
    if not text.strip():
        raise InvalidInput(_("Say what the drill must show."), fields={"text": _("This field is required.")})
    if expected_action is not None and expected_action.scenario.drill_id != drill.pk:
        raise InvalidInput(
            _("Some fields are not valid."), fields={"expected_action": _("Not this drill's.")}
        )
    with transaction.atomic():
        order = (drill.objectives.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        objective = Objective.objects.create(
            drill=drill,
            order=order,
            text=text.strip(),
            target_minutes=target_minutes,
            expected_action=expected_action,
        )
        audit.record(
            actor=actor,
            action="drill.add_objective",
            obj=drill,
            data={"text": objective.text, "minutes": target_minutes},
        )
    return objective


def add_inject(
    *,
    actor,
    drill: Drill,
    offset_seconds: int,
    text: str,
    channel: str,
    recipient: str = Inject.Recipient.ALL,
    recipient_position: Position | None = None,
    recipient_group: str = "",
    recipient_participant: Participant | None = None,
    clock_time: time | None = None,
    controller_notes: str = "",
    expected_actions: list[ExpectedAction] | None = None,
    contingency_for: ExpectedAction | None = None,
) -> Inject:
    _check_editable(actor, drill)
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("This field is required.")
    if recipient == Inject.Recipient.POSITION and recipient_position is None:
        errors["recipient_position"] = _("Choose the position that receives it.")
    if recipient == Inject.Recipient.GROUP and recipient_group not in {g["name"] for g in drill.groups}:
        errors["recipient_group"] = _("Choose one of the drill's working groups.")
    if recipient == Inject.Recipient.PARTICIPANT and (
        recipient_participant is None or recipient_participant.drill_id != drill.pk
    ):
        errors["recipient_participant"] = _("Choose one of the drill's players.")
    actions = list(expected_actions or [])
    named = [*actions, *([contingency_for] if contingency_for else [])]
    if any(a.scenario.drill_id != drill.pk for a in named):
        errors["expected_actions"] = _("Not this drill's.")
    if channel not in Channel.values:
        errors["channel"] = _("This value is not valid.")
    if errors:
        raise InvalidInput(_("Some fields are not valid."), fields=errors)
    scenario = named[-1] if contingency_for else next(iter(actions), None)
    with transaction.atomic():
        number = (drill.injects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        inject = Inject.objects.create(
            drill=drill,
            scenario=scenario.scenario if scenario else None,
            number=number,
            offset_seconds=offset_seconds,
            clock_time=clock_time,
            text=text.strip(),
            recipient=recipient,
            recipient_position=recipient_position if recipient == Inject.Recipient.POSITION else None,
            recipient_group=recipient_group if recipient == Inject.Recipient.GROUP else "",
            recipient_participant=(
                recipient_participant if recipient == Inject.Recipient.PARTICIPANT else None
            ),
            channel=channel,
            controller_notes=controller_notes,
            contingency_for=contingency_for,
        )
        inject.expected_actions.set(actions)
        audit.record(
            actor=actor, action="drill.add_inject", obj=drill, data={"number": number, "text": inject.text}
        )
    return inject


def remove_inject(*, actor, inject: Inject) -> None:
    drill = inject.drill
    _check_editable(actor, drill)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="drill.remove_inject",
            obj=drill,
            data={"number": inject.number, "text": inject.text},
        )
        inject.delete()


def regenerate_briefing(*, actor, drill: Drill) -> Briefing:
    """Write the briefing again from the drill as it stands now; edits made to it are replaced."""
    _check_editable(actor, drill)
    if hasattr(drill, "briefing") and drill.briefing.issued_at:
        raise InvalidInput(_("The briefing has been issued and can no longer be changed."))
    with transaction.atomic():
        found = _write_briefing(drill)
        audit.record(actor=actor, action="drill.regenerate_briefing", obj=drill, data={"title": drill.title})
    return found


def edit_briefing(*, actor, drill: Drill, **sections: str) -> Briefing:
    _check_editable(actor, drill)
    found = drill.briefing
    if found.issued_at:
        raise InvalidInput(_("The briefing has been issued and can no longer be changed."))
    allowed = {field for field, _heading in briefings.SECTIONS}
    if set(sections) - allowed:
        raise InvalidInput(_("Some fields are not valid."))
    with transaction.atomic():
        changed = [k for k, v in sections.items() if getattr(found, k) != v]
        for key, value in sections.items():
            setattr(found, key, value)
        found.updated_at = clock.now()
        found.save()
        audit.record(actor=actor, action="drill.edit_briefing", obj=drill, data={"changed": changed})
    return found


def issue_briefing(*, actor, drill: Drill) -> Briefing:
    """The briefing is given to everyone taking part: the drill is briefed, the text is final."""
    if not can_plan(actor, drill.unit):
        raise NotAllowed(_("Only emergency administrators, trainers, unit heads and leaders plan drills."))
    with transaction.atomic():
        transition(drill, Status.BRIEFED, table=TRANSITIONS)
        found = drill.briefing
        found.issued_at, found.issued_by = clock.now(), actor
        found.save(update_fields=["issued_at", "issued_by"])
        audit.record(actor=actor, action="drill.issue_briefing", obj=drill, data={"title": drill.title})
    return found


# The live run (running.py) writes only drill data: Drill, Inject, InjectAck, ActionLog and the audit
# entries. An inject "reaches" a player only on the run page. Callers reach it as services.<name>.
from .running import (  # noqa: E402, F401
    acknowledge_inject,
    add_unscripted_inject,
    controller_of,
    end_run,
    log_action,
    pause_run,
    player_of,
    release_due,
    release_inject,
    resume_run,
    skip_inject,
    start_run,
)
