"""Staff who join during a year whose letters are issued get theirs automatically, whichever way they are
created (the page, the Excel import, the services), and one who moves takes an unsigned letter along.
The reminders come from the letter's deadline clock: the signer before the deadline, the unit after."""

from datetime import date, timedelta

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from yingji.audit.models import AuditEntry
from yingji.deadlines.models import Deadline
from yingji.deadlines.services import fire_due_checkpoints
from yingji.letters import selectors, services
from yingji.letters.models import Kind, Letter, Status
from yingji.letters.reminders import SUBJECT_TYPE
from yingji.notify.models import Notice
from yingji.orgs import services as orgs
from yingji.orgs.models import Person, Unit

pytestmark = pytest.mark.django_db


def _hire(actor: Person, unit_code: str, username: str = "new_teller") -> Person:
    return orgs.create_person(
        actor=actor.user,
        unit=Unit.objects.get(code=unit_code),
        username=username,
        name="新柜员",
        mobile="13812345678",
        position_codes=["teller"],
    )


def test_a_new_employee_gets_a_letter_to_sign(client, issued, hexie_admin, march, settings):
    march.advance(days=30)  # 4月1日: after the year's deadline
    newcomer = _hire(hexie_admin, "JN0101")
    letter = Letter.objects.get(kind=Kind.EMPLOYEE, person=newcomer)
    assert letter.round == issued and letter.year == 2026 and letter.party_a == "和谐路营业部"
    assert settings.YINGJI_LETTER_NEW_STAFF_DAYS == 10
    assert letter.due_at.isoformat() == "2026-04-11T16:00:00+00:00"  # 4月11日 24:00 in Shanghai
    assert "本行设定" in letter.due_rule
    assert AuditEntry.objects.filter(action="letters.issue_newcomer", object_id=str(letter.pk)).exists()
    assert Deadline.objects.filter(subject_type=SUBJECT_TYPE, subject_id=letter.pk).exists()
    assert selectors.letters_to_sign(newcomer) == [letter]
    # They see it on their own page and sign it there.
    client.force_login(newcomer.user)
    assert letter.get_absolute_url() in client.get("/security/letters/mine/").content.decode()
    client.post(f"/security/letters/{letter.pk}/sign/")
    letter.refresh_from_db()
    assert letter.status == Status.SIGNED and not letter.signed_late


def test_one_who_joins_early_signs_by_march_10_and_one_who_joins_near_it_gets_the_banks_days(
    issued, hexie_admin, march
):
    march.advance(days=-5)  # 2月25日: 10 days end before 3月10日
    early = Letter.objects.get(kind=Kind.EMPLOYEE, person=_hire(hexie_admin, "JN0102", "early_one"))
    assert early.due_at.isoformat() == "2026-03-10T16:00:00+00:00" and "3月10日" in early.due_rule
    march.advance(days=10)  # 3月7日: 10 days end on 3月17日
    late = Letter.objects.get(kind=Kind.EMPLOYEE, person=_hire(hexie_admin, "JN0102", "late_one"))
    assert late.due_at.isoformat() == "2026-03-17T16:00:00+00:00" and "本行设定" in late.due_rule


def test_nobody_gets_a_letter_where_none_were_issued(issued, march):
    admin = Person.objects.get(user__username="chengbei_admin")
    newcomer = _hire(admin, "JB0101")
    assert not Letter.objects.filter(person=newcomer).exists()


def test_moving_into_the_branch_brings_a_letter_and_an_unsigned_one_moves_along(issued, hq_duty, march):
    moved = Person.objects.get(user__username="other_manager")
    orgs.update_person(actor=hq_duty.user, person=moved, unit=Unit.objects.get(code="JN0102"))
    letter = Letter.objects.get(kind=Kind.EMPLOYEE, person=moved)
    assert letter.unit.code == "JN0102"
    orgs.update_person(actor=hq_duty.user, person=moved, unit=Unit.objects.get(code="JN0101"))
    letter.refresh_from_db()
    assert letter.unit.code == "JN0101" and letter.party_a == "和谐路营业部"
    assert Letter.objects.filter(person=moved).count() == 1
    assert AuditEntry.objects.filter(action="letters.move").exists()


def test_reminders_before_the_deadline_then_the_unit_when_it_is_missed(issued, hexie_guard, march):
    letter = Letter.objects.get(kind=Kind.EMPLOYEE, person=hexie_guard)
    clock = Deadline.objects.get(subject_type=SUBJECT_TYPE, subject_id=letter.pk)
    march.advance(days=4, hours=12)  # past half the time
    assert fire_due_checkpoints(clock.pk) == ["r50"]
    reminder = Notice.objects.get(subject_type=SUBJECT_TYPE, subject_id=letter.pk)
    assert reminder.recipient == hexie_guard and "员工安全责任书" in reminder.title
    march.advance(days=5)  # 3月11日: overdue
    assert fire_due_checkpoints(clock.pk) == ["due"]
    told = set(
        Notice.objects.filter(subject_type=SUBJECT_TYPE, subject_id=letter.pk).values_list(
            "recipient__user__username", flat=True
        )
    )
    assert {"hexie_guard", "hexie_manager"} <= told
    march.advance(days=1, hours=1)
    assert fire_due_checkpoints(clock.pk) == ["up"]
    # A signed letter's clock is met: nothing more fires.
    other = Letter.objects.get(kind=Kind.EMPLOYEE, person__user__username="hexie_lobby")
    services.sign(actor=other.person, letter=other)
    met = Deadline.objects.get(subject_type=SUBJECT_TYPE, subject_id=other.pk)
    march.advance(days=1)
    assert fire_due_checkpoints(met.pk) == [] and met.due_at - met.started_at > timedelta(days=1)


@given(
    joined=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    days=st.integers(min_value=0, max_value=60),
)
def test_a_newcomer_never_has_less_than_the_banks_days_nor_a_deadline_before_the_years(joined, days):
    with override_settings(YINGJI_LETTER_NEW_STAFF_DAYS=days):
        due, rule = services.newcomer_due(joined, date(2026, 3, 10))
    assert due >= date(2026, 3, 10) and due >= joined + timedelta(days=days)
    assert due in (date(2026, 3, 10), joined + timedelta(days=days))
    assert ("本行设定" in rule) == (due != date(2026, 3, 10))
