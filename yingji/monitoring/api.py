"""Signals over the API: `POST /api/v1/signals`, authenticated by an integration's own token (not a
person's), scoped to the units it reports for. A batch is stored whole or refused whole; a batch sent
again, late or out of order leaves the same series, so a client retries freely."""

from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply
from ninja.security import HttpBearer
from pydantic import BaseModel, BeforeValidator

from yingji.api.routes import ALWAYS, InputSchema
from yingji.core import inputs

from . import services
from .models import Metric, WarningLevel, WarningStatus


class IntegrationToken(HttpBearer):
    """An integration's token (yjs_…); a person's token opens nothing here."""

    def authenticate(self, request: HttpRequest, token: str):
        return services.authenticate_integration(token)


# A point is a plain pydantic model, not a ninja Schema: a batch holds a hundred, and ninja's per-object
# validator cost more than the whole insert. Its strings are patterns of plain ASCII (no NUL, no lone
# surrogate can pass), and its time's window (yingji/core/inputs.py) is checked by the service, once
# per distinct time of the batch, with the point's index in the error.
class PointIn(BaseModel):
    source: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="The system measured or reporting, e.g. acd, core-banking, queue-system.",
    )
    unit: str = Field(
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Code of the unit the point is about.",
    )
    metric: Metric
    at: Annotated[datetime, BeforeValidator(inputs._iso_shape)] = Field(
        description="When it was measured (ISO 8601 with offset), within the bank's plausible window.",
    )
    value: float = Field(
        ge=0,
        le=1_000_000,
        allow_inf_nan=False,
        description="A count for the minute starting at `at`, a reading, or a status (1 up, 0 down).",
    )


class BatchIn(InputSchema):
    points: list[PointIn] = Field(min_length=1, max_length=settings.YINGJI_SIGNAL_MAX_BATCH)


class WarningOut(Schema):
    id: int
    title: str
    level: WarningLevel
    status: WarningStatus
    raised_at: datetime


class IngestedOut(Schema):
    stored: int = Field(description="Points new to the series.")
    duplicates: int = Field(description="Points already stored (a replay): left as they were.")
    warnings: list[WarningOut] = Field(
        description="Empty: the rules are evaluated after the answer, within seconds, by a job that takes "
        "every batch pending; the warnings are read from the warning pages and the board."
    )


signals_router = Router(tags=["signals"], auth=IntegrationToken())


@signals_router.post("/signals", response={200: IngestedOut, **ALWAYS})
def ingest(request, payload: BatchIn):
    """A batch of measured points from one integration. 400 names each point refused (a unit it may not
    report for, a status other than 0 or 1, an implausible time) and stores nothing."""
    done = services.receive(integration=request.auth, points=[p.model_dump() for p in payload.points])
    return Reply(
        200,
        {
            "stored": done.stored,
            "duplicates": done.duplicates,
            "warnings": [],
        },
    )
