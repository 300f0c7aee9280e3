"""A session from plan to record: staff sign in on their phones within the window the bank set, the
trainer marks who came without signing in, and the attendance is made final. Refusals change nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.training import services
from yingji.training.models import How, Material, Session, Status

from .conftest import START

pytestmark = pytest.mark.django_db


def test_a_planned_session_expects_the_chosen_staff_and_is_audited(plan, hexie_outlet):
    session = plan()
    assert session.status == Status.PLANNED
    assert session.attendances.count() == services.staff_of(hexie_outlet).count() == 6
    entry = AuditEntry.objects.filter(action="training.plan").latest("seq")
    assert entry.data["topic"] == "网点八类突发事件的应对" and entry.data["count"] == 6


def test_the_first_sign_in_on_a_phone_marks_the_session_held(plan, hexie_teller, hexie_guard):
    session = plan()
    with clock.frozen(START + timedelta(minutes=3)):
        row = services.sign_in(actor=hexie_teller, session=session)
        services.sign_in(actor=hexie_guard, session=session)
    session.refresh_from_db()
    assert session.status == Status.HELD and row.how == How.SIGNED_IN
    assert session.attendances.filter(attended_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("offset", "opens"),
    [
        (-timedelta(minutes=16), False),
        (-timedelta(minutes=15), True),
        (timedelta(minutes=120), True),
        (timedelta(minutes=121), False),
        (timedelta(days=1), False),
    ],
)
def test_sign_in_is_open_from_15_minutes_before_to_30_after_the_end(plan, hexie_teller, offset, opens):
    session = plan()  # 15:00–16:30; the window is 14:45–17:00 (set by the bank)
    with clock.frozen(START + offset):
        if opens:
            services.sign_in(actor=hexie_teller, session=session)
        else:
            before = footprint()
            with pytest.raises(InvalidInput, match=r"签到时间为|Sign-in is open"):
                services.sign_in(actor=hexie_teller, session=session)
            assert footprint() == before


def test_someone_not_expected_cannot_sign_in_and_nothing_changes(plan, plaza_manager):
    session = plan()
    before = footprint()
    with clock.frozen(START), pytest.raises(NotAllowed):
        services.sign_in(actor=plaza_manager, session=session)
    assert footprint() == before


def test_signing_in_twice_is_refused(plan, hexie_teller):
    session = plan()
    with clock.frozen(START):
        services.sign_in(actor=hexie_teller, session=session)
        before = footprint()
        with pytest.raises(InvalidInput):
            services.sign_in(actor=hexie_teller, session=session)
    assert footprint() == before


def test_the_trainer_marks_attendance_afterwards_with_a_reason_then_records(
    plan, hexie_admin, hexie_teller, hexie_guard
):
    session = plan()
    with clock.frozen(START + timedelta(minutes=1)):
        services.sign_in(actor=hexie_teller, session=session)
    with clock.frozen(START + timedelta(hours=3)):
        with pytest.raises(InvalidInput):
            services.mark(actor=hexie_admin, session=session, person=hexie_guard, present=True, reason="")
        row = services.mark(
            actor=hexie_admin, session=session, person=hexie_guard, present=True, reason="到场，手机没电。"
        )
        assert row.how == How.MARKED and row.marked_by == hexie_admin
        services.record(actor=hexie_admin, session=session)
        session.refresh_from_db()
        assert session.status == Status.RECORDED
        # Recorded: attendance is final, and sign-in is closed.
        with pytest.raises(InvalidInput):
            services.mark(
                actor=hexie_admin, session=session, person=hexie_teller, present=False, reason="误签"
            )
    entry = AuditEntry.objects.filter(action="training.mark").latest("seq")
    assert entry.data["person"] == hexie_guard.name and entry.data["reason"] == "到场，手机没电。"


def test_only_the_trainer_or_who_answers_for_the_unit_runs_a_session(plan, hexie_teller, other_manager):
    session = plan()
    with clock.frozen(START):
        with pytest.raises(NotAllowed):
            services.hold(actor=hexie_teller, session=session)
        with pytest.raises(NotVisible):
            services.hold(actor=other_manager, session=session)
    session.refresh_from_db()
    assert session.status == Status.PLANNED


def test_one_transition_table_refuses_holding_a_recorded_or_cancelled_session(plan, hexie_admin):
    session = plan()
    with clock.frozen(START - timedelta(days=1)):
        services.cancel(actor=hexie_admin, session=session, reason="台风停课")
        with pytest.raises(InvalidTransition):
            services.cancel(actor=hexie_admin, session=session, reason="再取消")
    with clock.frozen(START), pytest.raises(InvalidTransition):
        services.hold(actor=hexie_admin, session=session)
    assert Session.objects.get(pk=session.pk).status == Status.CANCELLED


def test_a_session_cannot_be_recorded_before_it_ends(plan, hexie_admin):
    session = plan()
    with clock.frozen(START + timedelta(minutes=10)):
        services.hold(actor=hexie_admin, session=session)
        with pytest.raises(InvalidInput):
            services.record(actor=hexie_admin, session=session)


def test_planning_checks_its_input(hexie_admin, hexie_outlet, quarterly, plaza_manager):
    before = footprint()
    with clock.frozen(START), pytest.raises(InvalidInput) as refused:
        services.plan_session(
            actor=hexie_admin,
            unit=hexie_outlet,
            kind=quarterly,
            topic="",
            starts_at=START + timedelta(hours=2),
            ends_at=START + timedelta(hours=1),
            attendees=[plaza_manager],
        )
    assert set(refused.value.fields) >= {"topic", "ends_at", "attendees", "trainer"}
    assert footprint() == before


def test_materials_are_checked_by_content_not_by_name(plan, hexie_admin):
    session = plan()
    fake = SimpleUploadedFile("课件.pdf", b"MZ\x90\x00 an executable")
    with pytest.raises(InvalidInput):
        services.add_material(actor=hexie_admin, session=session, upload=fake)
    assert not Material.objects.exists() and not list(services.folder().glob("*"))
    real = SimpleUploadedFile("课件.pdf", b"%PDF-1.4\n%...\n")
    material = services.add_material(actor=hexie_admin, session=session, upload=real)
    assert material.content_type == "application/pdf" and services.path_of(material).exists()


def test_a_material_larger_than_the_bank_allows_is_refused(plan, hexie_admin, settings):
    settings.YINGJI_TRAINING_MATERIAL_MAX_MB = 1
    session = plan()
    big = SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    with pytest.raises(InvalidInput, match="1 MB"):
        services.add_material(actor=hexie_admin, session=session, upload=big)
    assert not Material.objects.exists()
