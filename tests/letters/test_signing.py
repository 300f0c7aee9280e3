"""An employee opens their letter on a phone, reads it, taps confirm: the time is recorded with an audit
entry and the reminders stop. Only the signer signs; a unit letter is signed by the unit's head."""

import pytest

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint
from yingji.deadlines.models import Deadline
from yingji.letters import selectors, services
from yingji.letters.models import Kind, Letter, Method, Status
from yingji.letters.reminders import SUBJECT_TYPE

pytestmark = pytest.mark.django_db


def _letter_of(username: str) -> Letter:
    return Letter.objects.get(kind=Kind.EMPLOYEE, person__user__username=username)


def test_the_lobby_manager_reads_and_signs_on_her_phone(client, issued, hexie_lobby, march):
    letter = _letter_of("hexie_lobby")
    client.force_login(hexie_lobby.user)
    mine = client.get("/security/letters/mine/").content.decode()
    assert "yj-to-sign" in mine and letter.get_absolute_url() in mine
    page = client.get(letter.get_absolute_url()).content.decode()
    assert "严格遵守本行安全保卫规章制度" in page and "我确认并签署" in page
    march.advance(hours=3)
    assert client.post(f"/security/letters/{letter.pk}/sign/").status_code == 302
    letter.refresh_from_db()
    assert letter.status == Status.SIGNED and letter.method == Method.PHONE
    assert letter.signed_by == hexie_lobby and letter.signed_at.isoformat() == "2026-03-02T04:00:00+00:00"
    assert not letter.signed_late
    entry = AuditEntry.objects.get(action="letters.sign")
    assert entry.object_id == str(letter.pk)
    clock = Deadline.objects.get(subject_type=SUBJECT_TYPE, subject_id=letter.pk)
    assert clock.met_at == letter.signed_at
    assert letter not in selectors.letters_to_sign(hexie_lobby)
    assert "我确认并签署" not in client.get(letter.get_absolute_url()).content.decode()


def test_nobody_signs_for_someone_else_and_a_second_tap_changes_nothing(issued, hexie_lobby, hexie_manager):
    letter = _letter_of("hexie_lobby")
    before = footprint()
    with pytest.raises(NotAllowed):
        services.sign(actor=hexie_manager, letter=letter)  # her head sees it but cannot sign it
    assert footprint() == before
    services.sign(actor=hexie_lobby, letter=letter)
    before = footprint()
    with pytest.raises(InvalidInput):
        services.sign(actor=hexie_lobby, letter=letter)
    assert footprint() == before


def test_the_page_refuses_a_signature_from_the_head_and_from_a_sibling(
    client, issued, hexie_manager, other_manager
):
    letter = _letter_of("hexie_lobby")
    client.force_login(hexie_manager.user)
    assert client.post(f"/security/letters/{letter.pk}/sign/").status_code == 403
    client.force_login(other_manager.user)
    assert client.post(f"/security/letters/{letter.pk}/sign/").status_code == 404
    assert client.get(letter.get_absolute_url()).status_code == 404
    letter.refresh_from_db()
    assert letter.status == Status.PENDING


def test_the_outlet_head_signs_the_outlet_letter_and_a_late_signature_is_marked(
    issued, hexie_manager, hexie_lobby, march
):
    letter = Letter.objects.get(kind=Kind.UNIT, unit__code="JN0101")
    assert letter in selectors.letters_to_sign(hexie_manager)
    assert letter not in selectors.letters_to_sign(hexie_lobby)
    with pytest.raises(NotAllowed):
        services.sign(actor=hexie_lobby, letter=letter)
    march.advance(days=10)  # 3月12日
    services.sign(actor=hexie_manager, letter=letter)
    letter.refresh_from_db()
    assert letter.is_signed and letter.signed_late
