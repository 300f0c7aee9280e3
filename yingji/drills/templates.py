"""The shipped drill templates (fixtures/*.json, built from the source documents), checked against the
plan library and loaded by `load_drill_templates`. Idempotent: a template whose content is unchanged
is left alone, a changed one is updated in place; drills already built from it keep what they copied."""

import hashlib
import json
from pathlib import Path

from django.db import transaction

from yingji.audit import services as audit
from yingji.core.errors import InvalidInput
from yingji.orgs.models import Position

from .building import approved_version
from .models import Channel, DrillTemplate, Form, Participant, Scope

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KEYS = {
    "code",
    "title",
    "summary",
    "source",
    "sort_order",
    "form",
    "scope",
    "purposes",
    "principles",
    "evaluation_criteria",
    "notes",
    "participants",
    "scenarios",
    "objectives",
    "injects",
}


class TemplateError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def read_templates(directory: Path = FIXTURES) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]


def validate(data: dict) -> list[str]:
    """What would make building a drill from this template fail, said before anyone tries."""
    where = f"template {data.get('code')}"
    errors = [f"{where}: unknown key {k}" for k in sorted(set(data) - KEYS)]
    if data.get("form") not in Form.values or data.get("scope") not in Scope.values:
        errors.append(f"{where}: form or scope unknown")
    positions = set(Position.objects.values_list("code", flat=True))
    steps: dict[int, int] = {}
    groups: set[str] = set()
    for n, spec in enumerate(data.get("scenarios", []), 1):
        try:
            version = approved_version(spec["plan"])
        except InvalidInput:
            errors.append(f"{where}: scenario {n}: plan {spec.get('plan')} has no approved version")
            continue
        steps[n] = version.steps.count()
        groups |= {g["name"] for g in version.groups}
        for key in [spec.get("report_step"), *map(int, spec.get("expected_minutes", {}))]:
            if key is not None and not 1 <= key <= steps[n]:
                errors.append(f"{where}: scenario {n}: no step {key}")
    for slot in data.get("participants", []):
        if (
            slot.get("role") not in Participant.Role.values
            or slot.get("position", "trainer") not in positions
        ):
            errors.append(f"{where}: participant slot {slot}")
    for spec in data.get("objectives", []):
        if spec.get("scenario") not in steps or not 1 <= spec.get("step", 1) <= steps[spec["scenario"]]:
            errors.append(f"{where}: objective {spec.get('text')}: no such scenario or step")
    for n, spec in enumerate(data.get("injects", []), 1):
        scenario = spec.get("scenario")
        if scenario not in steps:
            errors.append(f"{where}: inject {n}: no scenario {scenario}")
            continue
        expects = spec.get("expects", [])
        named = [] if expects == "all" else list(expects)
        if spec.get("contingency_for"):
            named.append(spec["contingency_for"])
        errors.extend(f"{where}: inject {n}: no step {s}" for s in named if not 1 <= s <= steps[scenario])
        if spec.get("channel", "spoken") not in Channel.values:
            errors.append(f"{where}: inject {n}: unknown channel {spec.get('channel')}")
        to = spec.get("to", "all")
        if to != "all" and to.get("position", "trainer") not in positions:
            errors.append(f"{where}: inject {n}: unknown position {to}")
        if to != "all" and "group" in to and to["group"] not in groups:
            errors.append(f"{where}: inject {n}: the plans have no group {to['group']}")
    return errors


def load_templates(directory: Path = FIXTURES) -> dict[str, int]:
    """Create or update each template; raises TemplateError (and changes nothing) if any is wrong."""
    items = read_templates(directory)
    errors = [e for data in items for e in validate(data)]
    if errors:
        raise TemplateError(errors)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for data in items:
            digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
            template = DrillTemplate.objects.filter(code=data["code"]).first()
            if template is not None and template.content_hash == digest:
                counts["unchanged"] += 1
                continue
            fields = {
                "title": data["title"],
                "summary": data.get("summary", ""),
                "data": data,
                "content_hash": digest,
                "sort_order": data.get("sort_order", 1000),
            }
            if template is None:
                template = DrillTemplate.objects.create(code=data["code"], **fields)
                counts["created"] += 1
            else:
                DrillTemplate.objects.filter(pk=template.pk).update(**fields)
                counts["updated"] += 1
            audit.record(
                actor=None, action="drill_template.load", obj=template, data={"title": data["title"]}
            )
    return counts
