"""The coverage matrix: units × (unit letter, employees signed / total), the people who have not signed,
the deadline and what is overdue; each viewer sees their own units and below, never a sibling's. The
year's figures for the summary count the same letters."""

import io

import pytest
from openpyxl import load_workbook

from yingji.letters import selectors, services
from yingji.letters.figures import year_figures
from yingji.letters.models import Kind, Letter
from yingji.orgs.models import Person, Unit

pytestmark = pytest.mark.django_db


def _sign(username: str) -> None:
    letter = Letter.objects.get(kind=Kind.EMPLOYEE, person__user__username=username)
    services.sign(actor=letter.person, letter=letter)


def test_the_matrix_counts_signed_and_lists_who_has_not_signed(
    client, issued, branch_duty, hexie_manager, march
):
    for username in ("hexie_lobby", "hexie_teller", "hexie_manager"):
        _sign(username)
    services.sign(actor=hexie_manager, letter=Letter.objects.get(kind=Kind.UNIT, unit__code="JN0101"))
    march.advance(days=9)  # 3月11日: the rest is overdue
    rows = {r.unit.code: r for r in selectors.coverage(branch_duty.user, year=2026)}
    outlet = rows["JN0101"]
    total = Person.objects.filter(unit__code="JN0101").count()
    assert (outlet.signed, outlet.total, outlet.overdue) == (3, total, total - 3)
    assert outlet.unit_letter.is_signed and rows["JN0102"].unit_letter_overdue
    unsigned = [x.person.user.username for x in selectors.unsigned_people(list(rows.values()))]
    assert "hexie_guard" in unsigned and "hexie_lobby" not in unsigned

    client.force_login(branch_duty.user)
    page = client.get("/security/letters/?year=2026").content.decode()
    assert "yj-letter-coverage" in page and "yj-unsigned" in page and "施保安" in page and "逾期" in page
    assert client.get("/security/letters/?year=abc").status_code == 200


def test_each_sees_their_own_units_only(client, issued, hexie_lobby, other_manager, hexie_admin):
    assert {r.unit.code for r in selectors.coverage(hexie_lobby.user, year=2026)} == {"JN0101"}
    assert {r.unit.code for r in selectors.coverage(hexie_admin.user, year=2026)} == {
        "JN01",
        "JN0101",
        "JN0102",
    }
    assert selectors.coverage(other_manager.user, year=2026) == []
    client.force_login(other_manager.user)
    page = client.get("/security/letters/?year=2026&unit=JN").content.decode()
    assert "和谐路营业部" not in page and "施保安" not in page


def test_the_years_figures_for_the_summary(issued, march, hexie_manager):
    _sign("hexie_lobby")
    march.advance(days=10)
    _sign("hexie_teller")  # late
    branch = year_figures(Unit.objects.get(code="JN"), 2026)
    total = Letter.objects.filter(round=issued).count()
    assert branch == {
        "letters_total": total,
        "letters_signed": 2,
        "letters_signed_late": 1,
        "letters_unsigned": total - 2,
    }
    outlet = year_figures(Unit.objects.get(code="JN0101"), 2026)
    assert outlet["letters_total"] == Person.objects.filter(unit__code="JN0101").count() + 1
    assert year_figures(Unit.objects.get(code="JB"), 2026)["letters_total"] == 0
    assert year_figures(Unit.objects.get(code="JN"), 2025)["letters_total"] == 0


def test_the_matrix_as_excel_lists_the_units_and_letters_the_viewer_sees(client, issued, hexie_admin):
    _sign("hexie_lobby")
    client.force_login(hexie_admin.user)
    answer = client.get("/security/letters/coverage.xlsx?year=2026")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    units = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert sorted(units) == sorted(["和谐支行", "和谐路营业部", "和谐广场网点"])
    letters = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert len(letters) == Letter.objects.filter(unit__code__in=["JN01", "JN0101", "JN0102"]).count()
    assert any(r[2] == "王大堂" and r[4] == "已签订" for r in letters)
    assert not any(r[2] == "冯城北" for r in letters)
