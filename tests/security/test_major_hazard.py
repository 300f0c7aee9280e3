"""A 重大安全隐患 tells the unit's leaders at once and opens an accountability record for the person
responsible (seed 001: 对重大安全隐患的责任人及时进行处罚)."""

from datetime import timedelta

import pytest

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import InvalidInput
from yingji.core.testing import footprint
from yingji.corrective.models import CorrectiveAction, Grade
from yingji.notify.models import Notice
from yingji.security import services
from yingji.security.alarms import SUBJECT_TYPE
from yingji.security.models import Accountability, Result

pytestmark = pytest.mark.django_db


def test_a_major_hazard_notifies_the_leaders_at_once(
    conduct, hexie_guard, hexie_manager, hexie_president, settings
):
    settings.YINGJI_INSPECTION_MAJOR_DAYS = 7
    inspection = conduct(
        {"electric-2": "配电箱旁私拉电线，插座烧焦。", "fire-2": "安全出口堆放纸箱。"},
        major="electric-2",
        responsible=hexie_guard,
        sign=False,
    )
    assert not Notice.objects.filter(subject_type=SUBJECT_TYPE).exists()

    services.sign_as_inspector(actor=inspection.inspector, inspection=inspection)

    # At once: the notices exist when the signing returns, no job or deadline in between.
    told = {n.recipient for n in Notice.objects.filter(subject_type=SUBJECT_TYPE, subject_id=inspection.pk)}
    assert {hexie_manager, hexie_president} <= told  # the outlet's head and the sub-branch's
    notice = Notice.objects.filter(subject_type=SUBJECT_TYPE, recipient=hexie_manager).get()
    assert "配电箱旁私拉电线" in notice.body and hexie_guard.name in notice.body
    assert inspection.unit.name in notice.title

    record = Accountability.objects.get()
    assert record.person == hexie_guard and record.unit == inspection.unit and record.decided_at is None
    assert AuditEntry.objects.filter(action="security.open_accountability").count() == 1

    # The hazard's rectification is graver and due sooner (本行设定) than an ordinary one.
    major = CorrectiveAction.objects.get(findings__inspection_link__result__major_hazard=True)
    ordinary = CorrectiveAction.objects.get(findings__inspection_link__result__major_hazard=False)
    assert major.findings.get().grade == Grade.DEFICIENCY
    assert ordinary.findings.get().grade == Grade.RECTIFICATION
    last_day = clock.local_today() + timedelta(days=7)
    assert major.due_at.astimezone(clock.SHANGHAI).date() == last_day + timedelta(days=1)
    assert "7" in major.due_rule and major.due_at < ordinary.due_at


def test_an_ordinary_failure_tells_no_leader(conduct):
    conduct({"fire-2": "安全出口堆放纸箱。"})
    assert not Notice.objects.filter(subject_type=SUBJECT_TYPE).exists()
    assert not Accountability.objects.exists()


def test_a_major_hazard_names_the_person_responsible(conduct, hexie_admin):
    inspection = conduct(sign=False)
    result = inspection.results.first()
    result.inspection = inspection
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.record_item(
            actor=hexie_admin, result=result, outcome=Result.FAIL, note="电线裸露。", major_hazard=True
        )
    assert "responsible" in refused.value.fields
    assert footprint() == before
