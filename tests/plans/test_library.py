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
        assert plan.source_file and plan.source_section, plan.code
        if SEEDS.exists():
            assert (SEEDS / plan.source_file).exists(), f"{plan.code} cites a missing seed {plan.source_file}"


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
