"""The letters over the API (read, scoped), a letter as Word parsed back, the wording head office edits."""

import io

import pytest
from docx import Document

from yingji.api.services import issue_token
from yingji.core.errors import NotAllowed
from yingji.core.testing import footprint
from yingji.letters import services
from yingji.letters.models import Kind, Letter, LetterTemplate
from yingji.orgs.models import Person

pytestmark = pytest.mark.django_db


def test_the_api_lists_and_shows_letters_in_scope(client, issued, hexie_admin, hq_duty):
    _token, raw = issue_token(actor=hexie_admin.user, person=hexie_admin)
    headers = {"Authorization": f"Bearer {raw}"}
    listed = client.get("/api/v1/letters?year=2026&kind=unit", headers=headers).json()
    assert sorted(x["unit"] for x in listed) == ["JN01", "JN0101", "JN0102"]
    one = Letter.objects.get(kind=Kind.EMPLOYEE, person__user__username="hexie_guard")
    detail = client.get(f"/api/v1/letters/{one.pk}", headers=headers).json()
    assert detail["party_b"] == "施保安" and detail["status"] == "pending" and len(detail["clauses"]) >= 5
    assert client.get("/api/v1/letters?overdue=true", headers=headers).json() == []
    assert client.get("/api/v1/letters?year=abc", headers=headers).status_code == 400
    assert client.get("/api/v1/letters/abc", headers=headers).status_code in (400, 404)
    sibling = Person.objects.get(user__username="chengbei_admin")
    _token, other = issue_token(actor=hq_duty.user, person=sibling)
    headers = {"Authorization": f"Bearer {other}"}
    assert client.get("/api/v1/letters", headers=headers).json() == []
    assert client.get(f"/api/v1/letters/{one.pk}", headers=headers).status_code == 404


def test_a_letter_as_word_has_the_year_the_parties_the_clauses_and_the_signatures(
    client, issued, hexie_manager
):
    letter = Letter.objects.get(kind=Kind.UNIT, unit__code="JN0101")
    services.sign(actor=hexie_manager, letter=letter)
    client.force_login(hexie_manager.user)
    answer = client.get(f"/security/letters/{letter.pk}/docx/")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    doc = Document(io.BytesIO(answer.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "单位（部门）安全责任书" in text and "2026" in text
    assert "和谐支行" in text and "和谐路营业部" in text
    for clause in letter.clauses:
        assert clause in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert any("郑和谐" in c for c in cells) and any("2026-03-02" in c for c in cells)


def test_head_office_edits_the_wording_and_issued_letters_keep_theirs(client, issued, hq_duty, branch_duty):
    issued_letter = Letter.objects.filter(kind=Kind.EMPLOYEE).first()
    client.force_login(hq_duty.user)
    page = client.get("/security/letters/wording/employee/").content.decode()
    assert "yj-wording" in page
    template = LetterTemplate.objects.get(kind=Kind.EMPLOYEE)
    data = {
        "title": template.title,
        "preamble": template.preamble,
        "clauses": "第一条。\n第二条。",
        "closing": "",
    }
    assert client.post("/security/letters/wording/employee/", data).status_code == 302
    assert LetterTemplate.objects.get(kind=Kind.EMPLOYEE).clause_list() == ["第一条。", "第二条。"]
    issued_letter.refresh_from_db()
    assert "第一条。" not in issued_letter.clauses
    assert client.post("/security/letters/wording/employee/", data | {"title": ""}).status_code == 400
    assert client.get("/security/letters/wording/nothing/").status_code == 404
    before = footprint()
    client.force_login(branch_duty.user)
    assert client.post("/security/letters/wording/employee/", data).status_code == 403
    with pytest.raises(NotAllowed):
        services.update_template(actor=branch_duty, template=template, **data)
    assert footprint() == before
