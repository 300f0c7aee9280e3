"""The shipped library: every kind has an approved plan, every step a known position, every plan its
source; loading it twice changes nothing."""

from pathlib import Path

from yingji.audit.models import AuditEntry
from yingji.core.testing import footprint
from yingji.orgs.models import Position
from yingji.plans.loader import FIXTURES, load_library, read_library, validate
from yingji.plans.models import EventKind, Plan, PlanVersion, Step, VersionStatus

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_the_shipped_library_validates_cleanly(db):
    library, files = read_library()
    assert validate(library) == []
    assert "00_catalogue.json" in files


def test_every_kind_has_an_approved_plan(library):
    uncovered = EventKind.objects.exclude(plans__versions__status=VersionStatus.APPROVED)
    assert list(uncovered.values_list("code", flat=True)) == []


def test_the_library_is_about_forty_plans_and_well_over_200_steps(library):
    assert Plan.objects.count() >= 35
    assert Step.objects.filter(version__status=VersionStatus.APPROVED).count() >= 200


def test_every_step_has_a_known_position_and_every_plan_its_source(library):
    known = set(Position.objects.values_list("pk", flat=True))
    assert set(Step.objects.values_list("position_id", flat=True)) <= known
    for plan in Plan.objects.all():
        assert plan.source_file and plan.source_title and plan.source_section, plan.code
        assert ".txt" not in plan.source_title + plan.source_section + plan.source_note, plan.code
        if SEEDS.exists():
            assert (SEEDS / plan.source_file).exists(), f"{plan.code} cites a missing seed {plan.source_file}"
            seed = _ascii_punctuation((SEEDS / plan.source_file).read_text(encoding="utf-8"))
            assert _ascii_punctuation(plan.source_title) in seed, (
                f"{plan.code}: no document {plan.source_title}"
            )


def _ascii_punctuation(text: str) -> str:
    return text.translate(str.maketrans("，（）", ",()"))


def test_every_plan_has_steps_and_exactly_one_approved_version(library):
    for plan in Plan.objects.prefetch_related("versions"):
        approved = [v for v in plan.versions.all() if v.status == VersionStatus.APPROVED]
        assert len(approved) == 1, plan.code
        assert approved[0].steps.exists(), plan.code


def test_loading_twice_changes_nothing(library):
    before = footprint()
    summary = load_library()
    assert summary.plans_created == summary.plans_revised == 0
    assert footprint() == before


def test_a_changed_fixture_becomes_a_new_version_and_keeps_the_old(library, tmp_path):
    import json
    import shutil

    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    target = next((tmp_path / "fixtures" / "plans").glob("*.json"))
    data = json.loads(target.read_text())
    code = data["plans"][0]["code"]
    data["plans"][0]["steps"].append(
        {"action": "新增：事后书面报告上级行", "position": "outlet_head", "timing": "follow_up"}
    )
    target.write_text(json.dumps(data, ensure_ascii=False))
    summary = load_library(tmp_path / "fixtures")
    assert summary.plans_revised == 1
    versions = PlanVersion.objects.filter(plan__code=code).order_by("number")
    assert [v.status for v in versions] == [VersionStatus.SUPERSEDED, VersionStatus.APPROVED]
    assert versions.last().steps.last().action == "新增：事后书面报告上级行"
    assert AuditEntry.objects.filter(action="plan_version.import", data__plan=code).count() == 2


def _copy_fixtures(tmp_path):
    import shutil

    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    return tmp_path / "fixtures"


def test_a_rule_dropped_from_the_fixtures_is_deleted(library, tmp_path):
    import json

    from yingji.plans.models import LevelRule

    fixtures = _copy_fixtures(tmp_path)
    catalogue = json.loads((fixtures / "00_catalogue.json").read_text())
    catalogue["rules"] = [r for r in catalogue["rules"] if r["code"] != "gathered-200-i"]
    (fixtures / "00_catalogue.json").write_text(json.dumps(catalogue, ensure_ascii=False))
    summary = load_library(fixtures)
    assert summary.rules_removed == ["gathered-200-i"]
    assert not LevelRule.objects.filter(code="gathered-200-i").exists()
    entry = AuditEntry.objects.filter(action="plans.load_library").latest("seq")
    assert entry.data["rules_removed"] == ["gathered-200-i"]
    assert load_library(fixtures).rules_removed == []


def test_a_renamed_plan_keeps_its_row_and_versions(library, tmp_path):
    import json

    fixtures = _copy_fixtures(tmp_path)
    path = fixtures / "plans" / "30_outlet_service.json"
    data = json.loads(path.read_text())
    plan = data["plans"][0]
    before = Plan.objects.get(code=plan["code"])
    old_version = before.versions.get(status=VersionStatus.APPROVED)
    plan["replaces"] = [*plan.get("replaces", []), plan["code"]]
    plan["code"] = "outlet-service-renamed"
    path.write_text(json.dumps(data, ensure_ascii=False))
    summary = load_library(fixtures)
    renamed = Plan.objects.get(code="outlet-service-renamed")
    assert renamed.pk == before.pk and not Plan.objects.filter(code=before.code).exists()
    assert summary.plans_renamed == [f"{before.code} → outlet-service-renamed"]
    # The content is the same, so the approved version stays what it was.
    assert renamed.versions.get(status=VersionStatus.APPROVED).pk == old_version.pk


def test_a_plan_may_not_replace_one_that_is_still_shipped(db):
    library, _files = read_library()
    shipped = library["plans"]
    shipped[0]["replaces"] = [shipped[1]["code"]]
    assert any("which is still shipped" in e for e in validate(library))


def test_the_organisation_of_a_plan_is_checked(db):
    library, _files = read_library()
    plan = next(p for p in library["plans"] if p["code"] == "outlet-major-complaint")
    plan["groups"] = [*plan["groups"], {"name": plan["groups"][0]["name"], "duties": "重复"}]
    plan["leadership"] = {"leader": "astronaut", "deputies": "guard"}
    plan["termination_approvers"] = [
        {"position": "security_officer", "unit": "moon", "label": "大厦安全保卫负责人"},
        {"role": "mayor", "label": "市长"},
        {"position": "guard", "unit": "above"},
    ]
    plan["steps"][0]["group"] = "不存在的小组"
    errors = "\n".join(validate(library))
    assert "is used twice" in errors
    assert "unknown leader position astronaut" in errors and "deputies must be a list" in errors
    assert "unit must be one of incident, above, head_office" in errors
    assert "unknown role mayor" in errors and "needs a label" in errors
    assert "no working group 不存在的小组" in errors


def test_a_broken_fixture_loads_nothing_and_names_the_problem(library, tmp_path):
    import json

    import pytest

    from yingji.plans.loader import LibraryError

    (tmp_path / "plans").mkdir()
    (tmp_path / "00.json").write_text(
        json.dumps(
            {"kinds": [{"code": "x_kind", "name": "某事件", "group": "service", "default_level": "III"}]}
        )
    )
    (tmp_path / "plans" / "10.json").write_text(
        json.dumps(
            {
                "plans": [
                    {
                        "code": "x-plan",
                        "title": "某预案",
                        "kinds": ["x_kind", "no_such_kind"],
                        "unit_types": ["outlet"],
                        "source": {"file": "000.txt", "section": "一"},
                        "steps": [
                            {"action": "报告", "position": "astronaut"},
                            {"action": "", "position": "guard", "timing": "within"},
                        ],
                    }
                ]
            }
        )
    )
    before = footprint()
    with pytest.raises(LibraryError) as failure:
        load_library(tmp_path)
    text = "\n".join(failure.value.errors)
    assert "unknown kind no_such_kind" in text and "unknown position astronaut" in text
    assert "step 2: empty action" in text and "needs minutes" in text
    assert footprint() == before
