"""Plan readiness over the API (read only): the token holder's role cards and acknowledgements, a
visible person's, and a unit's readiness with the units below it and each person's gaps. Scoped by
visibility: a unit or person outside it is 404, exactly like one that does not exist. Registered on the
API in yingji/api/api.py."""

from datetime import datetime

from ninja import Field, Router, Schema

from yingji.api.routes import ALWAYS, ErrorOut
from yingji.core import inputs
from yingji.core.errors import NotVisible
from yingji.orgs import visibility
from yingji.orgs.models import Person

from . import cards, selectors

readiness_router = Router(tags=["readiness"])
ERRORS: dict[int, type[Schema]] = {**ALWAYS, 404: ErrorOut}


class RoleCardStepOut(Schema):
    order: int = Field(description="The step's place in the plan.")
    action: str
    timing: str
    condition: str
    branch: str


class RoleCardOut(Schema):
    plan: str = Field(description="The plan's code.")
    title: str
    version: int = Field(description="The number of the version in force.")
    position: str = Field(description="Code of the position the card is for.")
    position_name: str
    leadership_role: str
    steps: list[RoleCardStepOut]
    acknowledged_at: datetime | None = Field(description="When the person confirmed this version's card.")
    earlier_version_acknowledged: int | None = Field(
        description="An older version the person confirmed, when this one is still to confirm."
    )
    quiz_passed: bool


class PersonRoleCardsOut(Schema):
    person: int
    name: str
    unit: str
    cards: list[RoleCardOut]
    ready: bool


class ReadinessSummaryOut(Schema):
    unit: str
    unit_name: str
    staff_concerned: int
    staff_ready: int
    percent: int | None
    cards_due: int


class ReadinessGapOut(Schema):
    person: int
    name: str
    unit: str
    ready: bool
    cards_due: list[str] = Field(description="Codes of the plans with a card still to confirm.")
    quizzes_missing: list[str] = Field(description="Codes of the plans whose quiz is not passed yet.")


class UnitReadinessOut(ReadinessSummaryOut):
    units: list[ReadinessSummaryOut] = Field(description="The unit itself and each unit directly below it.")
    people: list[ReadinessGapOut]


def _person_cards(person: Person) -> dict:
    out, ready = [], True
    for entry in selectors.my_plans(person):
        ready = ready and entry.ready
        for state in entry.cards:
            card = state.card
            out.append(
                {
                    "plan": card.plan.code,
                    "title": card.version.title,
                    "version": card.version.number,
                    "position": card.position.code,
                    "position_name": card.position.name,
                    "leadership_role": card.leadership_role,
                    "steps": [
                        {
                            "order": s.order,
                            "action": s.action,
                            "timing": cards.timing_text(s),
                            "condition": s.condition,
                            "branch": s.branch,
                        }
                        for s in card.steps
                    ],
                    "acknowledged_at": inputs.local_time(state.acknowledged_at),
                    "earlier_version_acknowledged": state.earlier_version,
                    "quiz_passed": entry.passed is not None,
                }
            )
    return {
        "person": person.pk,
        "name": person.name,
        "unit": person.unit.code,
        "cards": out,
        "ready": ready and bool(out),
    }


@readiness_router.get("/readiness/me", response={200: PersonRoleCardsOut, **ERRORS})
def my_cards(request):
    """The token holder's role cards in the plans in force, with what they confirmed and passed."""
    person = visibility.person_of(request.user)
    if person is None:
        raise NotVisible()
    return _person_cards(person)


@readiness_router.get("/readiness/people/{person_id}", response={200: PersonRoleCardsOut, **ERRORS})
def person_cards(request, person_id: int):
    """A person the token holder sees (their unit and below): their cards and acknowledgements."""
    pk = inputs.record_id(person_id)
    found = (
        visibility.visible(Person.objects.select_related("unit"), request.user).filter(pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise NotVisible()
    return _person_cards(found)


def _summary(unit, s: selectors.Summary) -> dict:
    return {
        "unit": unit.code,
        "unit_name": unit.name,
        "staff_concerned": s.concerned,
        "staff_ready": s.ready,
        "percent": s.percent,
        "cards_due": s.cards_due,
    }


@readiness_router.get("/readiness/units/{code}", response={200: UnitReadinessOut, **ERRORS})
def unit_readiness(request, code: str):
    """A unit's readiness over its subtree, the units directly below it, and each concerned person's gaps."""
    unit = visibility.visible_unit(request.user, code)
    if unit is None:
        raise NotVisible()
    rows = selectors.people_readiness(unit)
    total = selectors.Summary()
    codes = dict(
        visibility.visible_units(request.user).filter(path__startswith=unit.path).values_list("pk", "code")
    )
    people = []
    for row in rows:
        total.add(row)
        if row.concerned:
            people.append(
                {
                    "person": row.person_id,
                    "name": row.name,
                    "unit": codes.get(row.unit_id, ""),
                    "ready": row.ready,
                    "cards_due": [p.plan.plan_code for p in row.plans if p.cards_due],
                    "quizzes_missing": [p.plan.plan_code for p in row.plans if not p.quiz_passed],
                }
            )
    return _summary(unit, total) | {
        "units": [_summary(u, s) for u, s in selectors.by_child(unit, rows)],
        "people": people,
    }
