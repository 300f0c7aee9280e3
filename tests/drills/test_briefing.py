"""演练前解读: written from the drill and its plans, edited, issued (the drill is then briefed), and
downloaded as Word with 目的、职责分工、预想场景、处置要点及流程."""

from io import BytesIO

import pytest
from docx import Document

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput
from yingji.drills import services
from yingji.drills.models import Drill, Status


def test_the_word_briefing_has_the_four_parts_the_trainer_explains(client, plan_drill, hexie_lobby):
    client.force_login(hexie_lobby.user)  # 王大堂 plays in the drill: he reads the briefing too
    response = client.get(f"/drills/{plan_drill.pk}/briefing/export.docx")

    assert response.status_code == 200
    doc = Document(BytesIO(response.content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["目的", "职责分工", "预想场景", "处置要点及流程"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "场景一 客户意外受伤" in text and "【网点负责人】网点负责人打电话向上级管理部门报备" in text
    assert "全面提升我行营业网点" in text


def test_the_trainer_edits_the_briefing_then_issues_it(client, plan_drill, hexie_admin):
    client.force_login(hexie_admin.user)
    sections = {
        "purpose": "检验七个场景的处置",
        "roles": "导调：内训师",
        "scenarios": "七个场景",
        "key_points": "先报告",
    }
    assert client.post(f"/drills/{plan_drill.pk}/briefing/", sections).status_code == 302
    assert client.post(f"/drills/{plan_drill.pk}/briefing/issue/").status_code == 302

    plan_drill.refresh_from_db()
    assert plan_drill.status == Status.BRIEFED and plan_drill.briefing.issued_at is not None
    page = client.get(f"/drills/{plan_drill.pk}/briefing/").content.decode()
    assert "检验七个场景的处置" in page and "已于" in page and "发布演练前解读</button>" not in page


def test_an_issued_briefing_is_final(client, plan_drill, hexie_admin):
    services.issue_briefing(actor=hexie_admin.user, drill=plan_drill)
    entries = AuditEntry.objects.count()
    client.force_login(hexie_admin.user)

    response = client.post(
        f"/drills/{plan_drill.pk}/briefing/",
        {"purpose": "改", "roles": "", "scenarios": "", "key_points": ""},
    )

    assert response.status_code == 403
    assert Drill.objects.get(pk=plan_drill.pk).briefing.purpose != "改"
    assert AuditEntry.objects.count() == entries
    with pytest.raises(InvalidInput):
        services.regenerate_briefing(actor=hexie_admin.user, drill=plan_drill)


def test_a_player_cannot_issue_the_briefing(client, plan_drill, hexie_lobby):
    entries = AuditEntry.objects.count()
    client.force_login(hexie_lobby.user)
    assert client.post(f"/drills/{plan_drill.pk}/briefing/issue/").status_code == 403
    assert Drill.objects.get(pk=plan_drill.pk).status == Status.PLANNED
    assert AuditEntry.objects.count() == entries


def test_the_briefing_is_written_in_chinese_even_from_an_english_page(plan_drill, hexie_admin):
    from django.utils import translation

    with translation.override("en"):
        services.regenerate_briefing(actor=hexie_admin.user, drill=plan_drill)
    roles = Drill.objects.get(pk=plan_drill.pk).briefing.roles
    assert "大堂经理：参与场景一 客户意外受伤" in roles and "takes part" not in roles
