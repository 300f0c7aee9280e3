"""Planning and briefing a drill never reaches anyone outside it: no incident, no task, no notice, no
regulator report, no job. Only drill rows and their audit entries are written."""

import json
from pathlib import Path

import pytest

from yingji.core.testing import footprint
from yingji.drills import services
from yingji.drills.models import DrillTemplate
from yingji.drills.templates import TemplateError, load_templates


def test_planning_and_briefing_the_major_complaint_drill_touches_nothing_else(
    major_complaint, hexie_admin, hexie_sub_branch
):
    before = footprint()

    drill = services.create_from_template(
        actor=hexie_admin.user, unit=hexie_sub_branch, units=[hexie_sub_branch], template=major_complaint
    )
    services.issue_briefing(actor=hexie_admin.user, drill=drill)

    after = footprint()
    changed = {label for label in after if after[label] != before.get(label)}
    assert changed and all(label.startswith(("drills.", "audit.")) for label in changed), changed


def test_a_player_who_tries_to_plan_a_drill_is_told_why_and_nothing_is_written(
    client, hexie_lobby, quarterly
):
    client.force_login(hexie_lobby.user)
    before = footprint()

    response = client.post(
        "/drills/new/",
        {
            "source": "template",
            "template": quarterly.pk,
            "unit": "JN0101",
            "units": ["JN0101"],
            "form": "live",
        },
    )

    assert response.status_code == 200
    assert "只有应急管理员、内训师、单位负责人和行领导可以制定演练方案" in response.content.decode()
    assert footprint() == before


def test_a_template_that_draws_a_plan_the_bank_does_not_have_is_refused_whole(templates, tmp_path: Path):
    good = json.loads(Path("yingji/drills/fixtures/002_major_complaint.json").read_text(encoding="utf-8"))
    bad = {**good, "code": "no-such-plan", "scenarios": [{**good["scenarios"][0], "plan": "no-such-plan"}]}
    (tmp_path / "a.json").write_text(json.dumps({**good, "code": "would-be-new"}), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(bad), encoding="utf-8")
    before = footprint()

    with pytest.raises(TemplateError) as refused:
        load_templates(tmp_path)

    assert any("no-such-plan" in e and "no approved version" in e for e in refused.value.errors)
    assert footprint() == before and not DrillTemplate.objects.filter(code="would-be-new").exists()
