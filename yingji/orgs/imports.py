"""Excel import of units and of people: read the workbook, check every row, then write all or nothing.

The workbook is read through the import engine (`yingji.core.workbook_import`: its limits, headers
and per-row errors). Every error of the whole file is collected as (row as Excel numbers it, column
header, reason) and nothing is written while any exists. The rows are then created through the
ordinary services, so each record gets its own audit entry, in one transaction with one more entry for
the import itself. A file longer than IMPORT_JOB_THRESHOLD_ROWS is kept in an ImportRun and imported
by `tasks.run_import`."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, import_runs
from yingji.core import workbook_import as engine
from yingji.core.errors import DomainError, InvalidInput, NotAllowed
from yingji.core.jobs import enqueue_on_commit
from yingji.core.transitions import transition
from yingji.core.workbook_import import Column, RowError

from . import services, visibility
from .models import ImportRun, Person, Position, Unit, UnitType
from .validators import validate_code, validate_mobile, validate_phone

__all__ = ["RowError"]
NOTES_SHEET = "说明"  # the template's second sheet, which lists the valid types and positions
POSITION_SEPARATORS = re.compile(r"[、,，]")
# The names a bank writes in the type column; the order is the order the template lists them in.
TYPE_NAMES: dict[str, str] = {
    "总行": UnitType.HEAD_OFFICE,
    "分行": UnitType.BRANCH,
    "支行": UnitType.SUB_BRANCH,
    "营业网点": UnitType.OUTLET,
    "客服中心": UnitType.CALL_CENTRE,
    "部门": UnitType.DEPARTMENT,
}

# Reasons shown per row; a lazy msgid formatted with % in the language of the request (or of the run).
IN_ROW = gettext_lazy("“%(value)s” is already in row %(row)s.")
CODE_TAKEN = gettext_lazy("A unit with the code “%(code)s” already exists.")
BAD_TYPE = gettext_lazy("“%(value)s” is not a unit type; use one of %(types)s.")
UNKNOWN_PARENT = gettext_lazy(
    "Unknown parent code “%(code)s”: it must be a unit you manage or a unit in an earlier row."
)
USERNAME_TAKEN = gettext_lazy("The username “%(name)s” is taken.")
UNKNOWN_UNIT = gettext_lazy("Unknown unit code “%(code)s”: it must be a unit you manage.")
UNKNOWN_POSITION = gettext_lazy("Unknown position: %(names)s; the sheet %(sheet)s lists them all.")
NO_POSITION = gettext_lazy("Name at least one position.")


UNIT_COLUMNS = (
    Column("code", "代码", True, 14, "JN0103", 32, True),
    Column("name", "名称", True, 24, "和谐新村网点", 100),
    Column("type", "类型", True, 12, "营业网点"),
    Column("parent", "上级代码", True, 14, "JN01", 32, True),
    Column("address", "地址", False, 36, "江城市江南区和谐新村5号", 200),
    Column("phone", "电话", False, 16, "027-86661003", 32, True),
)
PEOPLE_COLUMNS = (
    Column("username", "用户名", True, 16, "zhangsan", 150),
    Column("name", "姓名", True, 12, "张三", 50),
    Column("mobile", "手机号", True, 14, "13800000000", 11, True),
    Column("unit", "所属单位代码", True, 14, "JN0101", 32, True),
    Column("positions", "岗位", True, 24, "柜员、大堂经理"),
    Column("email", "邮箱", False, 26, "", 254),
)
COLUMNS = {ImportRun.Kind.UNITS: UNIT_COLUMNS, ImportRun.Kind.PEOPLE: PEOPLE_COLUMNS}


@dataclass
class Sheet:
    kind: str
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class Result:
    errors: list[RowError] = field(default_factory=list)
    run: ImportRun | None = None


class _RowFailed(Exception):
    def __init__(self, error: RowError):
        self.error = error


def may_import(user) -> bool:
    return user.is_authenticated and (user.is_superuser or visibility.is_emergency_admin(user))


# --- Reading ----------------------------------------------------------------------------------------


def read_workbook(kind: str, data: bytes) -> tuple[Sheet | None, list[RowError]]:
    """The first sheet's rows as {field: text}, or why the file cannot be read at all."""
    columns = COLUMNS[kind]
    rows, errors = engine.read(data, columns)
    if errors:
        return None, errors
    texts = [(n, {c.field: engine.text(row.get(c.field)) for c in columns}) for n, row in rows]
    return Sheet(kind=kind, rows=texts), []


# --- Checking ---------------------------------------------------------------------------------------


def _units_by_code(units: QuerySet[Unit], codes: Iterable[str]) -> dict[str, Unit]:
    return {u.code: u for chunk in engine.chunks(set(codes)) for u in units.filter(code__in=chunk)}


def _manageable(actor: User) -> QuerySet[Unit]:
    """Units the importer may put things under. Anything else is answered as unknown, as if it did
    not exist, so the import page is no way to learn another branch's codes."""
    return Unit.objects.all() if actor.is_superuser else visibility.visible_units(actor)


def check(
    *, actor: User, sheet: Sheet, on_row: engine.Progress | None = None
) -> tuple[list[dict], list[RowError]]:
    """Every row checked against the file and the database: the rows ready to write, and every error."""
    checker = _check_units if sheet.kind == ImportRun.Kind.UNITS else _check_people
    return checker(actor, sheet, on_row or (lambda n: None))


def _check_units(actor: User, sheet: Sheet, on_row: engine.Progress) -> tuple[list[dict], list[RowError]]:
    values = [v for _n, v in sheet.rows]
    taken = set(_units_by_code(Unit.objects.all(), (v["code"] for v in values if v["code"])))
    parents = _units_by_code(_manageable(actor), (v["parent"] for v in values if v["parent"]))
    in_file: dict[str, tuple[int, str | None]] = {}  # code → (row, unit type) of its first row
    plan: list[dict] = []
    errors: list[RowError] = []
    for done, (number, v) in enumerate(sheet.rows, start=1):
        row = engine.RowCheck(number, v, UNIT_COLUMNS, errors)
        code, parent_code, unit_type = v["code"], v["parent"], TYPE_NAMES.get(v["type"])
        row.check("code", validate_code)
        if code in in_file:
            row.error("code", IN_ROW % {"value": code, "row": in_file[code][0]})
        elif code in taken:
            row.error("code", CODE_TAKEN % {"code": code})
        if v["type"] and unit_type is None:
            row.error("type", BAD_TYPE % {"value": v["type"], "types": "、".join(TYPE_NAMES)})
        parent: Unit | None = None
        if parent_code in in_file:
            parent = Unit(code=parent_code, type=in_file[parent_code][1])
        elif parent_code in parents:
            parent = parents[parent_code]
        elif parent_code:
            row.error("parent", UNKNOWN_PARENT % {"code": parent_code})
        if parent is not None and parent.type and unit_type is not None:
            try:
                services.check_parent_type(parent, unit_type)
            except InvalidInput as exc:
                row.error("parent" if "parent" in exc.fields else "type", exc.message)
        row.check("phone", validate_phone)
        if code and code not in in_file:
            in_file[code] = (number, unit_type)
        if row.ok:
            plan.append({"row": number, **v, "type": unit_type})
        on_row(done)
    return plan, errors


def _positions_by_name() -> dict[str, Position]:
    """Chinese name as written; code and English name whatever their case."""
    found: dict[str, Position] = {}
    for p in Position.objects.all():
        found |= {p.code.casefold(): p, p.name_en.casefold(): p, p.name: p}
    return found


def _taken_usernames(lowered: set[str]) -> set[str]:
    users = User.objects.annotate(lower=Lower("username"))
    return {
        n
        for chunk in engine.chunks(lowered)
        for n in users.filter(lower__in=chunk).values_list("lower", flat=True)
    }


def _check_people(actor: User, sheet: Sheet, on_row: engine.Progress) -> tuple[list[dict], list[RowError]]:
    values = [v for _n, v in sheet.rows]
    taken = _taken_usernames({v["username"].casefold() for v in values if v["username"]})
    units = _units_by_code(_manageable(actor), (v["unit"] for v in values if v["unit"]))
    positions = _positions_by_name()
    in_file: dict[str, int] = {}  # lower-cased username → its first row
    plan: list[dict] = []
    errors: list[RowError] = []
    for done, (number, v) in enumerate(sheet.rows, start=1):
        row = engine.RowCheck(number, v, PEOPLE_COLUMNS, errors)
        username = v["username"].casefold()
        row.check("username", UnicodeUsernameValidator())
        if username in in_file:
            row.error("username", IN_ROW % {"value": v["username"], "row": in_file[username]})
        elif username in taken:
            row.error("username", USERNAME_TAKEN % {"name": v["username"]})
        row.check("mobile", validate_mobile)
        if v["unit"] and v["unit"] not in units:
            row.error("unit", UNKNOWN_UNIT % {"code": v["unit"]})
        names = [n.strip() for n in POSITION_SEPARATORS.split(v["positions"]) if n.strip()]
        found = [positions.get(n) or positions.get(n.casefold()) for n in dict.fromkeys(names)]
        if unknown := [n for n, p in zip(dict.fromkeys(names), found, strict=True) if p is None]:
            row.error("positions", UNKNOWN_POSITION % {"names": "、".join(unknown), "sheet": NOTES_SHEET})
        elif v["positions"] and not found:
            row.error("positions", str(NO_POSITION))
        row.check("email", validate_email)
        if username and username not in in_file:
            in_file[username] = number
        if row.ok:
            plan.append({"row": number, **v, "position_codes": [p.code for p in found if p is not None]})
        on_row(done)
    return plan, errors


# --- Writing ----------------------------------------------------------------------------------------


def import_file(*, actor: User, kind: str, upload: UploadedFile) -> Result:
    """The import page's one call: a short file is checked and written now, a long one is queued."""
    if not may_import(actor):
        raise NotAllowed(_("Only an emergency administrator can import."))
    if kind not in COLUMNS:
        raise InvalidInput(_("Choose units or people."), fields={"kind": _("Choose units or people.")})
    if refused := engine.refuse_upload(upload):  # before it is read into memory
        return Result([refused])
    file_name, data = (upload.name or "")[-200:], upload.read()
    sheet, errors = read_workbook(kind, data)
    if sheet is None:
        return Result(errors)
    if len(sheet.rows) > settings.IMPORT_JOB_THRESHOLD_ROWS:
        return Result(
            run=_queue(actor=actor, kind=kind, file_name=file_name, data=data, total=len(sheet.rows))
        )
    plan, errors = check(actor=actor, sheet=sheet)
    if errors:
        return Result(errors)
    return commit(actor=actor, kind=kind, plan=plan, file_name=file_name)


def _queue(*, actor: User, kind: str, file_name: str, data: bytes, total: int) -> ImportRun:
    from .tasks import run_import

    with transaction.atomic():
        run = _new_run(actor=actor, kind=kind, file_name=file_name, total=total, content=data)
        enqueue_on_commit(run_import, run.pk)
    return run


def _new_run(*, actor: User, kind: str, file_name: str, total: int, **fields: Any) -> ImportRun:
    return ImportRun.objects.create(
        kind=kind,
        file_name=file_name,
        total=total,
        language=get_language() or "",
        created_by=actor,
        created_at=clock.now(),
        **fields,
    )


def commit(
    *,
    actor: User,
    kind: str,
    plan: list[dict],
    file_name: str,
    run: ImportRun | None = None,
    on_row: engine.Progress | None = None,
) -> Result:
    """Write the checked rows in one transaction, with the import's own audit entry; a row the
    services refuse (something changed since the check) rolls back every row before it."""
    try:
        with transaction.atomic():
            keys = _write_rows(actor=actor, kind=kind, plan=plan, on_row=on_row or (lambda n: None))
            finished = {"processed": len(plan), "created_count": len(keys), "created_keys": keys}
            if run is None:
                done = {"status": ImportRun.Status.DONE, "finished_at": clock.now()}
                run = _new_run(
                    actor=actor, kind=kind, file_name=file_name, total=len(plan), **done, **finished
                )
            else:
                transition(run, ImportRun.Status.DONE, table=ImportRun.TRANSITIONS)
                ImportRun.objects.filter(pk=run.pk).update(finished_at=clock.now(), content=b"", **finished)
            root = visibility.scope_root(actor)
            audit.record(
                actor=actor,
                action=f"orgs.import_{kind}",
                obj=run,
                unit=Unit.objects.get(pk=root.pk) if root else None,  # its path as it is now
                data={"file": file_name, "rows": len(plan), "created": len(keys)},
            )
    except _RowFailed as exc:
        return Result([exc.error])
    return Result(run=run)


def _write_rows(*, actor: User, kind: str, plan: list[dict], on_row: engine.Progress) -> list[str]:
    columns = {c.field: c.header for c in COLUMNS[kind]}
    units = _units_by_code(Unit.objects.all(), (r["unit"] for r in plan)) if "unit" in columns else {}
    keys: list[str] = []
    for done, row in enumerate(plan, start=1):
        try:
            keys.append(
                _create_unit(actor, row)
                if kind == ImportRun.Kind.UNITS
                else _create_person(actor, row, units)
            )
        except DomainError as exc:
            column = columns.get(next(iter(exc.fields), ""), "")  # the services name fields as the columns do
            raise _RowFailed(RowError(row["row"], column, exc.message)) from exc
        except IntegrityError as exc:
            reason = _("Someone changed the same records at the same time; import the file again.")
            raise _RowFailed(RowError(row["row"], "", reason)) from exc
        on_row(done)
    return keys


def _create_unit(actor: User, row: dict) -> str:
    # Fetched afresh for each row: a sorted insert can move a sibling's materialised path.
    parent = Unit.objects.filter(code=row["parent"]).first()
    if parent is None:
        raise InvalidInput(UNKNOWN_PARENT % {"code": row["parent"]}, fields={"parent": ""})
    fields = {f: row[f] for f in ("code", "name", "type", "address", "phone")}
    return services.create_unit(actor=actor, parent=parent, **fields).code


def _create_person(actor: User, row: dict, units: dict[str, Unit]) -> str:
    fields = {f: row[f] for f in ("username", "name", "mobile", "email", "position_codes")}
    return str(services.create_person(actor=actor, unit=units[row["unit"]], **fields).pk)


# --- Reading runs back ------------------------------------------------------------------------------


def run_for(*, viewer: User, pk: int) -> ImportRun:
    """An import as its uploader (or a superuser) sees it; anyone else is told it does not exist."""
    return import_runs.run_for(ImportRun, viewer=viewer, pk=pk)


def created_records(*, viewer: User, run: ImportRun, limit: int = 50) -> list[Unit] | list[Person]:
    keys = run.created_keys[:limit]
    if run.kind == ImportRun.Kind.UNITS:
        return list(visibility.visible_units(viewer).filter(code__in=keys).order_by("path"))
    people = visibility.visible(Person.objects.select_related("unit"), viewer).filter(pk__in=keys)
    return list(people.order_by("unit__path", "name"))
