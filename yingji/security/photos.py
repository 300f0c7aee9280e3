"""Photos of an inspection's items. Only the types YINGJI_INSPECTION_PHOTO_TYPES names, told by their
first bytes (a renamed .exe is refused whatever it is called), up to YINGJI_INSPECTION_PHOTO_MAX_MB, at
most YINGJI_INSPECTION_PHOTOS_PER_ITEM per item. The file is written before its row and removed if the
row is not committed, so a refused or failed upload leaves nothing half-saved."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.orgs.models import Person

from . import permissions, uploads
from .models import ItemResult, Photo, Status


def folder() -> Path:
    return Path(settings.VAR_DIR) / "uploads" / "security"


def path_of(photo: Photo) -> Path:
    return folder() / photo.stored_name


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
    found = uploads.checked(
        upload,
        kinds=settings.YINGJI_INSPECTION_PHOTO_TYPES,
        max_mb=settings.YINGJI_INSPECTION_PHOTO_MAX_MB,
        what=_("photo"),
        field="photo",
    )

    def save(name: str) -> Photo:
        photo = Photo.objects.create(
            result=result,
            stored_name=name,
            content_type=found.content_type,
            size=len(found.data),
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        audit.record(
            actor=actor.user, action="security.add_photo", obj=inspection, data={"text": result.text}
        )
        return photo

    return uploads.keep(found, folder(), save)
