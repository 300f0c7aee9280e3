"""A letter signed on paper: its scan is uploaded (PDF, JPEG or PNG, told by content, size-limited) and the
letter counts as signed. A refused upload says why and leaves nothing behind: no file, no row, no entry."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint
from yingji.letters import scans
from yingji.letters.models import Kind, Letter, Method, Status

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _guard_letter() -> Letter:
    return Letter.objects.get(kind=Kind.EMPLOYEE, person__user__username="hexie_guard")


def test_the_admin_uploads_the_signed_paper_letter_from_the_page(client, issued, hexie_admin):
    letter = _guard_letter()
    client.force_login(hexie_admin.user)
    page = client.get(letter.get_absolute_url()).content.decode()
    assert 'enctype="multipart/form-data"' in page and "我确认并签署" not in page
    upload = SimpleUploadedFile("施保安.pdf", PDF, content_type="application/pdf")
    assert client.post(f"/security/letters/{letter.pk}/scan/", {"scan": upload}).status_code == 302
    letter.refresh_from_db()
    assert letter.status == Status.SIGNED and letter.method == Method.SCAN
    assert letter.signed_by.user.username == "hexie_guard" and letter.recorded_by == hexie_admin
    assert scans.path_of(letter).read_bytes() == PDF
    served = client.get(f"/security/letters/{letter.pk}/scan/file/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"


def test_the_signer_may_upload_a_photo_of_the_paper(issued, hexie_guard):
    letter = scans.upload(actor=hexie_guard, letter=_guard_letter(), file=SimpleUploadedFile("a.jpg", JPEG))
    assert letter.scan_type == "image/jpeg" and letter.is_signed


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("letter.pdf", b"MZ\x90\x00 this is a program renamed", "不是允许类型"),
        ("letter.png", b"", "空文件"),
        ("letter.docx", b"PK\x03\x04 a zip file", "不是允许类型"),
    ],
)
def test_a_file_that_is_not_a_scan_is_refused_whatever_its_name(
    client, issued, hexie_admin, name, content, says
):
    letter = _guard_letter()
    client.force_login(hexie_admin.user)
    before = footprint()
    answer = client.post(f"/security/letters/{letter.pk}/scan/", {"scan": SimpleUploadedFile(name, content)})
    assert answer.status_code == 400
    assert says in answer.content.decode()
    assert footprint() == before
    assert not scans.folder().exists() or not any(scans.folder().iterdir())
    letter.refresh_from_db()
    assert letter.status == Status.PENDING


def test_a_scan_over_the_size_limit_is_refused(issued, hexie_admin, settings):
    settings.YINGJI_LETTER_SCAN_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        scans.upload(actor=hexie_admin, letter=_guard_letter(), file=big)
    assert "1 MB" in refused.value.message and footprint() == before


def test_a_colleague_cannot_upload_someone_elses_scan(issued, hexie_lobby):
    before = footprint()
    with pytest.raises(NotAllowed):
        scans.upload(actor=hexie_lobby, letter=_guard_letter(), file=SimpleUploadedFile("a.pdf", PDF))
    assert footprint() == before
