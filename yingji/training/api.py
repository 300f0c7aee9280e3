"""Training over the API (read): sessions with their attendance, list and detail, and attendance rows,
each scoped to what the token's person sees (their units' sessions, and those they are expected at). A
record outside it is 404, exactly like one that does not exist. Registered in yingji/api/api.py."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from yingji.api.routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset
from yingji.core import inputs
from yingji.core.errors import NotVisible

from . import selectors
from .models import Attendance, How, Session, Status

training_router = Router(tags=["training"])
ERRORS: dict[int, type[Schema]] = {**ALWAYS, 404: ErrorOut}


class SessionOut(Schema):
    id: int
    kind: str = Field(description="Code of the kind (quarterly_safety, fire, anti_corruption …).")
    kind_name: str
    unit: str = Field(description="Code of the unit holding it.")
    unit_name: str
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str
    trainer: str = Field(description="The trainer's name (one of the bank's people, or an outside trainer).")
    outside_trainer: bool
    status: Status
    status_display: str
    expected: int
    attended: int


class AttendanceOut(Schema):
    id: int
    session: int
    person: str
    person_unit: str
    attended: bool
    attended_at: datetime | None
    how: How | None
    reason: str


class SessionDetailOut(SessionOut):
    attendance: list[AttendanceOut]
    materials: list[str]


class SessionFilters(InputSchema):
    status: Status | None = None
    kind: str = Field("", max_length=40, description="Code of a kind.")
    unit: str = Field("", max_length=32, description="Code of a unit: it and the units below it.")
    limit: int = page_limit()
    offset: int = page_offset()


class AttendanceFilters(InputSchema):
    session: int | None = Field(None, ge=1, le=inputs.MAX_ID, description="Of this session (its id).")
    limit: int = page_limit()
    offset: int = page_offset()


def _session(s: Session) -> dict:
    return {
        "id": s.pk,
        "kind": s.kind.code,
        "kind_name": s.kind.name,
        "unit": s.unit.code,
        "unit_name": s.unit.name,
        "topic": s.topic,
        "starts_at": inputs.local_time(s.starts_at),
        "ends_at": inputs.local_time(s.ends_at),
        "place": s.place,
        "trainer": s.trainer_display,
        "outside_trainer": s.trainer_id is None,
        "status": s.status,
        "status_display": s.get_status_display(),
        "expected": s.expected,
        "attended": s.attended,
    }


def _attendance(a: Attendance) -> dict:
    return {
        "id": a.pk,
        "session": a.session_id,
        "person": a.person.name,
        "person_unit": a.person.unit.code,
        "attended": a.attended,
        "attended_at": inputs.local_time(a.attended_at),
        "how": a.how or None,
        "reason": a.reason,
    }


@training_router.get("/training/sessions", response={200: list[SessionOut], **ERRORS})
def list_sessions(request, filters: Query[SessionFilters]):
    """Sessions the person sees, newest first."""
    qs = selectors.sessions_for(
        request.user, unit=filters.unit, status=filters.status or "", kind=filters.kind
    )
    return [_session(s) for s in qs[filters.offset : filters.offset + filters.limit]]


@training_router.get("/training/sessions/{session_id}", response={200: SessionDetailOut, **ERRORS})
def get_session(request, session_id: int):
    """One session with its expected staff, who attended, and its materials' names."""
    pk = inputs.record_id(session_id)
    if pk is None:
        raise NotVisible()
    found = selectors.session_for(viewer=request.user, pk=pk)
    rows = selectors.attendances_for(request.user, session=found)
    return _session(found) | {
        "attendance": [_attendance(a) for a in rows],
        "materials": [m.name for m in found.materials.all()],
    }


@training_router.get("/training/attendance", response={200: list[AttendanceOut], **ERRORS})
def list_attendance(request, filters: Query[AttendanceFilters]):
    """Attendance rows the person sees (their units' sessions, and their own), newest session first."""
    qs = selectors.attendances_for(request.user)
    if filters.session is not None:
        qs = qs.filter(session_id=filters.session)
    return [_attendance(a) for a in qs[filters.offset : filters.offset + filters.limit]]
