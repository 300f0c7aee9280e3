"""Excel batch import of complaints: read the workbook, check every row, then register all or nothing.

Every error of the whole file is collected as (row as Excel numbers it, column header, reason) and
nothing is registered while any exists. The rows are then registered by the batch service
(`services.register_complaints`: the same number, clocks, record and audit entry each as a complaint
registered at the counter, written in bulk), in one transaction with one more audit entry for the
import itself. The units and categories a file names are looked up once for the whole file.

`start_import` is the page's one call: it keeps the file in an ImportRun and imports a short file at
once, a long one (over IMPORT_JOB_THRESHOLD_ROWS) in the background (`jobs_import`). Both end in
`import_complaints(run=...)`, which moves the run queued → running → done (or failed) and counts
its progress on the run for the status page."""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from io import BytesIO
from typing import Any

import openpyxl
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from yingji.core.jobs import enqueue_on_commit
from yingji.core.transitions import transition
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from . import services
from .models import (
    Category,
    Channel,
    Complaint,
    ImportRun,
    Kind,
    MajorCause,
)
from .services import intake

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20000
NOTES_SHEET = "说明"  # the template's second sheet: every column, and the channels, kinds and categories
Progress = Callable[[int], None]
XLSX_SUFFIX = ".xlsx"

# What a bank writes in the channel, kind and major-cause columns; the codes are accepted too.
CHANNEL_NAMES: dict[str, str] = {
    "柜面": Channel.COUNTER,
    "客服热线": Channel.HOTLINE,
    "客户救助电话": Channel.AID_PHONE,
    "服务监督电话": Channel.SUPERVISION_PHONE,
    "客户意见簿": Channel.OPINION_BOOK,
    "服务质量监督员": Channel.QUALITY_SUPERVISOR,
    "信函": Channel.LETTER,
    "网站": Channel.WEBSITE,
    "电子银行": Channel.EBANKING,
    "电子邮件": Channel.EMAIL,
    "监管转办": Channel.REGULATOR,
    "媒体": Channel.MEDIA,
    "其他": Channel.OTHER,
}
CHANNEL_ALIASES = {
    "柜台": Channel.COUNTER,
    "热线": Channel.HOTLINE,
    "电话": Channel.HOTLINE,
    "来信": Channel.LETTER,
}
KIND_NAMES: dict[str, str] = {"建议型": Kind.SUGGESTION, "问题型": Kind.PROBLEM, "恶意": Kind.MALICIOUS}
KIND_ALIASES = {
    "建议": Kind.SUGGESTION,
    "问题": Kind.PROBLEM,
    "恶意型": Kind.MALICIOUS,
    "恶意投诉": Kind.MALICIOUS,
}
MAJOR_NAMES: dict[str, str] = {
    "自然灾害": MajorCause.DISASTER,
    "事故": MajorCause.ACCIDENT,
    "公共卫生事件": MajorCause.PUBLIC_HEALTH,
}
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")
OFFSET_TIME = re.compile(r"[+-]\d{2}:?\d{2}$|Z$")

# Reasons shown per row; a lazy msgid formatted with % in the language of the request.
UNKNOWN_UNIT = gettext_lazy("Unknown unit code “%(code)s”: it must be a unit you see.")
UNKNOWN_VALUE = gettext_lazy("“%(value)s” is not one of %(names)s.")
UNKNOWN_CATEGORY = gettext_lazy("Unknown category “%(value)s”; the sheet %(sheet)s lists them all.")
BAD_TIME = gettext_lazy("“%(value)s” is not a time: write it as 2026-03-02 09:30 (Beijing time).")
BAD_COUNT = gettext_lazy("Write a whole number of at least 1.")
TOO_LARGE = gettext_lazy("The file is larger than %(mb)s MB.")
UNREADABLE = gettext_lazy("The file is not an Excel workbook (.xlsx) or cannot be read.")
NOT_XLSX = gettext_lazy("Only Excel workbooks (.xlsx) can be imported.")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    width: int
    example: str
    help: Any  # a lazy msgid
    max_length: int = 0
    as_text: bool = False  # text format in the template, so Excel keeps leading zeros and long numbers


COLUMNS = (
    Column(
        "channel",
        "渠道",
        True,
        12,
        "客服热线",
        gettext_lazy("One of the channels listed below, or its code."),
    ),
    Column(
        "received_at",
        "受理时间",
        True,
        18,
        "2026-03-02 09:30",
        gettext_lazy("Date and time in Beijing time, e.g. 2026-03-02 09:30; not in the future."),
        as_text=True,
    ),
    Column("unit", "受理机构代码", True, 14, "JN0101", gettext_lazy("Code of a unit you see."), 32, True),
    Column("customer_name", "客户姓名", True, 12, "张三", gettext_lazy("Full name."), 50),
    Column(
        "customer_phone",
        "联系电话",
        False,
        16,
        "13800000000",
        gettext_lazy("Optional: 5 to 20 digits."),
        20,
        True,
    ),
    Column(
        "customer_id_number",
        "证件号码",
        False,
        22,
        "",
        gettext_lazy("Optional: an ID card number of 15 or 18 characters."),
        18,
        True,
    ),
    Column(
        "content",
        "投诉内容",
        True,
        40,
        "排队一个多小时无人引导。",
        gettext_lazy("What the customer complains about."),
    ),
    Column("request", "诉求", False, 24, "要求道歉", gettext_lazy("Optional: what the customer asks for.")),
    Column(
        "kind",
        "投诉性质",
        False,
        10,
        "问题型",
        gettext_lazy("建议型, 问题型 or 恶意 (or its code); empty means 问题型."),
    ),
    Column(
        "business",
        "业务类别",
        False,
        16,
        "柜面及网点服务",
        gettext_lazy("Optional: a business type listed below, by name or code."),
    ),
    Column(
        "cause",
        "投诉原因",
        False,
        16,
        "服务态度及服务质量",
        gettext_lazy("Optional: a cause listed below, by name or code."),
    ),
    Column(
        "joint_count",
        "联名人数",
        False,
        10,
        "1",
        gettext_lazy("Optional: how many people complain together; empty means 1."),
    ),
    Column(
        "subject_unit",
        "被投诉机构代码",
        False,
        14,
        "",
        gettext_lazy("Optional: code of the institution complained about, a unit you see."),
        32,
        True,
    ),
    Column(
        "staff_complained_name",
        "被投诉员工",
        False,
        12,
        "",
        gettext_lazy("Optional: name of the staff member complained about."),
        50,
    ),
    Column(
        "major_cause",
        "重大事件起因",
        False,
        14,
        "",
        gettext_lazy("Optional: 自然灾害, 事故 or 公共卫生事件; such a complaint opens an incident."),
    ),
)
HEADERS = {c.field: c.header for c in COLUMNS}


@dataclass(frozen=True)
class RowError:
    row: int | None  # as Excel numbers it; None for the file as a whole
    column: str  # the header, "" for the row or the file
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _RowFailed(Exception):
    def __init__(self, error: RowError):
        self.error = error


def may_import(user) -> bool:
    """Anyone who registers complaints: a person with a unit. Each row's unit must be one they see."""
    return visibility.person_of(user) is not None


# --- Reading ----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number comes back as 13800000000.0
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00")
    return str(value).strip()


def _file_error(reason: str) -> RowError:
    return RowError(None, "", reason)


def read_workbook(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """The first sheet's rows as {field: value}, or why the file cannot be read at all. Times stay as
    Excel gives them (a datetime, or text) for the check to read."""
    if len(data) > MAX_BYTES:
        return [], [_file_error(TOO_LARGE % {"mb": MAX_BYTES // 2**20})]
    try:
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a zip, XML, key or value error: whatever it is, it is not a workbook we can read
        return [], [_file_error(str(UNREADABLE))]
    try:
        lines = book.worksheets[0].iter_rows(values_only=True, max_col=len(COLUMNS))
        header = [_text(v) for v in next(lines, ())]
        if not any(header):
            return [], [_file_error(_("The file is empty."))]
        expected = [c.header for c in COLUMNS]
        if header[: len(expected)] != expected:
            reason = _("The first row must hold the headers %(expected)s, in this order.") % {
                "expected": "、".join(expected)
            }
            return [], [RowError(1, "", reason)]
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(lines, start=2):
            if not any(v is not None and str(v).strip() for v in values):
                continue
            if len(rows) == MAX_ROWS:
                return [], [_file_error(_("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS})]
            row = {c.field: v for c, v in zip(COLUMNS, values, strict=False)}
            rows.append((number, row))
    except Exception:  # a damaged sheet fails while its rows are read
        return [], [_file_error(str(UNREADABLE))]
    finally:
        book.close()
    if not rows:
        return [], [_file_error(_("The file has no rows to import below the headers."))]
    return rows, []


# --- Checking ---------------------------------------------------------------------------------------


def _chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _visible_units(user: User, codes: Iterable[str]) -> dict[str, Unit]:
    """Units named in the file that the uploader sees; any other code is answered as unknown, as if it
    did not exist, so the import is no way to learn another branch's codes."""
    units = visibility.visible_units(user).filter(is_active=True)
    return {u.code: u for chunk in _chunks(set(codes)) for u in units.filter(code__in=chunk)}


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
    text = _text(value)
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


def check(
    *, actor: Person, rows: list[tuple[int, dict[str, Any]]], on_row: Progress | None = None
) -> tuple[list[dict], list[RowError]]:
    """Every row checked against the file and the database: the rows ready to register, and every
    error. The rules of the register itself are the service's own (`intake.validate`)."""
    on_row = on_row or (lambda n: None)
    texts = [(n, {f: _text(v) for f, v in row.items()}) for n, row in rows]
    codes = {t[f] for _n, t in texts for f in ("unit", "subject_unit") if t.get(f)}
    units = _visible_units(actor.user, codes)
    categories = _categories()
    channel_list = ", ".join(CHANNEL_NAMES)
    kind_list = ", ".join(KIND_NAMES)
    plan: list[dict] = []
    errors: list[RowError] = []
    for done, ((number, raw), (_n, v)) in enumerate(zip(rows, texts, strict=True), start=1):
        mine: dict[str, str] = {}
        for c in COLUMNS:
            value = v.get(c.field, "")
            if c.required and not value:
                mine[c.field] = _("A value is required.")
            elif c.max_length and len(value) > c.max_length:
                mine[c.field] = _("At most %(n)s characters.") % {"n": c.max_length}
        channel = _choice(v.get("channel", ""), CHANNEL_NAMES, CHANNEL_ALIASES, Channel.values)
        if v.get("channel") and channel is None:
            mine["channel"] = UNKNOWN_VALUE % {"value": v["channel"], "names": channel_list}
        kind = (
            _choice(v.get("kind", ""), KIND_NAMES, KIND_ALIASES, Kind.values)
            if v.get("kind")
            else Kind.PROBLEM
        )
        if kind is None:
            mine["kind"] = UNKNOWN_VALUE % {"value": v["kind"], "names": kind_list}
        major = (
            _choice(v.get("major_cause", ""), MAJOR_NAMES, {}, MajorCause.values)
            if v.get("major_cause")
            else ""
        )
        if major is None:
            mine["major_cause"] = UNKNOWN_VALUE % {"value": v["major_cause"], "names": ", ".join(MAJOR_NAMES)}
        received_at = _time(raw.get("received_at")) if v.get("received_at") else None
        if v.get("received_at") and received_at is None:
            mine["received_at"] = BAD_TIME % {"value": v["received_at"]}
        unit = units.get(v.get("unit", ""))
        if v.get("unit") and unit is None:
            mine["unit"] = UNKNOWN_UNIT % {"code": v["unit"]}
        subject_unit = units.get(v.get("subject_unit", ""))
        if v.get("subject_unit") and subject_unit is None:
            mine["subject_unit"] = UNKNOWN_UNIT % {"code": v["subject_unit"]}
        found: dict[str, Category | None] = {}
        for field in ("business", "cause"):
            found[field] = categories[field].get(v.get(field, "")) if v.get(field) else None
            if v.get(field) and found[field] is None:
                mine[field] = UNKNOWN_CATEGORY % {"value": v[field], "sheet": NOTES_SHEET}
        joint_count = 1
        if v.get("joint_count"):
            try:
                joint_count = int(v["joint_count"])
            except ValueError:
                joint_count = 0
        if joint_count < 1:
            mine["joint_count"] = str(BAD_COUNT)
        # The register's own rules, on what could be read (the service checks them again).
        rules = intake.validate(
            channel=channel or Channel.OTHER,
            received_at=received_at or clock.now(),
            customer_name=v.get("customer_name") or "-",
            customer_phone=v.get("customer_phone", ""),
            customer_id_number=v.get("customer_id_number", "").upper(),
            content=v.get("content") or "-",
            kind=kind or Kind.PROBLEM,
            joint_count=max(joint_count, 1),
            major_cause=major or "",
            business=found["business"],
            cause=found["cause"],
            staff_complained=None,
            subject_unit=subject_unit,
            receiver=actor,
        )
        for field, reason in rules.items():
            mine.setdefault(field, reason)
        for field, reason in mine.items():
            errors.append(RowError(number, HEADERS.get(field, ""), str(reason)))
        if not mine:
            plan.append(
                {
                    "row": number,
                    "unit": unit,
                    "channel": channel,
                    "received_at": received_at,
                    "customer_name": v["customer_name"],
                    "customer_phone": v.get("customer_phone", ""),
                    "customer_id_number": v.get("customer_id_number", ""),
                    "content": v["content"],
                    "request": v.get("request", ""),
                    "kind": kind,
                    "business": found["business"],
                    "cause": found["cause"],
                    "joint_count": joint_count,
                    "subject_unit": subject_unit,
                    "staff_complained_name": v.get("staff_complained_name", ""),
                    "major_cause": major or "",
                }
            )
        on_row(done)
    return plan, errors


# --- The run ----------------------------------------------------------------------------------------


def start_import(*, actor: User, upload: UploadedFile) -> tuple[ImportRun | None, list[RowError]]:
    """The import page's one call. A file that is no workbook, or a short file with any error, is refused
    here with its errors and leaves nothing behind; any other file becomes an ImportRun, imported now
    when short and in the background when long (its errors are then shown on the run's page)."""
    person = visibility.person_of(actor)
    if person is None:
        raise NotAllowed(_("Only staff with a unit can import complaints."))
    name = (upload.name or "")[-200:]
    if not name.lower().endswith(XLSX_SUFFIX):
        return None, [_file_error(str(NOT_XLSX))]
    if (upload.size or 0) > MAX_BYTES:  # refused before reading it into memory
        return None, [_file_error(TOO_LARGE % {"mb": MAX_BYTES // 2**20})]
    data = upload.read()
    total = _sheet_rows(data)
    if total is None:
        return None, [_file_error(str(UNREADABLE))]
    short = total <= settings.IMPORT_JOB_THRESHOLD_ROWS
    if short:  # read and checked now: its errors are shown on the upload page and nothing is kept
        rows, errors = read_workbook(data)
        if errors or (errors := check(actor=person, rows=rows)[1]):
            return None, errors
        total = len(rows)
    run = ImportRun.objects.create(
        file_name=name,
        content=data,
        total=total,
        created_by=actor,
        unit=person.unit,
        created_at=clock.now(),
    )
    if not short:
        from .jobs_import import run_complaint_import

        enqueue_on_commit(run_complaint_import, run_id=run.pk)
        return run, []
    return import_complaints(run=run), []


def _sheet_rows(data: bytes) -> int | None:
    """Rows below the headers as the sheet's own dimension says (the job counts them exactly), without
    reading them: a long file goes to the background at once. None if it is no workbook."""
    try:
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return None
    try:
        return max((book.worksheets[0].max_row or 1) - 1, 0)
    except Exception:
        return None
    finally:
        book.close()


def import_complaints(*, run: ImportRun) -> ImportRun:
    """Check every row of the run's file, then register them all in one transaction or none. Runs once:
    a run no longer queued is answered as it is. Progress goes to `run.processed`: 0 → total while the
    rows are checked, total → 2 × total while they are registered."""
    if not _move(run, ImportRun.Status.RUNNING, expect=ImportRun.Status.QUEUED):
        return ImportRun.objects.get(pk=run.pk)
    actor = Person.objects.select_related("user", "unit").filter(user=run.created_by_id).first()
    if actor is None:
        return fail(run, [_file_error(_("Only staff with a unit can import complaints."))])
    rows, errors = read_workbook(bytes(run.content))
    if errors:
        return fail(run, errors)
    total = len(rows)
    ImportRun.objects.filter(pk=run.pk).update(total=total, processed=0)
    checking = _Progress(run, total)
    plan, errors = check(actor=actor, rows=rows, on_row=checking)
    if errors:
        return fail(run, errors)
    writing = _Progress(run, total, offset=total, in_transaction=True)
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


def _register_rows(*, actor: Person, plan: list[dict], on_row: Progress) -> int:
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
    try:
        with transaction.atomic():
            transition(
                run, target, table=ImportRun.TRANSITIONS, expect={expect} if expect is not None else None
            )
            if fields:
                ImportRun.objects.filter(pk=run.pk).update(**fields)
    except InvalidTransition:
        return False
    return True


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


class _Progress:
    """Counts rows done on the run, about fifty times per phase.

    While rows are checked no transaction is open, so each count commits and the status page sees it.
    While they are registered, the import's one transaction hides everything until it commits; on
    PostgreSQL the count then goes through a second connection of its own. SQLite allows one writer
    at a time, so there the bar waits at the end of the check until the import commits."""

    def __init__(self, run: ImportRun, total: int, *, offset: int = 0, in_transaction: bool = False):
        self.run_id, self.total, self.offset = run.pk, total, offset
        self.every = max(1, total // 50)
        self.side = None
        if in_transaction and connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        self.enabled = not in_transaction or self.side is not None

    def __call__(self, done: int) -> None:
        if not self.enabled or (done % self.every and done != self.total):
            return
        if self.side is None:
            ImportRun.objects.filter(pk=self.run_id).update(processed=self.offset + done)
            return
        table = self.side.ops.quote_name(ImportRun._meta.db_table)
        with self.side.cursor() as cursor:  # autocommit: visible at once, holds no lock afterwards
            cursor.execute(
                f"UPDATE {table} SET processed = %s WHERE id = %s", [self.offset + done, self.run_id]
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


# --- Reading runs back ------------------------------------------------------------------------------


def run_for(*, viewer: User, pk: int) -> ImportRun:
    """An import as its uploader (or a superuser) sees it; anyone else is told it does not exist."""
    run = ImportRun.objects.defer("content").filter(pk=pk).first()
    if run is None or not (run.created_by_id == viewer.pk or viewer.is_superuser):
        raise NotVisible()
    return run


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
