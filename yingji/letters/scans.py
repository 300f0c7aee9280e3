"""The signed paper letter's scan: only the types YINGJI_LETTER_SCAN_TYPES names (PDF, JPEG, PNG), told by
their content whatever the file is called, up to YINGJI_LETTER_SCAN_MAX_MB, checked and kept by the
security year's upload helper (yingji/security/uploads.py): a refused or failed upload leaves nothing."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.orgs.models import Person
from yingji.security import uploads

from . import permissions, services
from .models import Letter, Status


def folder() -> Path:
    return Path(settings.VAR_DIR) / "uploads" / "letters"


def path_of(letter: Letter) -> Path:
    return folder() / letter.scan_name


def upload(*, actor: Person, letter: Letter, file: UploadedFile | None) -> Letter:
    if not permissions.can_upload_scan(actor, letter):
        if not permissions.sees(actor, letter.unit):
            raise NotVisible()
        raise NotAllowed(_("The signer or the unit's emergency administrator uploads the signed scan."))
    if letter.status == Status.SIGNED:
        raise InvalidInput(_("This letter is signed already."))
    if file is None:
        raise InvalidInput(_("Choose the scan of the signed letter."), fields={"scan": _("Required.")})
    try:
        found = uploads.checked(
            file,
            kinds=settings.YINGJI_LETTER_SCAN_TYPES,
            max_mb=settings.YINGJI_LETTER_SCAN_MAX_MB,
            what=_("scan"),
            field="scan",
        )
    except InvalidInput as exc:  # said next to the file field, where the person looks
        raise InvalidInput(exc.message, fields={"scan": exc.message}) from exc
    return uploads.keep(
        found,
        folder(),
        lambda name: services.attach_scan(
            actor=actor,
            letter=letter,
            stored_name=name,
            content_type=found.content_type,
            size=len(found.data),
        ),
    )
