"""The demo bank's annual plan (issue 21's demo): 江南分行's security work plan for the current year,
drawn up by its 应急管理员 吴分值 in February, approved by 行长 钱江南, and worked through the year with
the evidence each task requires: most tasks done on time, the employees' responsibility letters signed
a week late, and the year's inspections (开展安全检查) still open past its due date, one inspection
linked. Called by `load_demo` after the bank, its people and its inspection exist; twice adds nothing."""

from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation

from yingji.core import clock
from yingji.core.documents import new_document, to_bytes
from yingji.orgs.models import Person, Unit

from . import evidence, services
from .models import AnnualPlan, EvidenceKind

# Task key → (day done as month, day, the file that shows it, what was done). Not listed: still open.
DONE = {
    "leadership-group": ((3, 3), "关于成立安全保卫创建工作领导小组的通知", "领导小组已成立，行长任组长。"),
    "implementation-plan": ((3, 9), "江南分行创建“平安江南”实施方案", "实施方案经班子会审议通过。"),
    "letters-departments": ((3, 10), "各部室、营业部安全责任书签订汇总", "各部室、营业部均已签订。"),
    "letters-employees": ((3, 17), "员工安全责任书签订汇总", "新入职员工补签，延后一周完成。"),
    "work-plan": ((3, 27), "安保年度工作推进计划", ""),
    "meeting-may": ((5, 21), "5月安全保卫工作专题研究会议纪要", ""),
    "meeting-september": ((9, 24), "9月安全保卫工作专题研究会议纪要", ""),
    "rules": ((10, 29), "安全防范工作规章制度（修订稿）", "修订制度12项。"),
    "year-summary": ((11, 27), "年度安全保卫工作总结", ""),
}


def load_demo_yearplan() -> dict[str, int]:
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _load()


def _at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=clock.SHANGHAI)


def _document(title: str, unit: Unit) -> SimpleUploadedFile:
    doc = new_document(title, unit.name)
    doc.add_paragraph(f"{unit.name}安全保卫工作领导小组办公室")
    return SimpleUploadedFile(f"{title}.docx", to_bytes(doc))


def _load() -> dict[str, int]:
    unit = Unit.objects.filter(code="JN").first()
    admin = Person.objects.filter(user__username="branch_duty").select_related("unit", "user").first()
    president = Person.objects.filter(user__username="jn_president").select_related("unit", "user").first()
    year = clock.local_today().year
    if (
        unit is None
        or admin is None
        or president is None
        or AnnualPlan.objects.filter(unit=unit, year=year).exists()
    ):
        return {"plans": 0}
    with clock.frozen(_at(year, 2, 20)) as frozen:
        plan = services.create_plan(actor=admin, unit=unit, year=year)
        services.submit_plan(actor=admin, plan=plan)
        frozen.advance(days=5)
        services.approve_plan(actor=president, plan=plan)
    plan.refresh_from_db()
    for task in plan.tasks.select_related("template", "owner_unit", "owner_position", "plan__unit"):
        key = task.template.key if task.template else ""
        if key not in DONE:
            continue
        (month, day), title, note = DONE[key]
        with clock.frozen(_at(year, month, day)):
            evidence.add_file(actor=admin, task=task, upload=_document(title, unit))
            services.complete_task(actor=admin, task=task, note=note)
    # The year's inspections: one linked, the task still open past its due date.
    open_task = plan.tasks.filter(evidence_kind=EvidenceKind.INSPECTION).first()
    if open_task is not None:
        found = evidence.candidates(viewer=admin.user, task=open_task, kind=EvidenceKind.INSPECTION)
        if found:
            evidence.link_record(
                actor=admin, task=open_task, kind=EvidenceKind.INSPECTION, record_id=found[0][0]
            )
    return {"plans": 1}
