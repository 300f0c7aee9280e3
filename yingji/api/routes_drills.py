"""Drills over the API: the drills of the token person's units, and one drill with its scenarios, the
expected actions copied from the plans, its objectives and its script; its run, ratings, findings and
report are in routes_drills_evaluation. Read-only; a drill outside the person's visibility is 404,
exactly like one that does not exist."""

from ninja import Field, Query, Router, Schema

from yingji.drills import selectors
from yingji.drills.models import Drill

from .routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset

drills_router = Router(tags=["drills"])


class DrillSummaryOut(Schema):
    id: int
    title: str
    unit: str = Field(description="Code of the organising unit.")
    units: list[str] = Field(description="Codes of the units taking part.")
    form: str = Field(description="tabletop or live.")
    scope: str = Field(description="single or combined.")
    status: str
    starts_at: str | None
    place: str


class ExpectedActionOut(Schema):
    id: int
    order: int
    action: str
    position: str | None = Field(description="A position code.")
    group: str
    condition: str
    expected_minutes: int | None = Field(description="Minutes after the scenario starts; null: at once.")
    source_step_id: int | None


class ScenarioOut(Schema):
    id: int
    order: int
    title: str
    situation: str
    plan: str | None = Field(description="The plan's code.")
    plan_version: int | None = Field(description="The version number drawn.")
    clock_start: str | None = Field(description="HH:MM on the scenario's own clock.")
    expected_actions: list[ExpectedActionOut]


class ParticipantOut(Schema):
    name: str
    organisation: str
    category: str
    role: str
    position: str | None
    group: str


class ObjectiveOut(Schema):
    order: int
    text: str
    target_minutes: int | None
    bank_own: bool = Field(description="The target is the bank's own setting (本行设定).")
    expected_action: int | None


class InjectOut(Schema):
    number: int
    scenario: int | None = Field(description="The scenario's order.")
    offset_seconds: int
    clock_time: str | None
    text: str
    recipient: str = Field(description="all, position, group or participant.")
    recipient_position: str | None
    recipient_group: str
    channel: str
    status: str
    expected_actions: list[int]
    contingency_for: int | None = Field(description="Released only if this expected action has not happened.")


class DrillOut(DrillSummaryOut):
    purposes: str
    principles: str
    evaluation_criteria: str
    notes: str
    groups: list[dict[str, str]]
    participants: list[ParticipantOut]
    scenarios: list[ScenarioOut]
    objectives: list[ObjectiveOut]
    injects: list[InjectOut]


def _summary(drill: Drill) -> dict:
    return {
        "id": drill.pk,
        "title": drill.title,
        "unit": drill.unit.code,
        "units": [u.code for u in drill.units.all()],
        "form": drill.form,
        "scope": drill.scope,
        "status": drill.status,
        "starts_at": drill.starts_at.isoformat() if drill.starts_at else None,
        "place": drill.place,
    }


class DrillPage(InputSchema):
    limit: int = page_limit()
    offset: int = page_offset()


@drills_router.get("/drills", response={200: list[DrillSummaryOut], **ALWAYS})
def list_drills(request, page: Query[DrillPage]):
    """Drills of the person's units and those their units take part in, newest first."""
    drills = selectors.drills_for(viewer=request.user)[page.offset : page.offset + page.limit]
    return [_summary(d) for d in drills]


@drills_router.get("/drills/{drill_id}", response={200: DrillOut, 404: ErrorOut, **ALWAYS})
def get_drill(request, drill_id: int):
    drill = selectors.drill_for(viewer=request.user, pk=drill_id)
    return {
        **_summary(drill),
        "purposes": drill.purposes,
        "principles": drill.principles,
        "evaluation_criteria": drill.evaluation_criteria,
        "notes": drill.notes,
        "groups": [{"name": g.get("name", ""), "duties": g.get("duties", "")} for g in drill.groups],
        "participants": [
            {
                "name": p.name,
                "organisation": p.organisation,
                "category": p.category,
                "role": p.role,
                "position": p.position.code if p.position else None,
                "group": p.group,
            }
            for p in drill.participants.all()
        ],
        "scenarios": [
            {
                "id": s.pk,
                "order": s.order,
                "title": s.title,
                "situation": s.situation,
                "plan": s.snapshot.get("plan"),
                "plan_version": s.snapshot.get("version"),
                "clock_start": s.clock_start.strftime("%H:%M") if s.clock_start else None,
                "expected_actions": [
                    {
                        "id": a.pk,
                        "order": a.order,
                        "action": a.action,
                        "position": a.position.code if a.position else None,
                        "group": a.group,
                        "condition": a.condition,
                        "expected_minutes": a.expected_minutes,
                        "source_step_id": a.source_step_id,
                    }
                    for a in s.expected_actions.all()
                ],
            }
            for s in drill.scenarios.all()
        ],
        "objectives": [
            {
                "order": o.order,
                "text": o.text,
                "target_minutes": o.target_minutes,
                "bank_own": o.bank_own,
                "expected_action": o.expected_action_id,
            }
            for o in drill.objectives.all()
        ],
        "injects": [
            {
                "number": i.number,
                "scenario": i.scenario.order if i.scenario else None,
                "offset_seconds": i.offset_seconds,
                "clock_time": i.clock_time.strftime("%H:%M") if i.clock_time else None,
                "text": i.text,
                "recipient": i.recipient,
                "recipient_position": i.recipient_position.code if i.recipient_position else None,
                "recipient_group": i.recipient_group,
                "channel": i.channel,
                "status": i.status,
                "expected_actions": [a.pk for a in i.expected_actions.all()],
                "contingency_for": i.contingency_for_id,
            }
            for i in drill.injects.all()
        ],
    }


# The run, ratings, findings and report of a drill: operations of this router, in a module of their own.
from . import routes_drills_evaluation  # noqa: E402,F401
