"""The background job of a long Excel import: check every row, then write all or nothing, counting on
the ImportRun how far it got so the status page can draw a progress bar."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.errors import InvalidTransition
from yingji.core.jobs import job
from yingji.core.transitions import transition

from . import imports
from .models import ImportRun

Status = ImportRun.Status


class Progress:
    """Counts rows done on the run, about fifty times per phase.

    While rows are checked no transaction is open, so each count commits and the status page sees it.
    While they are written, the import's one transaction hides everything until it commits; on
    PostgreSQL the count then goes through a second connection of its own. SQLite allows one writer
    at a time, so there the bar waits at "importing" until the end."""

    def __init__(self, run: ImportRun, total: int, *, in_transaction: bool = False):
        self.run_id, self.total, self.every = run.pk, total, max(1, total // 50)
        self.side = None
        if in_transaction and connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        self.enabled = not in_transaction or self.side is not None

    def __call__(self, done: int) -> None:
        if not self.enabled or (done % self.every and done != self.total):
            return
        if self.side is None:
            ImportRun.objects.filter(pk=self.run_id).update(processed=done)
            return
        table = self.side.ops.quote_name(ImportRun._meta.db_table)
        with self.side.cursor() as cursor:  # autocommit: visible at once, holds no lock afterwards
            cursor.execute(f"UPDATE {table} SET processed = %s WHERE id = %s", [done, self.run_id])

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


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
    try:
        with transaction.atomic():
            transition(run, target, table=ImportRun.TRANSITIONS)
            if fields:
                ImportRun.objects.filter(pk=run.pk).update(**fields)
    except InvalidTransition:
        return False
    return True


def _fail(run: ImportRun, errors: list[imports.RowError]) -> None:
    """Nothing was written (the import's transaction rolled back, or never began): keep the reasons
    for the status page and let the file go."""
    _move(run, Status.FAILED, errors=[e.as_dict() for e in errors], finished_at=clock.now(), content=b"")
