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
