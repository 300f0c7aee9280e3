"""Excel batch import of complaints: read the workbook, check every row, then register all or nothing.

The workbook is read through the import engine (`yingji.core.workbook_import`: its limits, headers and
per-row errors). Every error of the whole file is collected as (row as Excel numbers it, column header,
reason) and nothing is registered while any exists. The rows are then registered by the batch service
(`services.register_complaints`: the same number, clocks, record and audit entry each as a complaint
registered at the counter, written in bulk), in one transaction with one more audit entry for the
import itself. The units and categories a file names are looked up once for the whole file.

`start_import` is the page's one call: it keeps the file in an ImportRun and imports a short file at
once, a long one (over IMPORT_JOB_THRESHOLD_ROWS) in the background (`jobs_import`). Both end in
`import_complaints(run=...)`, which moves the run queued → running → done (or failed) and counts
its progress on the run for the status page."""

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.audit import services as audit
from yingji.core import clock, import_runs
from yingji.core import workbook_import as engine
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.inputs import received_time_problem
from yingji.core.jobs import enqueue_on_commit
from yingji.core.transitions import transition
from yingji.core.workbook_import import NOT_XLSX, UNREADABLE, XLSX_SUFFIX, RowError, file_error
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from . import services
from .import_columns import (
    CHANNEL_ALIASES,
    CHANNEL_NAMES,
    COLUMNS,
    HEADERS,
    KIND_ALIASES,
    KIND_NAMES,
    MAJOR_NAMES,
)
from .models import Category, Channel, Complaint, ImportRun, Kind, MajorCause
from .services import intake

__all__ = [
    "CHANNEL_NAMES",
    "COLUMNS",
    "HEADERS",
    "KIND_NAMES",
    "MAJOR_NAMES",
    "NOT_XLSX",
    "UNREADABLE",
    "XLSX_SUFFIX",
    "RowError",
]
NOTES_SHEET = "说明"  # the template's second sheet: every column, and the channels, kinds and categories

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
OFFSET_TIME = re.compile(r"[+-]\d{2}:?\d{2}$|Z$")

# Reasons shown per row; a lazy msgid formatted with % in the language of the request.
UNKNOWN_UNIT = gettext_lazy("Unknown unit code “%(code)s”: it must be a unit you see.")
UNKNOWN_VALUE = gettext_lazy("“%(value)s” is not one of %(names)s.")
UNKNOWN_CATEGORY = gettext_lazy("Unknown category “%(value)s”; the sheet %(sheet)s lists them all.")
BAD_TIME = gettext_lazy("“%(value)s” is not a time: write it as 2026-03-02 09:30 (Beijing time).")
BAD_COUNT = gettext_lazy("Write a whole number of at least 1.")
NO_PERSON = gettext_lazy("Only staff with a unit can import complaints.")


class _RowFailed(Exception):
    def __init__(self, error: RowError):
        self.error = error


def may_import(user) -> bool:
    """Anyone who registers complaints: a person with a unit. Each row's unit must be one they see."""
    return visibility.person_of(user) is not None


def read_workbook(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """The first sheet's rows as {field: value}, or why the file cannot be read at all. Times stay as
    Excel gives them (a datetime, or text) for the check to read."""
    return engine.read(data, COLUMNS)


# --- Checking ---------------------------------------------------------------------------------------


def _visible_units(user: User, codes: Iterable[str]) -> dict[str, Unit]:
    """Units named in the file that the uploader sees; any other code is answered as unknown, as if it
    did not exist, so the import is no way to learn another branch's codes."""
    units = visibility.visible_units(user).filter(is_active=True)
    return {u.code: u for chunk in engine.chunks(set(codes)) for u in units.filter(code__in=chunk)}


def _categories() -> dict[str, dict[str, Category]]:
    """By axis: each category under its code and its name."""
    found: dict[str, dict[str, Category]] = {Category.Axis.BUSINESS: {}, Category.Axis.CAUSE: {}}
    for c in Category.objects.all():
        found[c.axis] |= {c.code: c, c.name: c}
    return found


def _choice(value: str, names: dict[str, str], aliases: dict[str, str], codes: list[str]) -> str | None:
    return (
        names.get(value)
        or aliases.get(value)
        or (value if value in codes else None)
        or (value.lower() if value.lower() in codes else None)
    )


def _time(value: Any) -> datetime | None:
    """A cell as Excel holds a date and time, or text: Beijing time unless it carries its offset."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=clock.SHANGHAI) if timezone.is_naive(value) else value
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=clock.SHANGHAI)
    text = engine.text(value)
    if OFFSET_TIME.search(text):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=clock.SHANGHAI)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=clock.SHANGHAI) if timezone.is_naive(parsed) else parsed


class _Lookups:
    """What the rows of one file are checked against, read once for the whole file."""

    def __init__(self, actor: Person, texts: list[dict[str, str]]):
        codes = {t[f] for t in texts for f in ("unit", "subject_unit") if t.get(f)}
        self.units = _visible_units(actor.user, codes)
        self.categories = _categories()
        self.channels, self.kinds = ", ".join(CHANNEL_NAMES), ", ".join(KIND_NAMES)


def _check_row(row: engine.RowCheck, raw: dict[str, Any], actor: Person, known: _Lookups) -> dict | None:
    """One row: its errors go to `row`; the complaint to register if it has none. The first reason
    given for a column is the one shown."""
    v = row.values

    def refuse(field: str, reason: Any) -> None:
        row.error(field, reason, unless_said=True)

    channel = _choice(v["channel"], CHANNEL_NAMES, CHANNEL_ALIASES, Channel.values)
    if v["channel"] and channel is None:
        refuse("channel", UNKNOWN_VALUE % {"value": v["channel"], "names": known.channels})
    kind = _choice(v["kind"], KIND_NAMES, KIND_ALIASES, Kind.values) if v["kind"] else Kind.PROBLEM
    if kind is None:
        refuse("kind", UNKNOWN_VALUE % {"value": v["kind"], "names": known.kinds})
    major = _choice(v["major_cause"], MAJOR_NAMES, {}, MajorCause.values) if v["major_cause"] else ""
    if major is None:
        refuse("major_cause", UNKNOWN_VALUE % {"value": v["major_cause"], "names": ", ".join(MAJOR_NAMES)})
    received_at = _time(raw.get("received_at")) if v["received_at"] else None
    if v["received_at"] and received_at is None:
        refuse("received_at", BAD_TIME % {"value": v["received_at"]})
    elif received_at is not None and (problem := received_time_problem(received_at)):
        refuse("received_at", problem)
    unit, subject_unit = known.units.get(v["unit"]), known.units.get(v["subject_unit"])
    for field, found in (("unit", unit), ("subject_unit", subject_unit)):
        if v[field] and found is None:
            refuse(field, UNKNOWN_UNIT % {"code": v[field]})
    categories: dict[str, Category | None] = {}
    for field in ("business", "cause"):
        categories[field] = known.categories[field].get(v[field]) if v[field] else None
        if v[field] and categories[field] is None:
            refuse(field, UNKNOWN_CATEGORY % {"value": v[field], "sheet": NOTES_SHEET})
    joint_count = 1
    if v["joint_count"]:
        try:
            joint_count = int(v["joint_count"])
        except ValueError:
            joint_count = 0
    if joint_count < 1:
        refuse("joint_count", BAD_COUNT)
    fields = {
        "channel": channel or Channel.OTHER,
        "received_at": received_at or clock.now(),
        "customer_name": v["customer_name"] or "-",
        "customer_phone": v["customer_phone"],
        "customer_id_number": v["customer_id_number"].upper(),
        "content": v["content"] or "-",
        "kind": kind or Kind.PROBLEM,
        "joint_count": max(joint_count, 1),
        "major_cause": major or "",
        "business": categories["business"],
        "cause": categories["cause"],
        "subject_unit": subject_unit,
    }
    # The register's own rules, on what could be read (the service checks them again).
    for field, reason in intake.validate(**fields, staff_complained=None, receiver=actor).items():
        refuse(field, reason)
    if not row.ok:
        return None
    return {
        **fields,
        "row": row.number,
        "unit": unit,
        "customer_id_number": v["customer_id_number"],
        "request": v["request"],
        "staff_complained_name": v["staff_complained_name"],
    }


def check(
    *, actor: Person, rows: list[tuple[int, dict[str, Any]]], on_row: engine.Progress | None = None
) -> tuple[list[dict], list[RowError]]:
    """Every row checked against the file and the database: the rows ready to register, and every
    error. The rules of the register itself are the service's own (`intake.validate`)."""
    on_row = on_row or (lambda n: None)
    texts = [{c.field: engine.text(row.get(c.field)) for c in COLUMNS} for _n, row in rows]
    known = _Lookups(actor, texts)
    plan: list[dict] = []
    errors: list[RowError] = []
    for done, ((number, raw), v) in enumerate(zip(rows, texts, strict=True), start=1):
        if (ready := _check_row(engine.RowCheck(number, v, COLUMNS, errors), raw, actor, known)) is not None:
            plan.append(ready)
        on_row(done)
    return plan, errors


# --- The run ----------------------------------------------------------------------------------------


def start_import(*, actor: User, upload: UploadedFile) -> tuple[ImportRun | None, list[RowError]]:
    """The import page's one call. A file that is no workbook, is over the limits, or is short and has
    any error is refused here with its errors and leaves nothing behind; any other file becomes an
    ImportRun, imported now when short and in the background when long (its errors are then shown on
    the run's page). Here only the rows up to the threshold are read: a long file is left to the job
    as soon as it is known to be long."""
    person = visibility.person_of(actor)
    if person is None:
        raise NotAllowed(str(NO_PERSON))
    if refused := engine.refuse_upload(upload):
        return None, [refused]
    data = upload.read()
    rows, errors = engine.read(data, COLUMNS, peek=settings.IMPORT_JOB_THRESHOLD_ROWS)
    if errors:
        return None, errors
    short = len(rows) <= settings.IMPORT_JOB_THRESHOLD_ROWS
    if short and (errors := check(actor=person, rows=rows)[1]):
        return None, errors  # shown on the upload page; nothing is kept
    run = ImportRun.objects.create(
        file_name=(upload.name or "")[-200:],
        content=data,
        total=len(rows),
        created_by=actor,
        unit=person.unit,
        created_at=clock.now(),
    )
    if not short:
        from .jobs_import import run_complaint_import

        enqueue_on_commit(run_complaint_import, run_id=run.pk)
        return run, []
    return import_complaints(run=run), []


def import_complaints(*, run: ImportRun) -> ImportRun:
    """Check every row of the run's file, then register them all in one transaction or none. Runs once:
    a run no longer queued is answered as it is. Progress goes to `run.processed`: 0 → total while the
    rows are checked, total → 2 × total while they are registered."""
    if not _move(run, ImportRun.Status.RUNNING, expect=ImportRun.Status.QUEUED):
        return ImportRun.objects.get(pk=run.pk)
    actor = Person.objects.select_related("user", "unit").filter(user=run.created_by_id).first()
    if actor is None:
        return fail(run, [file_error(NO_PERSON)])
    rows, errors = read_workbook(bytes(run.content))
    if errors:
        return fail(run, errors)
    total = len(rows)
    ImportRun.objects.filter(pk=run.pk).update(total=total, processed=0)
    plan, errors = check(actor=actor, rows=rows, on_row=import_runs.RunProgress(run, total))
    if errors:
        return fail(run, errors)
    writing = import_runs.RunProgress(run, total, offset=total, in_transaction=True)
    try:
        with transaction.atomic():
            count = _register_rows(actor=actor, plan=plan, on_row=writing)
            transition(run, ImportRun.Status.DONE, table=ImportRun.TRANSITIONS)
            ImportRun.objects.filter(pk=run.pk).update(
                processed=2 * total, created_count=count, finished_at=clock.now(), content=b""
            )
            audit.record(
                actor=actor.user,
                action="complaint.import",
                obj=run,
                unit=actor.unit,
                data={"file": run.file_name, "rows": total, "created": count},
            )
    except _RowFailed as exc:
        return fail(run, [exc.error])
    finally:
        writing.close()
    return ImportRun.objects.get(pk=run.pk)


def _register_rows(*, actor: Person, plan: list[dict], on_row: engine.Progress) -> int:
    """Register every checked row through the batch service: the same number, clocks, record and audit
    entry each as one registered at the counter, written in bulk."""
    rows = [{k: v for k, v in row.items() if k != "row"} for row in plan]
    try:
        services.register_complaints(receiver=actor, rows=rows, on_row=on_row)
    except InvalidInput as exc:
        row = plan[int(exc.fields.pop("row", 0))]
        field = next(iter(exc.fields), "")
        raise _RowFailed(
            RowError(row["row"], HEADERS.get(field, ""), exc.fields.get(field) or exc.message)
        ) from exc
    except DatabaseError as exc:
        reason = _("Someone changed the same records at the same time; import the file again.")
        raise _RowFailed(RowError(None, "", reason)) from exc
    return len(plan)


def _move(run: ImportRun, target: str, expect: str | None = None, **fields: Any) -> bool:
    return import_runs.move_run(run, target, table=ImportRun.TRANSITIONS, expect=expect, **fields)


def fail(run: ImportRun, errors: list[RowError]) -> ImportRun:
    """Nothing was registered (the import's transaction rolled back, or never began): keep the reasons
    for the status page and let the file go."""
    _move(
        run,
        ImportRun.Status.FAILED,
        errors=[e.as_dict() for e in errors],
        finished_at=clock.now(),
        content=b"",
    )
    return ImportRun.objects.get(pk=run.pk)


# --- Reading runs back ------------------------------------------------------------------------------


def run_for(*, viewer: User, pk: int) -> ImportRun:
    """An import as its uploader (or a superuser) sees it; anyone else is told it does not exist."""
    return import_runs.run_for(ImportRun, viewer=viewer, pk=pk)


def created_complaints(*, viewer: User, run: ImportRun, limit: int = 50) -> list[Complaint]:
    """The first complaints the run registered, as the viewer sees them."""
    if run.status != ImportRun.Status.DONE or not run.created_count:
        return []
    from . import selectors

    return list(
        selectors.complaints_for(viewer, receiver__user=run.created_by_id, registered_at__gte=run.created_at)
        .filter(registered_at__lte=run.finished_at)
        .order_by("pk")[:limit]
    )
