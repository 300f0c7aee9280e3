"""Photos of an inspection's items. Only the types YINGJI_INSPECTION_PHOTO_TYPES names, told by their
first bytes (a renamed .exe is refused whatever it is called), up to YINGJI_INSPECTION_PHOTO_MAX_MB, at
most YINGJI_INSPECTION_PHOTOS_PER_ITEM per item. The file is written before its row and removed if the
row is not committed, so a refused or failed upload leaves nothing half-saved."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.orgs.models import Person

from . import permissions
from .models import ItemResult, Photo, Status

SIGNATURES = {
    "jpeg": ("image/jpeg", lambda b: b[:3] == b"\xff\xd8\xff"),
    "png": ("image/png", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
    "webp": ("image/webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
}


def folder() -> Path:
    return Path(settings.VAR_DIR) / "uploads" / "security"


def path_of(photo: Photo) -> Path:
    return folder() / photo.stored_name


def max_bytes() -> int:
    return int(settings.YINGJI_INSPECTION_PHOTO_MAX_MB) * 1024 * 1024


def kind_of(head: bytes) -> str | None:
    for kind in settings.YINGJI_INSPECTION_PHOTO_TYPES:
        if kind in SIGNATURES and SIGNATURES[kind][1](head):
            return kind
    return None


def add_photo(*, actor: Person, result: ItemResult, upload: UploadedFile) -> Photo:
    inspection = result.inspection
    if not permissions.can_conduct(actor, inspection):
        raise NotAllowed(_("Only the inspector adds photos to an inspection."))
    if inspection.status != Status.CONDUCTING:
        raise InvalidInput(_("The inspection is signed: its items can no longer change."))
    limit = int(settings.YINGJI_INSPECTION_PHOTOS_PER_ITEM)
    if result.photos.count() >= limit:
        raise InvalidInput(
            _("At most %(n)s photos per item (set by the bank).") % {"n": limit}, fields={"photo": ""}
        )
    size = upload.size or 0
    if size > max_bytes():
        raise InvalidInput(
            _("The photo is larger than %(mb)s MB (set by the bank).")
            % {"mb": settings.YINGJI_INSPECTION_PHOTO_MAX_MB},
            fields={"photo": ""},
        )
    data = upload.read(max_bytes() + 1)
    kind = kind_of(data[:16]) if data else None
    if kind is None:
        allowed = "、".join(k.upper() for k in settings.YINGJI_INSPECTION_PHOTO_TYPES)
        raise InvalidInput(
            _("This file is not a photo of an allowed type (%(types)s), whatever its name says.")
            % {"types": allowed},
            fields={"photo": ""},
        )
    name = f"{uuid.uuid4().hex}.{kind}"
    folder().mkdir(parents=True, exist_ok=True)
    target = folder() / name
    target.write_bytes(data)
    try:
        with transaction.atomic():
            photo = Photo.objects.create(
                result=result,
                stored_name=name,
                content_type=SIGNATURES[kind][0],
                size=len(data),
                uploaded_by=actor,
                uploaded_at=clock.now(),
            )
            audit.record(
                actor=actor.user,
                action="security.add_photo",
                obj=inspection,
                data={"text": result.text},
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return photo
