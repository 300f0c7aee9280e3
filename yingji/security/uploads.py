"""Files people upload for the security year (an inspection's photos, a session's materials): the type
told by the first bytes and, for Office files, by what the zip holds — never by the name — and the size
capped before anything is written. Each caller names the types and size its settings allow."""

import io
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import inputs
from yingji.core.errors import InvalidInput


def _zip_holding(member: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        if data[:4] != b"PK\x03\x04":
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return member in archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return False

    return check


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# kind → (content type, label, test on the whole file)
SIGNATURES: dict[str, tuple[str, str, Callable[[bytes], bool]]] = {
    "jpeg": ("image/jpeg", "JPEG", lambda b: b[:3] == b"\xff\xd8\xff"),
    "png": ("image/png", "PNG", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
    "webp": ("image/webp", "WEBP", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    "pdf": ("application/pdf", "PDF", lambda b: b[:5] == b"%PDF-"),
    "docx": (DOCX, "Word (.docx)", _zip_holding("word/document.xml")),
    "pptx": (PPTX, "PowerPoint (.pptx)", _zip_holding("ppt/presentation.xml")),
    "xlsx": (XLSX, "Excel (.xlsx)", _zip_holding("xl/workbook.xml")),
}


@dataclass(frozen=True)
class Checked:
    kind: str
    content_type: str
    data: bytes


def kind_of(data: bytes, kinds: Iterable[str]) -> str | None:
    for kind in kinds:
        if kind in SIGNATURES and SIGNATURES[kind][2](data):
            return kind
    return None


def labels(kinds: Iterable[str]) -> str:
    return "、".join(SIGNATURES[k][1] for k in kinds if k in SIGNATURES)


def checked(upload: UploadedFile, *, kinds: Iterable[str], max_mb: int, what: str, field: str) -> Checked:
    """The upload's bytes if it is one of `kinds` and at most `max_mb` MB; else InvalidInput saying why
    (`what` names the file in the message: 照片, 材料)."""
    kinds = list(kinds)
    limit = int(max_mb) * 1024 * 1024
    if (upload.size or 0) > limit:
        raise InvalidInput(
            _("The %(what)s is larger than %(mb)s MB (set by the bank).") % {"what": what, "mb": max_mb},
            fields={field: ""},
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            _("The %(what)s is larger than %(mb)s MB (set by the bank).") % {"what": what, "mb": max_mb},
            fields={field: ""},
        )
    kind = kind_of(data, kinds) if data else None
    if kind is None:
        raise InvalidInput(
            _("This file is not a %(what)s of an allowed type (%(types)s), whatever its name says.")
            % {"what": what, "types": labels(kinds)},
            fields={field: ""},
        )
    return Checked(kind, SIGNATURES[kind][0], data)


def shown_name(upload: UploadedFile, found: Checked, *, max_length: int, field: str) -> str:
    """The name people see for a kept file: the upload's own name without any folder, cut to the
    column, or its kind when it has none; a name no page could show (control characters) is refused."""
    name = Path(upload.name or "").name[:max_length] or found.kind
    if problem := inputs.text_problem(name):
        raise InvalidInput(problem, fields={field: ""})
    return name


def keep[T](found: Checked, folder: Path, save: Callable[[str], T]) -> T:
    """Write the file under a name the product chose, then `save(name)` its row in one transaction; the
    file is removed if the row is not committed, so a refused or failed upload leaves nothing behind."""
    name = f"{uuid.uuid4().hex}.{found.kind}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(found.data)
    try:
        with transaction.atomic():
            return save(name)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
