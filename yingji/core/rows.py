"""Hand-written SQL for the few reads on the surge path, with the models' own columns and instances.

The ORM compiles a query on every call: ~0.5 ms of CPU for a three-table join, which is most of what
an API request spends before its view runs. A statement written once from the models' metadata costs
nothing to build, and `from_db` gives the same instances the ORM would, so the callers do not change."""

from django.db import connection
from django.db.models import Model


def columns(model: type[Model], alias: str) -> str:
    """The select list of every concrete column of `model` under `alias`, in field order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{quote(alias)}.{quote(f.column)}" for f in model._meta.concrete_fields)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def instance[M: Model](model: type[M], row: tuple, start: int = 0) -> tuple[M, int]:
    """The instance built from `row[start:]` (as `columns` listed them), and where the next one starts."""
    names = [f.attname for f in model._meta.concrete_fields]
    end = start + len(names)
    return model.from_db(connection.alias, names, row[start:end]), end


def one(sql: str, params: list | tuple = ()) -> tuple | None:
    """The first row of a hand-written statement, or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def every(sql: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run(sql: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
