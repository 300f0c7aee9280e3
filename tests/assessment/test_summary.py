"""The year's summary: generated from the records, its figures frozen, edited while a draft, submitted by
its author and approved by someone else who heads or leads the unit or a unit above (four eyes); its Word
document read back has the figures in tables and says 草稿（未审批） until approved."""

from io import BytesIO

import pytest
from docx import Document

from yingji.assessment import services, writing
from yingji.assessment.models import Status, Summary
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.core.testing import footprint

from .conftest import FAILURES

pytestmark = pytest.mark.django_db


def _read_back(summary: Summary) -> tuple[str, dict[str, str], str]:
    """The document's text, its figure tables as {item: figure}, and its page header."""
    doc = Document(BytesIO(writing.docx(summary)))
    figures = {}
    for table in doc.tables:
        for row in table.rows[1:]:
            figures[row.cells[0].text] = row.cells[1].text
    header = "".join(p.text for p in doc.sections[0].header.paragraphs)
    return "\n".join(p.text for p in doc.paragraphs), figures, header


def test_the_summary_docx_read_back_has_the_years_figures_and_says_draft(conduct, summarise, year):
    conduct(FAILURES)  # 和谐路营业部, under 和谐支行: two items failed, two rectifications open
    summary = summarise()

    text, figures, header = _read_back(summary)
    assert f"和谐支行{year}年度安全保卫工作总结" in text
    assert header == "草稿（未审批）" and "草稿（未审批）" in text
    assert figures["安全检查次数"] == "1"
    assert figures["不合格项"] == "2"
    assert figures["重大安全隐患"] == "0"
    assert figures["整改项"] == "2"
    assert figures["未完成整改"] == "2"
    assert figures["复查合格关闭的整改"] == "0"
    assert figures["突发事件"] == "0"
    # The sections say it in words, and name what is still open.
    assert "不合格2项" in text
    assert "1. 2项整改尚未完成" in summary.problems or "2项整改尚未完成" in summary.problems


def test_the_figures_are_frozen_when_generated_and_taken_again_only_while_a_draft(
    conduct, summarise, hexie_president, jn_president
):
    conduct(FAILURES)
    summary = summarise()
    assert summary.figures["figures"]["items_failed"] == 2

    conduct({"fire-2": "疏散通道堆放杂物。"})  # a later inspection: the stored summary does not move
    summary.refresh_from_db()
    assert summary.figures["figures"]["items_failed"] == 2
    assert _read_back(summary)[1]["不合格项"] == "2"

    again = summarise()  # a draft is generated again from the records as they stand now
    assert again.pk == summary.pk and again.figures["figures"]["items_failed"] == 3

    services.submit_summary(actor=hexie_president.user, summary=again)
    services.approve_summary(actor=jn_president.user, summary=again)
    conduct({"fire-3": "配电箱未上锁。"})
    with pytest.raises(InvalidInput):
        summarise()
    approved = Summary.objects.get(pk=summary.pk)
    assert approved.figures["figures"]["items_failed"] == 3
    text, figures, header = _read_back(approved)
    assert figures["不合格项"] == "3" and header == "" and "草稿" not in text
    assert "审批人：钱江南" in text


def test_the_author_cannot_approve_their_own_summary_someone_above_does(
    summarise, hexie_president, jn_president
):
    summary = summarise()
    services.edit_summary(actor=hexie_president.user, summary=summary, problems="灭火器检查不到位。")
    services.submit_summary(actor=hexie_president.user, summary=summary)

    before = footprint()
    with pytest.raises(NotAllowed):
        services.approve_summary(actor=hexie_president.user, summary=summary)
    assert footprint() == before  # a refusal changes nothing: no row, no audit entry

    approved = services.approve_summary(actor=jn_president.user, summary=summary)
    assert approved.status == Status.APPROVED
    assert (approved.author, approved.approver) == (hexie_president, jn_president)
    assert approved.problems == "灭火器检查不到位。"


def test_an_emergency_administrator_writes_but_does_not_approve(summarise, branch_duty, hexie_president):
    summary = summarise()
    services.submit_summary(actor=branch_duty.user, summary=summary)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.approve_summary(actor=branch_duty.user, summary=summary)
    assert footprint() == before
    services.approve_summary(actor=hexie_president.user, summary=summary)  # 和谐支行行长 heads the unit


def test_a_returned_summary_is_a_draft_again_with_the_reason(summarise, hexie_admin, hexie_president):
    summary = summarise()
    services.submit_summary(actor=hexie_admin.user, summary=summary)
    with pytest.raises(InvalidInput):
        services.edit_summary(actor=hexie_admin.user, summary=summary, overview="改")
    with pytest.raises(InvalidInput):
        services.return_summary(actor=hexie_president.user, summary=summary, reason="  ")
    returned = services.return_summary(actor=hexie_president.user, summary=summary, reason="请补充培训情况")
    assert returned.status == Status.DRAFT and returned.returned_reason == "请补充培训情况"
    assert returned.submitted_at is None
    services.edit_summary(actor=hexie_admin.user, summary=returned, overview="已补充。")
    with pytest.raises(InvalidTransition):
        services.approve_summary(actor=hexie_president.user, summary=returned)


def test_an_empty_section_cannot_be_submitted(summarise, hexie_admin):
    summary = summarise()
    services.edit_summary(actor=hexie_admin.user, summary=summary, measures="   ")
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.submit_summary(actor=hexie_admin.user, summary=summary)
    assert "measures" in refused.value.fields and footprint() == before


def test_a_teller_or_a_sibling_writes_no_summary(demo, hexie, year):
    from yingji.orgs.models import Person

    for username in ("hexie_teller", "other_manager"):
        person = Person.objects.get(user__username=username)
        before = footprint()
        with pytest.raises(NotAllowed):
            services.generate_summary(actor=person.user, unit=hexie, year=year)
        assert footprint() == before


def test_a_year_to_come_is_refused(summarise, hexie_admin, hexie, year):
    with pytest.raises(InvalidInput) as refused:
        services.generate_summary(actor=hexie_admin.user, unit=hexie, year=year + 1)
    assert "year" in refused.value.fields
