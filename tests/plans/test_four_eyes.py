"""Four eyes are two people: whoever drafted, edited or submitted a plan version cannot approve it,
superusers included; another head-office 应急管理员 can."""

import pytest
from django.contrib.auth.models import User

from yingji.core.errors import NotAllowed
from yingji.core.testing import footprint
from yingji.orgs import services as orgs
from yingji.orgs.models import Unit
from yingji.plans import services
from yingji.plans.models import Plan, PlanVersion, VersionStatus

S = VersionStatus


@pytest.fixture
def plan(library) -> Plan:
    return Plan.objects.filter(versions__status=S.APPROVED).order_by("sort_order").first()


@pytest.fixture
def second_hq_admin(admin_user):
    """Another 应急管理员 in 总行办公室, beside 周应急 (hq_duty)."""
    return orgs.create_person(
        actor=admin_user,
        unit=Unit.objects.get(code="HQ-BGS"),
        username="hq_duty2",
        name="钱复核",
        mobile="13900000099",
        position_codes=["emergency_admin"],
    ).user


def _refused(actor: User, version: PlanVersion) -> None:
    before = footprint()
    with pytest.raises(NotAllowed) as refusal:
        services.approve(actor=actor, version=version)
    assert "起草" in refusal.value.message
    assert footprint() == before
    version.refresh_from_db()
    assert version.status == S.IN_REVIEW and version.approved_by_id is None


def test_the_drafter_cannot_approve_what_someone_else_submitted(plan, hq_duty, second_hq_admin):
    draft = services.start_revision(actor=hq_duty.user, plan=plan)
    services.submit_for_review(actor=second_hq_admin, version=draft)
    _refused(hq_duty.user, draft)


def test_an_editor_cannot_approve_what_someone_else_drafted_and_submitted(
    plan, hq_duty, branch_duty, second_hq_admin
):
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    services.add_step(
        actor=second_hq_admin, version=draft, action="向总行报告处置结果", position="outlet_head"
    )
    services.submit_for_review(actor=branch_duty.user, version=draft)
    _refused(second_hq_admin, draft)


def test_whoever_changed_the_header_cannot_approve(plan, branch_duty, second_hq_admin):
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    services.update_version(
        actor=second_hq_admin,
        version=draft,
        title=draft.title + "（修订）",
        principles=draft.principles,
        termination=draft.termination,
        change_note="标题加注修订",
    )
    services.submit_for_review(actor=branch_duty.user, version=draft)
    _refused(second_hq_admin, draft)


def test_the_submitter_cannot_approve(plan, branch_duty, hq_duty):
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    services.submit_for_review(actor=hq_duty.user, version=draft)
    _refused(hq_duty.user, draft)


def test_a_superuser_cannot_approve_their_own_revision(plan, admin_user):
    draft = services.start_revision(actor=admin_user, plan=plan)
    services.submit_for_review(actor=admin_user, version=draft)
    _refused(admin_user, draft)


def test_another_head_office_administrator_approves(plan, hq_duty, branch_duty, second_hq_admin):
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    services.add_step(actor=hq_duty.user, version=draft, action="向总行报告处置结果", position="outlet_head")
    services.submit_for_review(actor=branch_duty.user, version=draft)
    approved = services.approve(actor=second_hq_admin, version=draft)
    assert approved.status == S.APPROVED
    assert approved.approved_by_id == second_hq_admin.pk and approved.approved_by_name == "钱复核"


def test_the_refusal_reads_the_same_on_the_page(client, plan, hq_duty, second_hq_admin):
    draft = services.start_revision(actor=hq_duty.user, plan=plan)
    services.submit_for_review(actor=second_hq_admin, version=draft)
    client.force_login(hq_duty.user)
    before = footprint()
    response = client.post(
        f"/plans/p/{plan.code}/v{draft.number}/approve/", follow=True, headers={"accept-language": "zh-hans"}
    )
    assert "起草、修改或提交" in response.content.decode()
    assert footprint() == before


def test_the_plan_page_offers_approval_only_to_a_second_pair_of_eyes(
    client, plan, branch_duty, hq_duty, second_hq_admin
):
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    services.submit_for_review(actor=hq_duty.user, version=draft)
    url = f"/plans/p/{plan.code}/v{draft.number}/"
    client.force_login(hq_duty.user)
    page = client.get(url).content.decode()
    assert "/approve/" not in page and "另一位管理员批准" in page
    client.force_login(second_hq_admin)
    assert "/approve/" in client.get(url).content.decode()
