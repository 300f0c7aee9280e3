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
