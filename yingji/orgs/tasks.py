"""The background job of a long Excel import: check every row, then write all or nothing, counting on
the ImportRun how far it got so the status page can draw a progress bar."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.import_runs import RunProgress as Progress
from yingji.core.import_runs import move_run
from yingji.core.jobs import job

from . import imports
from .models import ImportRun

Status = ImportRun.Status


@job(max_attempts=1)
def run_import(run_id: int) -> None:
    """At-least-once: a second delivery finds the run no longer queued and does nothing. Not retried:
    a failure is shown on the status page, and the person uploads the file again."""
    run = ImportRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None or not _move(run, Status.VALIDATING):
        return
    with translation.override(run.language or settings.LANGUAGE_CODE):
        try:
            _import(run)
        except Exception:
            _fail(run, [imports.RowError(None, "", _("The import stopped on an unexpected error."))])
            raise


def _import(run: ImportRun) -> None:
    actor = run.created_by
    if not imports.may_import(actor):
        return _fail(run, [imports.RowError(None, "", _("Only an emergency administrator can import."))])
    sheet, errors = imports.read_workbook(run.kind, bytes(run.content))
    if sheet is None:
        return _fail(run, errors)
    plan, errors = imports.check(actor=actor, sheet=sheet, on_row=Progress(run, len(sheet.rows)))
    if errors:
        return _fail(run, errors)
    _move(run, Status.IMPORTING, processed=0, total=len(plan))
    progress = Progress(run, len(plan), in_transaction=True)
    try:
        result = imports.commit(
            actor=actor, kind=run.kind, plan=plan, file_name=run.file_name, run=run, on_row=progress
        )
    finally:
        progress.close()
    if result.errors:
        _fail(run, result.errors)


def _move(run: ImportRun, target: str, **fields) -> bool:
    return move_run(run, target, table=ImportRun.TRANSITIONS, **fields)


def _fail(run: ImportRun, errors: list[imports.RowError]) -> None:
    """Nothing was written (the import's transaction rolled back, or never began): keep the reasons
    for the status page and let the file go."""
    _move(run, Status.FAILED, errors=[e.as_dict() for e in errors], finished_at=clock.now(), content=b"")
