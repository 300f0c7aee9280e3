"""Submitting a proposal tells its reviewer; sending it back tells the handler — in Chinese."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.complaints import services
from yingji.core.errors import InvalidInput
from yingji.core.testing import footprint
from yingji.notify.models import Notice

pytestmark = pytest.mark.django_db


def told(complaint) -> list[Notice]:
    return list(Notice.objects.filter(subject_id=complaint.pk, subject_type="complaints.complaint"))


def test_the_outlet_head_is_told_of_a_proposal_to_review_in_chinese(
    library, register, hexie_lobby, hexie_manager
):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)

    with translation.override("zh-hans"):
        services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="属实", proposal="致歉")

    notices = told(complaint)
    assert [n.recipient for n in notices] == [hexie_manager]
    assert notices[0].title == f"待审核的处理意见：投诉 {complaint.number}"
    assert "致歉" in notices[0].body


def test_the_handler_is_told_when_the_proposal_is_sent_back(library, register, hexie_lobby, hexie_manager):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="属实", proposal="致歉")

    with translation.override("zh-hans"):
        services.return_proposal(reviewer=hexie_manager, complaint=complaint, reason="补充赔偿依据")

    back = [n for n in told(complaint) if n.recipient == hexie_lobby]
    assert len(back) == 1
    assert back[0].title == f"处理意见被退回：投诉 {complaint.number}"
    assert "补充赔偿依据" in back[0].body


def test_a_refused_send_back_tells_nobody(library, register, hexie_lobby, hexie_manager):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="属实", proposal="致歉")
    before = footprint()

    with pytest.raises(InvalidInput):
        services.return_proposal(reviewer=hexie_manager, complaint=complaint, reason=" ")

    assert footprint() == before


def test_the_notice_titles_are_translated():
    with translation.override("zh-hans"):
        for msgid in ("Proposal to review: complaint %(number)s", "Proposal sent back: complaint %(number)s"):
            assert _(msgid) != msgid
