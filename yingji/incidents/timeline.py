from yingji.core import clock
from yingji.orgs.models import Person

from .models import Incident, TimelineEntry


def add(
    incident: Incident,
    event: str,
    text: str,
    *,
    actor: Person | None = None,
    data: dict | None = None,
    at=None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident, at=at or clock.now(), event=event, actor=actor, text=text, data=data or {}
    )
