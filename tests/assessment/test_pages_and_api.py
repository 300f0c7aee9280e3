"""The pages and the API: a summary generated and read on its page, its Word document downloaded, the
ranking of a unit type with each component, the weights shown as 本行设定; each scoped by visibility."""

import pytest
from django.urls import reverse

from yingji.assessment import services
from yingji.assessment.models import Status, Summary
from yingji.core import clock
from yingji.core.documents import DOCX_MIME
from yingji.core.testing import footprint

from .conftest import FAILURES

pytestmark = pytest.mark.django_db


def test_the_security_pages_have_a_tab_for_the_summary_and_assessment(client, hexie_admin):
    client.force_login(hexie_admin.user)
    page = client.get(reverse("security:list")).content.decode()
    assert reverse("assessment:list") in page and "总结与考核" in page


def test_an_administrator_generates_the_summary_and_reads_it_on_its_page(client, conduct, hexie_admin, year):
    conduct(FAILURES)
    client.force_login(hexie_admin.user)
    assert "生成年度工作总结" in client.get(reverse("assessment:list")).content.decode()

    response = client.post(reverse("assessment:generate"), {"unit": "JN01", "year": str(year)})
    summary = Summary.objects.get(unit__code="JN01", year=year)
    assert response.status_code == 302 and response["Location"] == summary.get_absolute_url()
    page = client.get(summary.get_absolute_url()).content.decode()
    assert f"和谐支行{year}年度安全保卫工作总结" in page
    assert "草稿（未审批）" in page and "不合格项" in page and "整改闭环率" in page

    docx = client.get(reverse("assessment:summary_docx", kwargs={"pk": summary.pk}))
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX_MIME

    edited = client.post(
        summary.get_absolute_url(),
        {"overview": "全年开展检查1次。", "problems": "一", "measures": "二", "next_year": "三"},
    )
    assert edited.status_code == 302
    summary.refresh_from_db()
    assert summary.overview == "全年开展检查1次。"


def test_a_bad_year_is_said_on_the_page_and_nothing_is_made(client, hexie_admin, year):
    client.force_login(hexie_admin.user)
    before = footprint()
    response = client.post(
        reverse("assessment:generate"), {"unit": "JN01", "year": str(year + 1)}, follow=True
    )
    assert response.status_code == 200 and "请填写2000年至今年之间的年份" in response.content.decode()
    response = client.post(reverse("assessment:generate"), {"unit": "JN01", "year": "abc"}, follow=True)
    assert response.status_code == 200
    assert footprint() == before


def test_the_author_sees_no_approve_button_the_president_above_does(
    client, summarise, hexie_president, jn_president
):
    summary = summarise()
    services.submit_summary(actor=hexie_president.user, summary=summary)
    approve = reverse("assessment:summary_action", kwargs={"pk": summary.pk, "action": "approve"})
    client.force_login(hexie_president.user)
    assert approve not in client.get(summary.get_absolute_url()).content.decode()
    assert client.post(approve).status_code == 403
    client.force_login(jn_president.user)
    assert approve in client.get(summary.get_absolute_url()).content.decode()
    client.post(approve)
    summary.refresh_from_db()
    assert summary.status == Status.APPROVED and summary.approver == jn_president


def test_a_sibling_branch_neither_sees_the_summary_nor_ranks_its_units(client, summarise, other_manager):
    summary = summarise()
    client.force_login(other_manager.user)
    assert client.get(summary.get_absolute_url()).status_code == 404
    assert client.get(reverse("assessment:summary_docx", kwargs={"pk": summary.pk})).status_code == 404
    ranking = client.get(reverse("assessment:ranking"), {"type": "sub_branch"}).content.decode()
    assert "和谐支行" not in ranking and "城北支行" not in ranking  # 城北营业部's manager sees no sub-branch


def test_the_branch_ranks_its_sub_branches_with_each_component(client, conduct, branch_duty, year):
    conduct(FAILURES)
    client.force_login(branch_duty.user)
    page = client.get(reverse("assessment:ranking"), {"type": "sub_branch", "year": year}).content.decode()
    assert "和谐支行" in page and "滨江支行" in page and "江北" not in page
    assert "整改闭环率" in page and "本行设定" in page
    bad = client.get(reverse("assessment:ranking"), {"type": "planet", "year": "99999"})
    assert bad.status_code == 200


def test_the_weights_page_shows_the_banks_setting_and_only_head_office_changes_it(
    client, hq_duty, branch_duty
):
    client.force_login(branch_duty.user)
    page = client.get(reverse("assessment:weights")).content.decode()
    assert "本行设定" in page and "修改权重" not in page
    before = footprint()
    assert client.post(reverse("assessment:weights"), {"drill_done": "50"}).status_code == 403
    assert footprint() == before
    client.force_login(hq_duty.user)
    data = {
        "task_on_time": "20",
        "letter_sign": "15",
        "rectification_closure": "20",
        "training_coverage": "15",
        "readiness": "15",
        "drill_done": "50",
    }
    assert client.post(reverse("assessment:weights"), data).status_code == 302
    assert "50" in client.get(reverse("assessment:weights")).content.decode()
    refused = client.post(reverse("assessment:weights"), {**data, "drill_done": "-1"})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()


def _token(person) -> str:
    from yingji.api.services import issue_token

    return issue_token(actor=person.user, person=person)[1]


def test_the_api_lists_summaries_and_scores_scoped_to_what_the_token_sees(
    client, summarise, branch_duty, other_manager, year
):
    summary = summarise()
    above = {"HTTP_AUTHORIZATION": f"Bearer {_token(branch_duty)}"}
    sibling = {"HTTP_AUTHORIZATION": f"Bearer {_token(other_manager)}"}

    listed = client.get("/api/v1/assessment/summaries", **above).json()
    assert [s["unit"] for s in listed] == ["JN01"]
    detail = client.get(f"/api/v1/assessment/summaries/{summary.pk}", **above).json()
    assert detail["status"] == "draft" and detail["figures"]["inspections"] == 0
    assert {c["code"] for c in detail["components"]} >= {"rectification_closure", "drill_done"}

    assert client.get("/api/v1/assessment/summaries", **sibling).json() == []
    assert client.get(f"/api/v1/assessment/summaries/{summary.pk}", **sibling).status_code == 404
    scores = client.get(
        "/api/v1/assessment/scores", {"unit_type": "sub_branch", "year": year}, **above
    ).json()
    assert {s["unit"] for s in scores} == {"JN01", "JN02"}
    assert client.get("/api/v1/assessment/scores", {"unit_type": "sub_branch"}, **sibling).json() == []
    bad = client.get("/api/v1/assessment/scores", {"unit_type": "planet"}, **above)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"


def test_the_ranking_form_opens_on_what_the_page_ranks(client, branch_duty):
    """Unfiltered, the page ranks this year's outlets: its form says so instead of 分行 and a blank."""
    client.force_login(branch_duty.user)
    html = client.get("/security/assessment/ranking/").content.decode()
    assert '<option value="outlet" selected>' in html
    assert f'value="{clock.local_today().year}"' in html
