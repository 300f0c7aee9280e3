"""The shipped template of the annual security work plan, read from `data/template.json` (the seed's
phases and dated tasks, in its words). `load()` makes the rows say what the file says and may run any
number of times; a plan built from the template copies it, so a later change never rewrites a plan."""

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction

from yingji.core import clock
from yingji.orgs.models import Position

from .models import TemplatePhase, TemplateTask

DATA = Path(__file__).resolve().parent / "data" / "template.json"


def data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@transaction.atomic
def load() -> dict[str, int]:
    spec = data()
    positions = {p.code: p for p in Position.objects.all()}
    phases: dict[str, TemplatePhase] = {}
    for order, row in enumerate(spec["phases"]):
        start = row["start"] or [None, None]
        phases[row["code"]], _ = TemplatePhase.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "start_month": start[0],
                "start_day": start[1],
                "end_month": row["end"][0],
                "end_day": row["end"][1],
                "source_text": row["text"],
                "sort_order": order * 10,
            },
        )
    created = 0
    for order, row in enumerate(spec["tasks"]):
        _, made = TemplateTask.objects.update_or_create(
            key=row["key"],
            defaults={
                "phase": phases[row["phase"]],
                "title": row["title"],
                "text": row["text"],
                "due_month": row["due"][0],
                "due_day": row["due"][1],
                "owner_unit_type": row["owner_unit_type"],
                "owner_position": positions.get(row["owner_position"]),
                "evidence_kind": row["evidence"],
                "evidence_note": row["evidence_note"],
                "sort_order": order * 10,
            },
        )
        created += made
    return {"phases": len(phases), "tasks": len(spec["tasks"]), "created": created}


def ensure_loaded() -> None:
    if not TemplateTask.objects.exists():
        load()


def end_of(day: date) -> datetime:
    """The moment a task due on `day` falls due: 24:00 of that day in Asia/Shanghai."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.SHANGHAI)
