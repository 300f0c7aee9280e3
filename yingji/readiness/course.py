"""The course of seed 003 (银行网点常见突发事件解析与应对策略): the eight kinds of outlet emergencies, their
causes and the response points it teaches, shipped in `fixtures/course_003.json` and loaded into
CourseKind rows linked to the event kinds whose plans cover each kind. Loading adds only the kinds that
are missing, so running it again changes nothing and a kind the bank edited (in the admin) stays as
edited."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import transaction

from yingji.plans.models import EventKind, Plan
from yingji.plans.selectors import approved_plans

from .models import CourseKind

SHIPPED = Path(__file__).resolve().parent / "fixtures" / "course_003.json"


@cache
def shipped() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@transaction.atomic
def load() -> int:
    """Create the kinds that are missing; returns how many were created."""
    created = 0
    kinds = {k.code: k for k in EventKind.objects.all()}
    existing = set(CourseKind.objects.values_list("code", flat=True))
    for order, data in enumerate(shipped()["kinds"]):
        if data["code"] in existing:
            continue
        row = CourseKind.objects.create(
            code=data["code"],
            name=data["name"],
            summary=data["summary"],
            causes=data["causes"],
            points=data["points"],
            sort_order=order * 10,
        )
        row.event_kinds.set([kinds[c] for c in data["event_kinds"] if c in kinds])
        created += 1
    return created


@dataclass
class CourseEntry:
    kind: CourseKind
    plans: list[Plan]


def entries() -> list[CourseEntry]:
    """Each kind with the plans in force that cover one of its event kinds (three queries)."""
    rows = list(CourseKind.objects.prefetch_related("event_kinds"))
    plans = list(
        approved_plans().filter(versions__status="approved").distinct().order_by("sort_order", "code")
    )
    by_kind: dict[int, list[Plan]] = {}
    for plan in plans:
        for kind in plan.kinds.all():
            by_kind.setdefault(kind.pk, []).append(plan)
    out = []
    for row in rows:
        found = {p.pk: p for k in row.event_kinds.all() for p in by_kind.get(k.pk, [])}
        out.append(CourseEntry(row, sorted(found.values(), key=lambda p: (p.sort_order, p.code))))
    return out
