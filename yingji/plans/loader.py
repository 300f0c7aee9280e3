"""Loads the shipped plan library from fixtures/*.json and fixtures/plans/*.json.

Idempotent: kinds, rules and positions are upserted by code; a plan whose content is unchanged is left
alone; a plan whose content changed gets a new approved version that supersedes the old one, so
activated versions in past events keep exactly what they said. The fixtures are the whole rule book: a
level rule no longer in them is deleted. A plan that `replaces` former codes takes over the plan row of
that code, with its versions, instead of leaving it in force beside the new one. Safe to run in a
migration-free way on every `make run` and after every upgrade."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from yingji.audit import services as audit
from yingji.core import clock
from yingji.orgs.models import Position, UnitType

from . import structure
from .models import (
    EventGroup,
    EventKind,
    Fact,
    Level,
    LevelRule,
    Plan,
    PlanVersion,
    Step,
    Timing,
    VersionStatus,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_APPROVER = "预案库初始导入"
CONTENT_KEYS = ("title", "principles", "contacts", "termination", "steps")
# Hashed only when a plan has them, so adding the keys changed no plan that has none.
OPTIONAL_CONTENT_KEYS = ("groups", "leadership", "termination_approvers")
PLAN_KEYS = {"code", "replaces", "kinds", "unit_types", "source", *CONTENT_KEYS, *OPTIONAL_CONTENT_KEYS}
SOURCE_KEYS = {"file", "document", "section", "note"}
STEP_KEYS = {"action", "position", "inferred", "timing", "minutes", "condition", "branch", "record", "group"}
RULE_KEYS = {"code", "kind", "group", "fact", "threshold", "level", "description", "source", "bank_own"}


class LibraryError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Summary:
    kinds: int = 0
    rules: int = 0
    rules_removed: list[str] = field(default_factory=list)
    plans_renamed: list[str] = field(default_factory=list)
    plans_created: int = 0
    plans_revised: int = 0
    plans_unchanged: int = 0
    steps: int = 0
    files: list[str] = field(default_factory=list)


def read_library(directory: Path = FIXTURES) -> tuple[dict[str, list[dict]], list[str]]:
    files = sorted(directory.glob("*.json")) + sorted((directory / "plans").glob("*.json"))
    merged: dict[str, list[dict]] = {"positions": [], "kinds": [], "rules": [], "plans": []}
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in merged:
            for item in data.get(key, []):
                merged[key].append({**item, "_file": path.name})
    return merged, [f.name for f in files]


def validate(library: dict[str, list[dict]]) -> list[str]:
    errors: list[str] = []
    positions = set(Position.objects.values_list("code", flat=True)) | {
        p["code"] for p in library["positions"]
    }
    kinds: dict[str, dict] = {}
    for kind in library["kinds"]:
        where = f"{kind['_file']}: kind {kind.get('code')}"
        same = kinds.get(kind["code"])
        if same and (same["name"], same["group"], same["default_level"]) != (
            kind["name"],
            kind["group"],
            kind["default_level"],
        ):
            errors.append(f"{where} is defined differently in {same['_file']}")
        kinds.setdefault(kind["code"], kind)
        if kind.get("group") not in EventGroup.values:
            errors.append(f"{where}: unknown group {kind.get('group')}")
        if kind.get("default_level") not in Level.values:
            errors.append(f"{where}: unknown level {kind.get('default_level')}")
    seen_rules: dict[str, str] = {}
    for rule in library["rules"]:
        where = f"{rule['_file']}: rule {rule.get('code')}"
        errors.extend(f"{where}: unknown key {key}" for key in sorted(set(rule) - RULE_KEYS - {"_file"}))
        if rule.get("code") in seen_rules:
            errors.append(f"{where} is also in {seen_rules[rule['code']]}")
        seen_rules[rule.get("code", "")] = rule["_file"]
        if not isinstance(rule.get("bank_own"), bool):
            errors.append(f"{where}: say whether the bank set it (bank_own: true) or a source gives it")
        elif not rule["bank_own"] and not rule.get("source", "").strip():
            errors.append(f"{where}: a rule the sources give cites its passage (source)")
        if rule.get("kind") and rule["kind"] not in kinds:
            errors.append(f"{where}: unknown kind {rule['kind']}")
        if rule.get("group") and rule["group"] not in EventGroup.values:
            errors.append(f"{where}: unknown group {rule['group']}")
        if rule.get("fact") not in Fact.values:
            errors.append(f"{where}: unknown fact {rule.get('fact')}")
        if rule.get("level") not in Level.values:
            errors.append(f"{where}: unknown level {rule.get('level')}")
        if not rule.get("description"):
            errors.append(f"{where}: a rule says why (description)")
    seen_plans: dict[str, str] = {}
    replaced: dict[str, str] = {}
    for plan in library["plans"]:
        where = f"{plan['_file']}: plan {plan.get('code')}"
        errors.extend(f"{where}: unknown key {key}" for key in sorted(set(plan) - PLAN_KEYS - {"_file"}))
        if plan.get("code") in seen_plans:
            errors.append(f"{where} is also in {seen_plans[plan['code']]}")
        seen_plans[plan.get("code", "")] = plan["_file"]
        for former in plan.get("replaces", []):
            if former in replaced:
                errors.append(f"{where}: {former} is also replaced by {replaced[former]}")
            replaced[former] = plan.get("code", "")
        for key in ("code", "title", "kinds", "unit_types", "source", "steps"):
            if not plan.get(key):
                errors.append(f"{where}: missing {key}")
        for code in plan.get("kinds", []):
            if code not in kinds:
                errors.append(f"{where}: unknown kind {code}")
        for unit_type in plan.get("unit_types", []):
            if unit_type not in UnitType.values:
                errors.append(f"{where}: unknown unit type {unit_type}")
        source = plan.get("source") or {}
        errors.extend(f"{where}: unknown source key {key}" for key in sorted(set(source) - SOURCE_KEYS))
        if not source.get("file") or not source.get("document") or not source.get("section"):
            errors.append(f"{where}: source needs file, document (its title) and section")
        groups = plan.get("groups", [])
        errors.extend(f"{where}: {e}" for e in structure.group_errors(groups, positions))
        errors.extend(
            f"{where}: {e}" for e in structure.leadership_errors(plan.get("leadership", {}), positions)
        )
        errors.extend(
            f"{where}: {e}"
            for e in structure.approver_errors(plan.get("termination_approvers", []), positions)
        )
        names = {g.get("name") for g in groups if isinstance(g, dict)} if isinstance(groups, list) else set()
        for number, step in enumerate(plan.get("steps", []), start=1):
            errors.extend(_step_errors(f"{where} step {number}", step, positions))
            if step.get("group") and step["group"] not in names:
                errors.append(f"{where} step {number}: the plan has no working group {step['group']}")
    for former, code in replaced.items():
        if former in seen_plans:
            errors.append(f"plan {code} replaces {former}, which is still shipped")
    return errors


def _step_errors(where: str, step: dict, positions: set[str]) -> list[str]:
    errors = [f"{where}: unknown key {key}" for key in set(step) - STEP_KEYS]
    if not step.get("action", "").strip():
        errors.append(f"{where}: empty action")
    if step.get("position") not in positions:
        errors.append(f"{where}: unknown position {step.get('position')}")
    timing = step.get("timing", Timing.IMMEDIATE)
    if timing not in Timing.values:
        errors.append(f"{where}: unknown timing {timing}")
    if timing == Timing.WITHIN and not step.get("minutes"):
        errors.append(f"{where}: timing 'within' needs minutes")
    if timing == Timing.ON_CONDITION and not step.get("condition"):
        errors.append(f"{where}: timing 'on_condition' needs a condition")
    return errors


def content_of(plan: dict) -> dict[str, Any]:
    content = {key: plan.get(key, [] if key in ("contacts", "steps") else "") for key in CONTENT_KEYS}
    content.update({key: plan[key] for key in OPTIONAL_CONTENT_KEYS if plan.get(key)})
    return content


def content_hash(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def load_library(directory: Path = FIXTURES) -> Summary:
    library, files = read_library(directory)
    errors = validate(library)
    if errors:
        raise LibraryError(errors)
    summary = Summary(files=files)
    with transaction.atomic():
        for order, position in enumerate(library["positions"]):
            Position.objects.update_or_create(
                code=position["code"],
                defaults={
                    "name": position["name"],
                    "name_en": position.get("name_en", position["code"]),
                    "is_unit_head": position.get("is_unit_head", False),
                    "sort_order": 500 + order,
                },
            )
        for order, kind in enumerate(library["kinds"]):
            EventKind.objects.update_or_create(
                code=kind["code"],
                defaults={
                    "name": kind["name"],
                    "group": kind["group"],
                    "default_level": kind["default_level"],
                    "description": kind.get("description", ""),
                    "sort_order": order,
                },
            )
            summary.kinds += 1
        kinds = {k.code: k for k in EventKind.objects.all()}
        for rule in library["rules"]:
            LevelRule.objects.update_or_create(
                code=rule["code"],
                defaults={
                    "kind": kinds.get(rule.get("kind") or ""),
                    "group": rule.get("group", ""),
                    "fact": rule["fact"],
                    "threshold": rule["threshold"],
                    "level": rule["level"],
                    "description": rule["description"],
                    "source": rule.get("source", ""),
                    "bank_own": rule["bank_own"],
                },
            )
            summary.rules += 1
        # The fixtures are the rule book: a rule dropped from them must stop raising levels. Deleted one
        # by one (not a bulk delete) so the rulebook's cache hears of each.
        for rule in LevelRule.objects.exclude(code__in=[r["code"] for r in library["rules"]]).order_by(
            "code"
        ):
            summary.rules_removed.append(rule.code)
            rule.delete()
        positions = {p.code: p for p in Position.objects.all()}
        for order, data in enumerate(library["plans"]):
            outcome = _load_plan(data, order, kinds, positions, summary)
            setattr(summary, f"plans_{outcome}", getattr(summary, f"plans_{outcome}") + 1)
            summary.steps += len(data["steps"])
        if summary.plans_created or summary.plans_revised or summary.rules_removed or summary.plans_renamed:
            audit.record(
                actor=None,
                action="plans.load_library",
                object_type="plans.library",
                data={
                    "files": files,
                    "kinds": summary.kinds,
                    "rules": summary.rules,
                    "rules_removed": summary.rules_removed,
                    "renamed": summary.plans_renamed,
                    "created": summary.plans_created,
                    "revised": summary.plans_revised,
                },
            )
    return summary


def _load_plan(data: dict, order: int, kinds: dict, positions: dict, summary: Summary) -> str:
    if data.get("replaces") and not Plan.objects.filter(code=data["code"]).exists():
        # A renamed plan keeps its row and versions (past events point at them); its new content
        # follows as the next version below.
        former = Plan.objects.filter(code__in=data["replaces"]).order_by("pk").first()
        if former is not None:
            summary.plans_renamed.append(f"{former.code} → {data['code']}")
            Plan.objects.filter(pk=former.pk).update(code=data["code"])
    plan, created = Plan.objects.update_or_create(
        code=data["code"],
        defaults={
            "unit_types": data["unit_types"],
            "source_file": data["source"]["file"],
            "source_title": data["source"]["document"],
            "source_section": data["source"]["section"],
            "source_note": data["source"].get("note", ""),
            "sort_order": order,
        },
    )
    plan.kinds.set([kinds[c] for c in data["kinds"]])
    content = content_of(data)
    digest = content_hash(content)
    current = plan.versions.filter(status=VersionStatus.APPROVED).first()
    if current is not None and current.content_hash == digest:
        return "unchanged"
    now = clock.now()
    if current is not None:
        PlanVersion.objects.filter(pk=current.pk).update(status=VersionStatus.SUPERSEDED)
    number = (plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        status=VersionStatus.APPROVED,
        title=content["title"],
        principles=content["principles"],
        contacts=content["contacts"],
        termination=content["termination"],
        termination_approvers=content.get("termination_approvers", []),
        groups=content.get("groups", []),
        leadership=content.get("leadership", {}),
        change_note="" if current is None else "预案库更新",
        content_hash=digest,
        created_at=now,
        approved_by_name=SEED_APPROVER,
        approved_at=now,
    )
    Step.objects.bulk_create(
        [
            Step(
                version=version,
                order=i,
                action=s["action"].strip(),
                position=positions[s["position"]],
                position_inferred=bool(s.get("inferred")),
                timing=s.get("timing", Timing.IMMEDIATE),
                minutes=s.get("minutes"),
                condition=s.get("condition", ""),
                branch=s.get("branch", ""),
                record=s.get("record", ""),
                group=s.get("group", ""),
            )
            for i, s in enumerate(data["steps"], start=1)
        ]
    )
    audit.record(
        actor=None,
        action="plan_version.import",
        obj=version,
        data={"plan": plan.code, "number": number, "steps": len(data["steps"])},
    )
    return "created" if created or current is None else "revised"
