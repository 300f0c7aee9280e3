"""The year's summaries and the assessment's scores over the API (read only), scoped to what the token's
person sees (their unit and below); a summary outside it is 404, exactly like one that does not exist.
Registered on the API in yingji/api/api.py."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from yingji.api.routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset
from yingji.core import clock, inputs
from yingji.core.errors import NotVisible
from yingji.orgs.models import UnitType

from . import figures, scoring, selectors
from .forms import RANKED_TYPES
from .models import Status, Summary

assessment_router = Router(tags=["assessment"])
ERRORS: dict[int, type[Schema]] = {**ALWAYS, 404: ErrorOut}


class ComponentOut(Schema):
    code: str
    label: str
    rate: Decimal | None = Field(description="0–100; null when nothing was due (left out of the score).")
    weight: int = Field(description="The bank's own setting (本行设定).")


class SummaryOut(Schema):
    id: int
    unit: str = Field(description="Code of the unit.")
    unit_name: str
    year: int
    status: Status
    status_display: str
    generated_at: datetime = Field(description="The figures are as of this moment (a snapshot).")
    author: str | None
    submitted_at: datetime | None
    approver: str | None
    approved_at: datetime | None
    score: Decimal | None


class SummaryDetailOut(SummaryOut):
    figures: dict[str, int]
    incidents_by_kind: list[tuple[str, int]]
    not_counted: list[str] = Field(description="Parts of the security year not in use, so not counted.")
    components: list[ComponentOut]
    overview: str
    problems: str
    measures: str
    next_year: str


class UnitScoreOut(Schema):
    unit: str
    unit_name: str
    unit_type: str
    year: int
    rank: int | None
    score: Decimal | None
    frozen: bool = Field(description="Scored from the approved summary's figures, not the live records.")
    summary: int | None
    components: list[ComponentOut]


class SummaryFilters(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)
    unit_type: UnitType | None = None
    limit: int = page_limit()
    offset: int = page_offset()


class ScoreFilters(InputSchema):
    unit_type: UnitType = Field(UnitType.OUTLET, description="Units of this type are ranked together.")
    year: int | None = Field(None, ge=2000, le=2100, description="This year when not given.")


def _components(scored: scoring.Scored) -> list[dict]:
    return [
        {"code": c.code, "label": str(c.label), "rate": rate, "weight": weight}
        for c, rate, weight in scored.rows()
    ]


def _summary(s: Summary, weights: dict[str, int]) -> dict:
    return {
        "id": s.pk,
        "unit": s.unit.code,
        "unit_name": s.unit.name,
        "year": s.year,
        "status": s.status,
        "status_display": s.get_status_display(),
        "generated_at": inputs.local_time(s.generated_at),
        "author": s.author.name if s.author else None,
        "submitted_at": inputs.local_time(s.submitted_at),
        "approver": s.approver.name if s.approver else None,
        "approved_at": inputs.local_time(s.approved_at),
        "score": scoring.assess(s.figures.get("figures", {}), weights).score,
    }


@assessment_router.get("/assessment/summaries", response={200: list[SummaryOut], **ERRORS})
def list_summaries(request, filters: Query[SummaryFilters]):
    weights = scoring.weights()
    found = selectors.summaries_for(request.user, year=filters.year, unit_type=filters.unit_type or "")
    return [_summary(s, weights) for s in found[filters.offset : filters.offset + filters.limit]]


@assessment_router.get("/assessment/summaries/{summary_id}", response={200: SummaryDetailOut, **ERRORS})
def get_summary(request, summary_id: int):
    pk = inputs.record_id(summary_id)
    if pk is None:
        raise NotVisible()
    s = selectors.summary_for(viewer=request.user, pk=pk)
    weights = scoring.weights()
    return {
        **_summary(s, weights),
        "figures": s.figures.get("figures", {}),
        "incidents_by_kind": [tuple(k) for k in s.figures.get("incident_kinds", [])],
        "not_counted": [str(dict(figures.PARTS).get(m, m)) for m in s.figures.get("missing", [])],
        "components": _components(scoring.assess(s.figures.get("figures", {}), weights)),
        **{f: getattr(s, f) for f in ("overview", "problems", "measures", "next_year")},
    }


@assessment_router.get("/assessment/scores", response={200: list[UnitScoreOut], **ERRORS})
def list_scores(request, filters: Query[ScoreFilters]):
    """The ranking of the token's person's units of one type for a year, best score first."""
    year = filters.year or clock.local_today().year
    if filters.unit_type not in RANKED_TYPES:
        return []
    rows = selectors.ranking(request.user, unit_type=filters.unit_type, year=year)
    return [
        {
            "unit": r.unit.code,
            "unit_name": r.unit.name,
            "unit_type": r.unit.type,
            "year": year,
            "rank": r.rank,
            "score": r.scored.score,
            "frozen": r.frozen,
            "summary": r.summary.pk if r.summary else None,
            "components": _components(r.scored),
        }
        for r in rows
    ]
