"""Staff browse, search, print and download the plans; administrators edit them in the pages."""

from io import BytesIO

import pytest
from docx import Document

from yingji.plans.models import Plan, PlanVersion, VersionStatus


def approved(code: str) -> PlanVersion:
    return PlanVersion.objects.get(plan__code=code, status=VersionStatus.APPROVED)


@pytest.fixture
def some_plan(library) -> Plan:
    return Plan.objects.order_by("sort_order").first()


def test_a_lobby_manager_browses_the_library_by_group(client, hexie_lobby, library):
    client.force_login(hexie_lobby.user)
    page = client.get("/plans/").content.decode()
    assert "营业网点挤兑" in page and "客服中心" in page


def test_searching_finds_plans_by_words_in_their_steps(client, hexie_lobby, library):
    client.force_login(hexie_lobby.user)
    page = client.get("/plans/", {"q": "报告"}).content.decode()
    assert "plans/p/" in page


def test_filtering_by_event_kind_keeps_only_that_kinds_plans(client, hexie_lobby, library):
    client.force_login(hexie_lobby.user)
    page = client.get("/plans/", {"kind": "armed_hostage_robbery"}).content.decode()
    assert "is-invalid" not in page
    expected = Plan.objects.filter(kinds__code="armed_hostage_robbery").distinct()
    assert expected.exists()
    assert page.count("/plans/p/") == expected.count()
    assert all(plan.get_absolute_url() in page for plan in expected)


def test_the_plan_page_shows_every_step_with_its_role(client, hexie_lobby, some_plan):
    client.force_login(hexie_lobby.user)
    version = approved(some_plan.code)
    page = client.get(some_plan.get_absolute_url()).content.decode()
    for step in version.steps.all():
        assert step.position.name in page
    assert version.title in page


def test_the_plan_downloads_as_word_with_its_numbered_steps(client, hexie_lobby, some_plan):
    client.force_login(hexie_lobby.user)
    version = approved(some_plan.code)
    answer = client.get(f"/plans/p/{some_plan.code}/v{version.number}/export.docx")
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(BytesIO(answer.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == version.title
    for step in version.steps.all():
        assert f"{step.order}．{step.action}" in texts
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)


def test_a_role_card_lists_the_positions_steps_across_plans(client, hexie_lobby, library):
    from yingji.plans.models import Step

    client.force_login(hexie_lobby.user)
    steps = Step.objects.filter(position__code="lobby_manager", version__status=VersionStatus.APPROVED)
    page = client.get("/plans/roles/lobby_manager/").content.decode()
    for step in steps:
        assert step.action in page
    document = Document(BytesIO(client.get("/plans/roles/lobby_manager/export.docx").content))
    body = "\n".join(p.text for p in document.paragraphs)
    assert all(step.action in body for step in steps)


def test_list_pages_run_a_fixed_number_of_queries(
    client, hexie_lobby, library, django_assert_max_num_queries
):
    client.force_login(hexie_lobby.user)
    with django_assert_max_num_queries(15):
        client.get("/plans/")
    with django_assert_max_num_queries(15):
        client.get("/plans/", {"q": "报告"})
    with django_assert_max_num_queries(15):
        client.get("/plans/roles/guard/")


def test_an_administrator_revises_a_plan_in_the_pages(client, branch_duty, some_plan):
    client.force_login(branch_duty.user)
    client.post(f"/plans/p/{some_plan.code}/revise/")
    draft = PlanVersion.objects.get(plan=some_plan, status=VersionStatus.DRAFT)
    client.post(
        f"/plans/p/{some_plan.code}/v{draft.number}/steps/add/",
        {"action": "向分行办公室书面报告", "position": "outlet_head", "timing": "within", "minutes": 60},
    )
    added = draft.steps.order_by("order").last()
    assert (added.action, added.minutes) == ("向分行办公室书面报告", 60)
    client.post(f"/plans/p/{some_plan.code}/v{draft.number}/steps/{added.pk}/move/", {"direction": "up"})
    added.refresh_from_db()
    assert added.order == draft.steps.count() - 1
    client.post(f"/plans/p/{some_plan.code}/v{draft.number}/submit/")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.IN_REVIEW
    diff = client.get(f"/plans/p/{some_plan.code}/diff/", {"old": draft.number - 1, "new": draft.number})
    assert "向分行办公室书面报告" in diff.content.decode()


def test_staff_cannot_see_drafts_or_edit(client, hexie_lobby, branch_duty, some_plan):
    from yingji.core.testing import footprint
    from yingji.plans import services

    draft = services.start_revision(actor=branch_duty.user, plan=some_plan)
    client.force_login(hexie_lobby.user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    before = footprint()
    assert (
        client.post(
            f"/plans/p/{some_plan.code}/v{draft.number}/steps/add/",
            {"action": "x", "position": "guard", "timing": "immediate"},
        ).status_code
        == 403
    )
    assert footprint() == before


def test_a_plan_names_its_source_document_and_section_never_a_file(client, hexie_lobby, library):
    client.force_login(hexie_lobby.user)
    page = client.get("/plans/p/outlet-service-customer-injured/").content.decode()
    assert "《和谐支行积极开展三季度突发事件应急演练，筑牢金融服务安全防线》场景一，客户意外受伤" in page
    assert ".txt" not in page and "000_" not in page


def test_an_inferred_position_is_marked_and_explained(client, hexie_lobby, library):
    client.force_login(hexie_lobby.user)
    page = client.get("/plans/p/outlet-service-customer-injured/").content.decode()
    assert "（推定）" not in page
    assert 'title="原文未写明岗位，按本行岗位设置推定。"' in page
    assert '<p class="yj-muted small" id="inferred-legend">' in page


def test_a_plan_shows_its_leading_group_working_groups_and_who_approves_termination(
    client, hexie_lobby, library
):
    client.force_login(hexie_lobby.user)
    page = client.get("/plans/p/outlet-major-complaint/").content.decode()
    assert "<strong>组长</strong>：行领导" in page
    for group in approved("outlet-major-complaint").groups:
        assert group["name"] in page and group["duties"] in page
    assert "原文未写明批准人：由本事件领导小组组长和上级单位的应急管理员批准。" in page
    page = client.get("/plans/p/cc-major-complaint/").content.decode()
    assert '总行办公室 <span class="yj-muted">（总行的应急管理员）</span>' in page
    assert '紧急事件应急处置领导小组 <span class="yj-muted">（本事件领导小组组长）</span>' in page


def test_the_history_never_offers_to_compare_a_version_with_itself(client, branch_duty, some_plan):
    client.force_login(branch_duty.user)
    assert "/diff/" not in client.get(some_plan.get_absolute_url()).content.decode()
    client.post(f"/plans/p/{some_plan.code}/revise/")
    draft = PlanVersion.objects.get(plan=some_plan, status=VersionStatus.DRAFT)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f"diff/?old={draft.number - 1}&amp;new={draft.number}" in page
    assert page.count("/diff/") == 1
    same = client.get(f"/plans/p/{some_plan.code}/diff/", {"old": draft.number, "new": draft.number})
    assert same.status_code == 302 and same["Location"] == draft.get_absolute_url()


def test_the_library_tells_the_banks_own_level_rules_from_the_documents(client, hexie_lobby, library):
    from yingji.plans.models import LevelRule

    client.force_login(hexie_lobby.user)
    page = client.get("/plans/").content.decode()
    rules = page[page.index('id="level-rules"') :]
    assert rules.count("本行设定</span>") == LevelRule.objects.filter(bank_own=True).count() > 0
    assert LevelRule.objects.get(code="system-many-outlets-i").source in rules
    assert "业务系统中断超过2小时" not in rules and "媒体或自媒体已曝光" not in rules
