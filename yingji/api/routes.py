from typing import Any

from ninja import Field, Router, Schema
from pydantic import field_validator

from yingji.core import inputs
from yingji.orgs import selectors as org_selectors
from yingji.orgs import visibility

from .api import api


class UnitOut(Schema):
    code: str
    name: str
    type: str
    type_display: str
    parent_code: str | None
    phone: str
    address: str


class PositionOut(Schema):
    code: str
    name: str


class MeOut(Schema):
    username: str
    name: str | None
    unit: UnitOut | None
    positions: list[PositionOut]
    sees_all: bool


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict[str, str]


# What any operation may answer besides its own: 400 for an address or an input it refuses (the
# validation handler in api.py, yingji/core/middleware_input.py), 401 without a valid token, and 503
# while the database cannot be reached (yingji/core/outage.py).
ALWAYS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 503: ErrorOut}


class InputSchema(Schema):
    """What a client sends: no text in it (any string field, and any string inside a JSON field)
    may hold a NUL or a lone surrogate (yingji/core/inputs.py). Every body and query schema derives
    from it."""

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return inputs.pydantic_text.func(value)


# Pagination: a page of at most MAX_PAGE, from an offset a database can still count to.
MAX_PAGE = 200


def page_limit() -> Any:
    return Field(50, ge=1, le=MAX_PAGE, description=f"How many to answer, at most {MAX_PAGE}.")


def page_offset() -> Any:
    return Field(0, ge=0, le=inputs.MAX_OFFSET, description=f"How many to skip, at most {inputs.MAX_OFFSET}.")


orgs_router = Router(tags=["orgs"])


def _unit_out(unit, parent_codes: dict[str, str]) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "type": unit.type,
        "type_display": unit.get_type_display(),
        "parent_code": parent_codes.get(unit.path[: -unit.steplen]) if unit.depth > 1 else None,
        "phone": unit.phone,
        "address": unit.address,
    }


@orgs_router.get("/units", response={200: list[UnitOut], **ALWAYS})
def list_units(request):
    """Units the token's person may see: their own and every unit below it."""
    units = list(org_selectors.visible_units_in_tree_order(viewer=request.user))
    # Parents of visible units are visible or the viewer's own parent: one query for the codes.
    from yingji.orgs.models import Unit

    parent_paths = {u.path[: -u.steplen] for u in units if u.depth > 1}
    codes = dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "code"))
    return [_unit_out(u, codes) for u in units]


@orgs_router.get("/units/{code}", response={200: UnitOut, 404: ErrorOut, **ALWAYS})
def get_unit(request, code: str):
    unit = org_selectors.unit_by_code(viewer=request.user, code=code)
    parent = unit.parent_unit
    return _unit_out(unit, {parent.path: parent.code} if parent else {})


@orgs_router.get("/me", response={200: MeOut, **ALWAYS})
def me(request):
    """Who the token is."""
    person = visibility.person_of(request.user)
    unit = person.unit if person else None
    parent = unit.parent_unit if unit is not None else None
    return {
        "username": request.user.get_username(),
        "name": person.name if person else None,
        "unit": _unit_out(unit, {parent.path: parent.code} if parent else {}) if unit else None,
        "positions": [{"code": p.code, "name": p.name} for p in person.positions.all()] if person else [],
        "sees_all": visibility.is_head_office(request.user),
    }


api.add_router("/", orgs_router)
from .routes_plans import plans_router  # noqa: E402

api.add_router("/", plans_router)
from .routes_groups import set_group_leader  # noqa: E402,F401  (adds its endpoints to incidents_router)
from .routes_incidents import incidents_router  # noqa: E402

api.add_router("/", incidents_router)
from .routes_complaints import complaints_router  # noqa: E402

api.add_router("/", complaints_router)
from .routes_corrective import corrective_router  # noqa: E402

api.add_router("/", corrective_router)
from .routes_drills import drills_router  # noqa: E402

api.add_router("/", drills_router)
