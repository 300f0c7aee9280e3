"""The background job of a long Excel import of complaints (see imports.py)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.core.jobs import job

from . import imports
from .models import ImportRun


@job(max_attempts=1)
def run_complaint_import(run_id: int) -> None:
    """At-least-once: a second delivery finds the run no longer queued and does nothing. Not retried:
    a failure is shown on the status page, and the person uploads the file again."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).first()
    if run is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        try:
            imports.import_complaints(run=run)
        except Exception:
            imports.fail(run, [imports.RowError(None, "", _("The import stopped on an unexpected error."))])
            raise


@job
def schedule_deadline_checks(*, complaint_ids: list[int]) -> int:
    """After a bulk import: one check job per imported deadline, at its next checkpoint (the first
    reminder is hours away, so a minute's delay here changes nothing). Safe to run twice: a check
    that finds nothing due does nothing."""
    from yingji.deadlines.models import Deadline
    from yingji.deadlines.tasks import check_deadline

    from .services.common import SUBJECT_TYPE

    count = 0
    for start in range(0, len(complaint_ids), 1000):
        chunk = complaint_ids[start : start + 1000]
        due = Deadline.objects.filter(
            subject_type=SUBJECT_TYPE, subject_id__in=chunk, next_at__isnull=False
        ).values_list("pk", "next_at")
        for deadline_id, next_at in due:
            check_deadline.using(run_after=next_at).enqueue(deadline_id=deadline_id)
            count += 1
    return count
