"""A task's evidence: files uploaded (checked by their content, not their name, with the security
year's upload checks in `yingji.security.uploads`; types, size and count are the bank's settings) and
links to records of the product that show the work was done (an inspection, a drill) of the plan's unit
or a unit below it, in the plan's year. A refused upload or link leaves nothing behind."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput
from yingji.orgs import visibility
from yingji.orgs.models import Person
from yingji.security import uploads

from .models import EvidenceFile, EvidenceKind, EvidenceLink, PlanTask
from .services import require_workable

MAX_NAME = 120


def folder() -> Path:
    return Path(settings.VAR_DIR) / "uploads" / "yearplan"


def path_of(found: EvidenceFile) -> Path:
    return folder() / found.stored_name


def add_file(*, actor: Person, task: PlanTask, upload: UploadedFile) -> EvidenceFile:
    require_workable(actor, task)
    limit = int(settings.YINGJI_YEARPLAN_FILES_PER_TASK)
    if task.files.count() >= limit:
        raise InvalidInput(
            _("At most %(n)s files per task (set by the bank).") % {"n": limit}, fields={"file": ""}
        )
    found = uploads.checked(
        upload,
        kinds=settings.YINGJI_YEARPLAN_FILE_TYPES,
        max_mb=settings.YINGJI_YEARPLAN_FILE_MAX_MB,
        what=_("evidence file"),
        field="file",
    )
    shown = uploads.shown_name(upload, found, max_length=MAX_NAME, field="file")

    def save(name: str) -> EvidenceFile:
        row = EvidenceFile.objects.create(
            task=task,
            stored_name=name,
            name=shown,
            content_type=found.content_type,
            size=len(found.data),
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        audit.record(
            actor=actor.user,
            action="yearplan.add_file",
            obj=task.plan,
            data={"text": f"{task.title}：{shown}"},
        )
        return row

    return uploads.keep(found, folder(), save)


def candidates(*, viewer, task: PlanTask, kind: str) -> list[tuple[int, str, str]]:
    """Records of `kind` the task may link: (id, label, url), of the plan's unit and below, in its year,
    that the viewer sees; newest first."""
    plan = task.plan
    if kind == EvidenceKind.INSPECTION:
        from yingji.security.models import Inspection

        rows = visibility.visible(Inspection.objects.select_related("unit"), viewer).filter(
            unit__path__startswith=plan.unit.path, started_at__year=plan.year
        )
        return [
            (i.pk, _inspection_label(i), i.get_absolute_url()) for i in rows.order_by("-started_at")[:200]
        ]
    if kind == EvidenceKind.DRILL:
        from yingji.drills.models import Drill

        rows = visibility.visible(Drill.objects.select_related("unit"), viewer).filter(
            unit__path__startswith=plan.unit.path, created_at__year=plan.year
        )
        return [
            (d.pk, f"{d.unit.name} · {d.title}", d.get_absolute_url())
            for d in rows.order_by("-created_at")[:200]
        ]
    return []


def _inspection_label(inspection) -> str:
    return _("Security inspection #%(n)s of %(unit)s (%(day)s)") % {
        "n": inspection.pk,
        "unit": inspection.unit.name,
        "day": inspection.started_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d"),
    }


def link_record(*, actor: Person, task: PlanTask, kind: str, record_id: int | None) -> EvidenceLink:
    require_workable(actor, task)
    if kind not in (EvidenceKind.INSPECTION, EvidenceKind.DRILL):
        raise InvalidInput(_("Choose an inspection or a drill to link."), fields={"record": ""})
    found = {pk: (label, url) for pk, label, url in candidates(viewer=actor.user, task=task, kind=kind)}
    if record_id is None or record_id not in found:
        raise InvalidInput(
            _("Choose a record of the plan's unit or a unit below it, from the plan's year."),
            fields={
                "record": _("Choose a record of the plan's unit or a unit below it, from the plan's year.")
            },
        )
    if task.links.filter(kind=kind, record_id=record_id).exists():
        raise InvalidInput(_("This record is linked already."), fields={"record": ""})
    label, url = found[record_id]
    with transaction.atomic():
        link = EvidenceLink.objects.create(
            task=task,
            kind=kind,
            record_id=record_id,
            label=label[:200],
            url=url,
            linked_by=actor,
            linked_at=clock.now(),
        )
        audit.record(
            actor=actor.user,
            action="yearplan.link_record",
            obj=task.plan,
            data={"text": f"{task.title}：{label}"},
        )
    return link
