"""Responsibility letters over the API: list and detail, scoped to what the token's person sees (their
unit and below, and their own letters). A letter outside it is 404, exactly like one that does not
exist. Registered on the API in yingji/api/api.py."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from yingji.api.routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset
from yingji.core import clock, inputs
from yingji.core.errors import NotVisible

from . import selectors
from .models import Kind, Letter, Method, Status

letters_router = Router(tags=["letters"])
ERRORS: dict[int, type[Schema]] = {**ALWAYS, 404: ErrorOut}


class LetterOut(Schema):
    id: int
    year: int
    kind: Kind
    kind_display: str
    unit: str = Field(description="Code of the unit that signs (a unit letter) or the employee's unit.")
    unit_name: str
    person: str | None = Field(description="The employee, for an employee letter.")
    title: str
    party_a: str
    party_b: str
    due_at: datetime = Field(description="Sign by (24:00 of the last day, Asia/Shanghai).")
    due_rule: str
    status: Status
    status_display: str
    overdue: bool
    signed_at: datetime | None
    signed_late: bool
    signed_by: str | None
    method: str = Field(
        description="phone (confirmed in the app) or scan (signed paper uploaded); empty if unsigned."
    )


class LetterDetailOut(LetterOut):
    preamble: str
    clauses: list[str]
    closing: str
    has_scan: bool


class LetterFilters(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)
    unit: str = Field("", max_length=32, description="Code of a unit: it and the units below it.")
    status: Status | None = None
    kind: Kind | None = None
    overdue: bool = Field(False, description="Unsigned and past their deadline.")
    limit: int = page_limit()
    offset: int = page_offset()


def _letter(x: Letter) -> dict:
    return {
        "id": x.pk,
        "year": x.year,
        "kind": x.kind,
        "kind_display": x.get_kind_display(),
        "unit": x.unit.code,
        "unit_name": x.unit.name,
        "person": x.person.name if x.person else None,
        "title": x.title,
        "party_a": x.party_a,
        "party_b": x.party_b,
        "due_at": inputs.local_time(x.due_at),
        "due_rule": x.due_rule,
        "status": x.status,
        "status_display": x.get_status_display(),
        "overdue": x.status == Status.PENDING and x.due_at < clock.now(),
        "signed_at": inputs.local_time(x.signed_at),
        "signed_late": x.signed_late,
        "signed_by": x.signed_by.name if x.signed_by else None,
        "method": x.method if x.method in Method.values else "",
    }


@letters_router.get("/letters", response={200: list[LetterOut], **ERRORS})
def list_letters(request, filters: Query[LetterFilters]):
    """Responsibility letters of the person's units, by year (newest first) and unit."""
    qs = selectors.letters_for(
        request.user,
        year=filters.year,
        unit=filters.unit,
        status=filters.status or "",
        kind=filters.kind or "",
    )
    if filters.overdue:
        qs = qs.filter(status=Status.PENDING, due_at__lt=clock.now())
    return [_letter(x) for x in qs[filters.offset : filters.offset + filters.limit]]


@letters_router.get("/letters/{letter_id}", response={200: LetterDetailOut, **ERRORS})
def get_letter(request, letter_id: int):
    """One letter with its text, as the signer reads it."""
    pk = inputs.record_id(letter_id)
    if pk is None:
        raise NotVisible()
    x = selectors.letter_for(viewer=request.user, pk=pk)
    return _letter(x) | {
        "preamble": x.preamble,
        "clauses": [str(c) for c in x.clauses],
        "closing": x.closing,
        "has_scan": bool(x.scan_name),
    }
