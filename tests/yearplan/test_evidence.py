"""A task is done only with the evidence its template requires: a file checked by its content, or a
link to a record of the product (the year's inspections). A refusal says why in Chinese and leaves
nothing behind."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint
from yingji.deadlines.models import Deadline
from yingji.security import checklists
from yingji.security import services as inspections
from yingji.security.models import Result
from yingji.yearplan import evidence, services
from yingji.yearplan.models import EvidenceFile, PlanTask, TaskStatus

from .conftest import pdf, task_of


def test_a_meeting_cannot_be_marked_held_without_its_minutes(approved, jn_president):
    task = task_of(approved, "meeting-may")
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.complete_task(actor=jn_president, task=task, note="已开会")
    assert refused.value.message == "请先上传佐证材料（会议纪要）：没有佐证材料，该任务不能办结。"
    assert footprint() == before
    assert PlanTask.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_with_the_minutes_uploaded_the_president_marks_the_meeting_held(approved, jn_president, now):
    task = task_of(approved, "meeting-may")
    now.advance(days=85)
    evidence.add_file(actor=jn_president, task=task, upload=pdf("5月专题会议纪要.pdf"))
    services.complete_task(actor=jn_president, task=task, note="领导班子和保卫部参加。")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and not task.done_late and task.done_by == jn_president
    assert Deadline.objects.get(subject_type="yearplan.task", subject_id=task.pk).met_at is not None
    stored = EvidenceFile.objects.get(task=task)
    assert stored.name == "5月专题会议纪要.pdf" and evidence.path_of(stored).read_bytes().startswith(b"%PDF-")


def test_a_program_renamed_to_pdf_is_refused_by_its_content_and_nothing_is_kept(
    approved, jn_president, tmp_path
):
    task = task_of(approved, "meeting-may")
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        evidence.add_file(
            actor=jn_president, task=task, upload=SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00" * 50)
        )
    assert "file" in refused.value.fields
    assert footprint() == before
    assert not (tmp_path / "uploads" / "yearplan").exists() or not any(
        (tmp_path / "uploads" / "yearplan").iterdir()
    )


def test_a_file_over_the_banks_size_limit_is_refused(approved, jn_president, settings):
    settings.YINGJI_YEARPLAN_FILE_MAX_MB = 1
    task = task_of(approved, "meeting-may")
    big = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    before = footprint()
    with pytest.raises(InvalidInput):
        evidence.add_file(actor=jn_president, task=task, upload=big)
    assert footprint() == before


def test_someone_who_neither_owns_the_task_nor_draws_up_the_plan_cannot_add_evidence(approved, jn_consumer):
    # 彭消保 works at 江南分行 but the task is owned by its 行长.
    task = task_of(approved, "meeting-may")
    before = footprint()
    with pytest.raises(NotAllowed):
        evidence.add_file(actor=jn_consumer, task=task, upload=pdf())
    assert footprint() == before


def test_no_evidence_is_taken_before_the_plan_is_approved(draft, branch_duty):
    with pytest.raises(InvalidInput) as refused:
        evidence.add_file(actor=branch_duty, task=task_of(draft, "rules"), upload=pdf())
    assert refused.value.message == "计划尚未审批：审批通过后任务才开始。"


def _inspection_of(unit, inspector):
    checklists.load()
    inspection = inspections.start_inspection(actor=inspector, unit=unit)
    for result in inspection.results.all():
        result.inspection = inspection
        inspections.record_item(actor=inspector, result=result, outcome=Result.PASS)
    return inspection


def test_the_years_inspections_are_evidenced_by_linking_an_inspection_of_the_branch(
    approved, branch_duty, now
):
    from yingji.orgs.models import Unit

    task = task_of(approved, "inspections")
    with pytest.raises(InvalidInput) as refused:
        services.complete_task(actor=branch_duty, task=task)
    assert refused.value.message == "请先关联佐证记录（本年度的安全检查记录）：没有佐证记录，该任务不能办结。"
    now.advance(days=30)
    inspection = _inspection_of(Unit.objects.get(code="JN0101"), branch_duty)
    found = evidence.candidates(viewer=branch_duty.user, task=task, kind="inspection")
    assert [pk for pk, _label, _url in found] == [inspection.pk]
    evidence.link_record(actor=branch_duty, task=task, kind="inspection", record_id=inspection.pk)
    services.complete_task(actor=branch_duty, task=task)
    assert PlanTask.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_a_sibling_branchs_inspection_cannot_be_linked(approved, branch_duty, chengbei_admin, now):
    from yingji.orgs.models import Unit

    theirs = _inspection_of(Unit.objects.get(code="JB0101"), chengbei_admin)
    task = task_of(approved, "inspections")
    before = footprint()
    with pytest.raises(InvalidInput):
        evidence.link_record(actor=branch_duty, task=task, kind="inspection", record_id=theirs.pk)
    assert footprint() == before


def test_a_task_done_after_its_due_date_is_done_late_and_a_leader_may_open_it_again(
    approved, branch_duty, jn_president, now
):
    task = task_of(approved, "letters-employees")
    now.advance(days=25)  # 17 March, a week after 3/10
    evidence.add_file(actor=branch_duty, task=task, upload=pdf("员工责任书.pdf"))
    services.complete_task(actor=branch_duty, task=task)
    task.refresh_from_db()
    assert task.done_late
    services.reopen_task(actor=jn_president, task=task, reason="缺少新员工的责任书。")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.done_at is None
    clock_ = Deadline.objects.get(subject_type="yearplan.task", subject_id=task.pk)
    assert clock_.met_at is None and clock_.due_at == task.due_at
    now.advance(days=1)
    services.complete_task(actor=branch_duty, task=task)
    assert PlanTask.objects.get(pk=task.pk).done_at > task.due_at + timedelta(days=7)
