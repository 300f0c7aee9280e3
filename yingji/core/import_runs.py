"""An import's run: the row that keeps a long import's file, status and progress while a job works
through it (the complaint and the org imports each have their ImportRun model; this is what they
share)."""

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model

from .errors import InvalidTransition, NotVisible
from .transitions import transition


def move_run(run: Model, target: str, *, table: dict, expect: str | None = None, **fields: Any) -> bool:
    """Move an import's run to `target` through its transition table, with any fields, or say it
    could not (it was no longer where `expect` says)."""
    try:
        with transaction.atomic():
            transition(run, target, table=table, expect={expect} if expect is not None else None)
            if fields:
                type(run).objects.filter(pk=run.pk).update(**fields)  # type: ignore[attr-defined]
    except InvalidTransition:
        return False
    return True


def run_for(model: type[Model], *, viewer: Any, pk: int) -> Any:
    """An import as its uploader (or a superuser) sees it; anyone else is told it does not exist."""
    run = model.objects.defer("content").filter(pk=pk).first()  # type: ignore[attr-defined]
    if run is None or not (run.created_by_id == viewer.pk or viewer.is_superuser):
        raise NotVisible()
    return run


class RunProgress:
    """Counts rows done on an import's run, about fifty times per phase.

    While rows are checked no transaction is open, so each count commits and the status page sees it.
    While they are written, the import's one transaction hides everything until it commits; on
    PostgreSQL the count then goes through a second connection of its own. SQLite allows one writer
    at a time, so there the bar waits at the end of the check until the import commits."""

    def __init__(self, run: Model, total: int, *, offset: int = 0, in_transaction: bool = False):
        self.model, self.run_id, self.total, self.offset = type(run), run.pk, total, offset
        self.every = max(1, total // 50)
        self.side = None
        if in_transaction and connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        self.enabled = not in_transaction or self.side is not None

    def __call__(self, done: int) -> None:
        if not self.enabled or (done % self.every and done != self.total):
            return
        if self.side is None:
            self.model.objects.filter(pk=self.run_id).update(processed=self.offset + done)  # type: ignore[attr-defined]
            return
        table = self.side.ops.quote_name(self.model._meta.db_table)
        with self.side.cursor() as cursor:  # autocommit: visible at once, holds no lock afterwards
            cursor.execute(
                f"UPDATE {table} SET processed = %s WHERE id = %s", [self.offset + done, self.run_id]
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
