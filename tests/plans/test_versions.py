"""A plan changes only through a new version: draft → in review → approved by a second person →
the old version superseded. Only an approved version can be activated."""

import pytest
from django.contrib.auth.models import User

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.core.testing import footprint
from yingji.plans import services
from yingji.plans.models import Plan, PlanVersion, VersionStatus
from yingji.plans.selectors import diff_versions

S = VersionStatus


@pytest.fixture
def plan(library) -> Plan:
    return (
        Plan.objects.get(code="outlet-queue-machine-failure")
        if Plan.objects.filter(code="outlet-queue-machine-failure").exists()
        else Plan.objects.order_by("sort_order").first()
    )


def test_activating_a_draft_is_refused(plan, branch_duty):
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    with pytest.raises(InvalidTransition, match="只有已批准"):
        services.ensure_activatable(draft)
    services.ensure_activatable(plan.versions.get(status=S.APPROVED))


def test_a_revision_copies_the_approved_steps(plan, branch_duty):
    approved = plan.versions.get(status=S.APPROVED)
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    assert [s.action for s in draft.steps.all()] == [s.action for s in approved.steps.all()]
    assert draft.number == approved.number + 1 and draft.status == S.DRAFT


def test_only_one_open_version_at_a_time(plan, branch_duty):
    services.start_revision(actor=branch_duty.user, plan=plan)
    before = footprint()
    with pytest.raises(InvalidInput):
        services.start_revision(actor=branch_duty.user, plan=plan)
    assert footprint() == before


def test_the_whole_review_supersedes_the_old_version(plan, branch_duty, hq_duty):
    old = plan.versions.get(status=S.APPROVED)
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    services.add_step(
        actor=branch_duty.user,
        version=draft,
        action="事后向分行报告处置结果",
        position="outlet_head",
        timing="follow_up",
    )
    services.submit_for_review(actor=branch_duty.user, version=draft)
    approved = services.approve(actor=hq_duty.user, version=draft)
    old.refresh_from_db()
    assert (approved.status, old.status) == (S.APPROVED, S.SUPERSEDED)
    assert approved.approved_by_name == "周应急" and approved.approved_at is not None
    assert AuditEntry.objects.filter(action="plan_version.approve", object_id=str(draft.pk)).exists()
    diff = diff_versions(old, approved)
    assert diff["added"] == 1 and "事后向分行报告处置结果" in [
        line.text.split(" · ")[0] for line in diff["lines"]
    ]


def test_the_submitter_cannot_approve_their_own_version(plan, hq_duty):
    draft = services.start_revision(actor=hq_duty.user, plan=plan)
    services.submit_for_review(actor=hq_duty.user, version=draft)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.approve(actor=hq_duty.user, version=draft)
    assert footprint() == before


def test_a_branch_administrator_cannot_approve(plan, branch_duty, hq_duty):
    draft = services.start_revision(actor=hq_duty.user, plan=plan)
    services.submit_for_review(actor=hq_duty.user, version=draft)
    with pytest.raises(NotAllowed):
        services.approve(actor=branch_duty.user, version=draft)


@pytest.mark.parametrize(
    "status, action",
    [
        (S.DRAFT, "approve"),
        (S.APPROVED, "submit"),
        (S.SUPERSEDED, "approve"),
        (S.APPROVED, "approve"),
    ],
)
def test_refused_transitions_change_nothing(plan, hq_duty, status, action, django_user_model):
    version = plan.versions.get(status=S.APPROVED)
    if status != S.APPROVED:
        draft = services.start_revision(actor=hq_duty.user, plan=plan)
        if status == S.SUPERSEDED:
            PlanVersion.objects.filter(pk=draft.pk).update(status=S.SUPERSEDED)
        version = PlanVersion.objects.get(pk=draft.pk)
    approver = User.objects.get(username="admin")
    before = footprint()
    with pytest.raises(InvalidTransition):
        if action == "approve":
            services.approve(actor=approver, version=version)
        else:
            services.submit_for_review(actor=hq_duty.user, version=version)
    assert footprint() == before


def test_an_approved_version_cannot_be_edited(plan, hq_duty):
    approved = plan.versions.get(status=S.APPROVED)
    before = footprint()
    with pytest.raises(InvalidTransition):
        services.add_step(actor=hq_duty.user, version=approved, action="x", position="guard")
    assert footprint() == before


def test_a_lobby_manager_cannot_start_a_revision(plan, hexie_lobby):
    before = footprint()
    with pytest.raises(NotAllowed):
        services.start_revision(actor=hexie_lobby.user, plan=plan)
    assert footprint() == before


def test_steps_are_reordered_and_removed_in_the_draft(plan, hq_duty):
    draft = services.start_revision(actor=hq_duty.user, plan=plan)
    first, second = list(draft.steps.all())[:2]
    services.move_step(actor=hq_duty.user, step=second, offset=-1)
    assert [s.pk for s in draft.steps.order_by("order")][:2] == [second.pk, first.pk]
    count = draft.steps.count()
    services.delete_step(actor=hq_duty.user, step=first)
    assert list(draft.steps.order_by("order").values_list("order", flat=True)) == list(range(1, count))


def test_a_step_needs_its_minutes_and_conditions(plan, hq_duty):
    draft = services.start_revision(actor=hq_duty.user, plan=plan)
    with pytest.raises(InvalidInput) as refusal:
        services.add_step(
            actor=hq_duty.user, version=draft, action="报告", position="nobody", timing="within"
        )
    assert set(refusal.value.fields) == {"position", "minutes"}


@pytest.fixture
def organised(library) -> Plan:
    return Plan.objects.get(code="outlet-major-complaint")


def test_a_revision_copies_the_groups_the_leadership_and_who_approves_termination(branch_duty):
    plan = Plan.objects.get(code="cc-major-complaint")
    approved = plan.versions.get(status=S.APPROVED)
    draft = services.start_revision(actor=branch_duty.user, plan=plan)
    for field in ("groups", "leadership", "termination_approvers", "termination", "contacts"):
        assert getattr(draft, field) == getattr(approved, field), field
    assert [s.group for s in draft.steps.all()] == [s.group for s in approved.steps.all()]
    assert any(s.group for s in draft.steps.all())


def test_working_groups_are_edited_as_lines_and_keep_their_leaders(organised, branch_duty):
    from yingji.plans.structure import groups_as_lines, groups_from_lines

    draft = services.start_revision(actor=branch_duty.user, plan=organised)
    draft.groups[0]["leader_position"] = "consumer_protection"
    PlanVersion.objects.filter(pk=draft.pk).update(groups=draft.groups)
    lines = groups_as_lines(draft.groups) + "\n后勤保障小组：负责车辆和物资"
    groups = groups_from_lines(lines, before=draft.groups)
    services.update_version(
        actor=branch_duty.user,
        version=draft,
        title=draft.title,
        principles="",
        termination="",
        change_note="增设后勤保障小组",
        groups=groups,
    )
    draft.refresh_from_db()
    assert draft.groups[0]["leader_position"] == "consumer_protection"
    assert draft.groups[-1] == {"name": "后勤保障小组", "leader_position": "", "duties": "负责车辆和物资"}
    step = services.add_step(
        actor=branch_duty.user, version=draft, action="调派车辆", position="dept_head", group="后勤保障小组"
    )
    assert step.group == "后勤保障小组"


def test_a_group_a_step_belongs_to_cannot_be_taken_away(organised, branch_duty):
    draft = services.start_revision(actor=branch_duty.user, plan=organised)
    kept = [g for g in draft.groups if g["name"] != "客户安抚小组"]
    before = footprint()
    with pytest.raises(InvalidInput, match="客户安抚小组"):
        services.update_version(
            actor=branch_duty.user,
            version=draft,
            title=draft.title,
            principles="",
            termination="",
            change_note="",
            groups=kept,
        )
    assert footprint() == before
    draft.refresh_from_db()
    assert len(draft.groups) == 4


def test_a_step_names_only_a_working_group_of_its_plan(organised, branch_duty):
    draft = services.start_revision(actor=branch_duty.user, plan=organised)
    before = footprint()
    with pytest.raises(InvalidInput) as refusal:
        services.add_step(
            actor=branch_duty.user, version=draft, action="x", position="guard", group="不存在的小组"
        )
    assert set(refusal.value.fields) == {"group"}
    assert footprint() == before


def test_an_administrator_edits_the_groups_and_a_steps_group_in_the_pages(client, organised, branch_duty):
    client.force_login(branch_duty.user)
    client.post(f"/plans/p/{organised.code}/revise/")
    draft = PlanVersion.objects.get(plan=organised, status=S.DRAFT)
    form = client.get(f"/plans/p/{organised.code}/v{draft.number}/edit/").content.decode()
    assert "综合协调小组：负责与客户进行沟通" in form
    lines = "\n".join(f"{g['name']}：{g['duties']}" for g in draft.groups) + "\n后勤保障小组：负责车辆"
    client.post(
        f"/plans/p/{organised.code}/v{draft.number}/edit/",
        {"title": draft.title, "principles": "", "termination": "", "change_note": "", "groups": lines},
    )
    draft.refresh_from_db()
    assert draft.groups[-1]["name"] == "后勤保障小组"
    step = draft.steps.order_by("order").first()
    client.post(
        f"/plans/p/{organised.code}/v{draft.number}/steps/{step.pk}/edit/",
        {
            "action": step.action,
            "position": step.position.code,
            "timing": step.timing,
            "group": "后勤保障小组",
        },
    )
    step.refresh_from_db()
    assert step.group == "后勤保障小组"
