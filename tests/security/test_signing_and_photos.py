"""The record on the phone: signed by the inspector, then by the unit's head on their own phone, each
with the time; locked once both signed. Photos only of the allowed types, told by their content."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.core.testing import footprint
from yingji.security import photos, services
from yingji.security.models import Photo, Result, Status

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_both_sign_and_the_record_is_locked(conduct, hexie_admin, hexie_manager, plaza_manager):
    inspection = conduct({"fire-1": "灭火器过期。"})
    assert inspection.status == Status.AWAITING_HEAD and inspection.inspector_signed_at is not None

    # The head of a sibling outlet cannot sign for this one.
    with pytest.raises(Exception) as refused:
        services.sign_as_head(actor=plaza_manager, inspection=inspection)
    assert refused.type.__name__ in {"NotVisible", "NotAllowed"}

    services.sign_as_head(actor=hexie_manager, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == Status.SIGNED and inspection.head == hexie_manager
    assert inspection.head_signed_at >= inspection.inspector_signed_at

    result = inspection.results.first()
    result.inspection = inspection
    before = footprint()
    with pytest.raises(InvalidInput):
        services.record_item(actor=hexie_admin, result=result, outcome=Result.FAIL, note="改一下")
    with pytest.raises(InvalidTransition):
        services.sign_as_head(actor=hexie_manager, inspection=inspection)
    assert footprint() == before


def test_the_inspector_cannot_sign_with_items_unchecked(checklist, hexie_admin, hexie_outlet):
    inspection = services.start_inspection(actor=hexie_admin, unit=hexie_outlet)
    with pytest.raises(InvalidInput):
        services.sign_as_inspector(actor=hexie_admin, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == Status.CONDUCTING


def test_staff_of_the_unit_do_not_inspect_it(checklist, hexie_manager, hexie_outlet):
    before = footprint()
    with pytest.raises(NotAllowed):
        services.start_inspection(actor=hexie_manager, unit=hexie_outlet)
    assert footprint() == before


def test_a_photo_is_kept_and_a_renamed_program_is_refused(conduct, hexie_admin, settings):
    inspection = conduct(sign=False)
    result = inspection.results.first()
    result.inspection = inspection

    photo = photos.add_photo(
        actor=hexie_admin, result=result, upload=SimpleUploadedFile("a.png", PNG, content_type="image/png")
    )
    assert photos.path_of(photo).read_bytes() == PNG and photo.content_type == "image/png"

    before = footprint()
    fake = SimpleUploadedFile("灭火器.jpg", b"MZ\x90\x00" + b"\x00" * 60, content_type="image/jpeg")
    with pytest.raises(InvalidInput) as refused:
        photos.add_photo(actor=hexie_admin, result=result, upload=fake)
    assert "JPEG" in refused.value.message
    settings.YINGJI_INSPECTION_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024), content_type="image/png")
    with pytest.raises(InvalidInput):
        photos.add_photo(actor=hexie_admin, result=result, upload=big)
    assert footprint() == before
    assert list(photos.folder().iterdir()) == [photos.path_of(photo)]  # nothing half-saved
    assert Photo.objects.count() == 1


def test_the_inspector_uploads_a_photo_from_the_page(client, conduct, hexie_admin, hexie_lobby):
    inspection = conduct(sign=False)
    result = inspection.results.first()
    client.force_login(hexie_admin.user)
    url = f"/security/inspections/{inspection.pk}/items/{result.pk}/photos/"
    response = client.post(url, {f"p{result.pk}-photo": io.BytesIO(b"%PDF-1.4 not a photo")})
    assert response.status_code == 400 and "PNG" in response.content.decode()
    client.post(url, {f"p{result.pk}-photo": SimpleUploadedFile("x.png", PNG)})
    shot = Photo.objects.get()
    assert client.get(f"/security/inspections/{inspection.pk}/photos/{shot.pk}/").status_code == 200
    client.force_login(hexie_lobby.user)  # the outlet's own staff see their inspection's photos too
    assert client.get(f"/security/inspections/{inspection.pk}/photos/{shot.pk}/").status_code == 200
