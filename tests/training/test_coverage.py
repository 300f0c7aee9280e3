"""Coverage per quarter (sessions held by kind, share of staff with a 季度安全教育), the warning before a
quarter ends for units that have not held theirs (once per unit and period), and the year's figures the
summary reads."""

from datetime import datetime, timedelta

import pytest

from yingji.core import clock
from yingji.notify.models import Notice
from yingji.orgs.models import Unit
from yingji.training import coverage, jobs, services
from yingji.training.figures import KEYS, year_figures
from yingji.training.models import Cadence, SessionKind

from .conftest import START

pytestmark = pytest.mark.django_db


def _hold(session, signers, trainer):
    with clock.frozen(session.starts_at) as frozen:
        for person in signers:
            services.sign_in(actor=person, session=session)
            frozen.advance(minutes=1)
    with clock.frozen(session.ends_at + timedelta(minutes=1)):
        if session.status == "planned":
            services.hold(actor=trainer, session=session)
        services.record(actor=trainer, session=session)


def test_the_coverage_counts_sessions_by_kind_and_the_share_of_staff_trained(
    plan, hexie_admin, hexie_teller, hexie_guard, hexie_outlet
):
    _hold(plan(), [hexie_teller, hexie_guard], hexie_admin)  # Q2: 2 of 6 staff
    fire = SessionKind.objects.get(code="fire")
    _hold(plan(kind=fire, start=START + timedelta(days=1)), [hexie_teller], hexie_admin)
    with clock.frozen(datetime(2026, 12, 1, 9, tzinfo=clock.SHANGHAI)):
        quarters, rows = coverage.rows(hexie_admin.user, year=2026)
    row = next(r for r in rows if r.unit == hexie_outlet)
    q1, q2 = row.cells[0], row.cells[1]
    assert q2.held == {"季度安全教育": 1, "消防教育": 1}
    # Only the quarterly safety education counts for the share: 2 of 6.
    assert (q2.trained, q2.staff, q2.share) == (2, 6, 33)
    assert q1.held == {} and "季度安全教育" in q1.missing and q2.missing == ["拒腐防变警示教育"]
    assert len(quarters) == 4


def test_the_coverage_shows_only_the_units_the_viewer_sees(plaza_manager, branch_duty):
    with clock.frozen(START):
        _, mine = coverage.rows(plaza_manager.user, year=2026)
        _, branch = coverage.rows(branch_duty.user, year=2026)
    assert [r.unit.code for r in mine] == ["JN0102"]
    assert {"JN", "JN01", "JN0101", "JN0102", "JN02"} <= {r.unit.code for r in branch}
    assert not any(r.unit.code.startswith("JB") for r in branch)


def test_units_behind_are_warned_once_before_the_quarter_ends(plan, hexie_admin, hexie_teller, settings):
    settings.YINGJI_TRAINING_WARN_DAYS = 14
    Cadence.objects.exclude(unit_type="outlet", kind__code="quarterly_safety").delete()
    _hold(plan(), [hexie_teller], hexie_admin)  # 和谐路营业部 held its Q2 session on 14 May
    with clock.frozen(datetime(2026, 6, 10, 9, tzinfo=clock.SHANGHAI)):  # 21 days left: too early
        assert jobs.check() == 0
    with clock.frozen(datetime(2026, 6, 20, 9, tzinfo=clock.SHANGHAI)):  # 11 days left
        warned = jobs.check()
        again = jobs.check()
    outlets = Unit.objects.filter(type="outlet", is_active=True).count()
    assert warned == outlets - 1 and again == 0
    notices = Notice.objects.filter(subject_type=jobs.SUBJECT_TYPE)
    assert not notices.filter(unit__code="JN0101").exists()
    plaza = notices.filter(unit__code="JN0102").first()
    assert plaza is not None and "季度安全教育" in plaza.title and "本行设定" in plaza.body


def test_a_cancelled_or_merely_planned_session_does_not_count_as_held(plan, settings):
    settings.YINGJI_TRAINING_WARN_DAYS = 14
    Cadence.objects.exclude(unit_type="outlet", kind__code="quarterly_safety").delete()
    plan(start=datetime(2026, 6, 25, 15, tzinfo=clock.SHANGHAI))
    with clock.frozen(datetime(2026, 6, 20, 9, tzinfo=clock.SHANGHAI)):
        jobs.check()
    assert Notice.objects.filter(subject_type=jobs.SUBJECT_TYPE, unit__code="JN0101").exists()


def test_the_year_figures_of_a_unit_and_its_subtree(
    plan, hexie_admin, hexie_teller, hexie_guard, hexie_outlet
):
    _hold(plan(), [hexie_teller, hexie_guard], hexie_admin)
    _hold(plan(start=START + timedelta(days=60)), [hexie_teller], hexie_admin)
    plan(start=START + timedelta(days=120))  # planned, not held: not counted
    sub = Unit.objects.get(code="JN01")
    figures = year_figures(sub, 2026)
    assert tuple(figures) == KEYS
    assert figures["sessions_held"] == 2 and figures["attendances"] == 3 and figures["staff_trained"] == 2
    assert figures["staff"] == services.staff_of(sub).count()
    assert year_figures(hexie_outlet, 2025)["sessions_held"] == 0
    assert year_figures(Unit.objects.get(code="JN02"), 2026)["staff_trained"] == 0


def test_head_office_sets_the_training_schedule_which_the_warning_follows(client, demo, settings):
    from yingji.core.errors import NotAllowed
    from yingji.orgs.models import Person

    settings.YINGJI_TRAINING_WARN_DAYS = 14
    cadence = Cadence.objects.get(unit_type="outlet", kind__code="quarterly_safety")
    Cadence.objects.exclude(pk=cadence.pk).delete()
    hq_duty = Person.objects.get(user__username="hq_duty")
    with pytest.raises(NotAllowed):
        services.set_cadence(
            actor=Person.objects.get(user__username="branch_duty"), cadence=cadence, every_months=0
        )
    services.set_cadence(actor=hq_duty, cadence=cadence, every_months=0)  # not scheduled: nobody warned
    with clock.frozen(datetime(2026, 6, 20, 9, tzinfo=clock.SHANGHAI)):
        assert jobs.check() == 0
    client.force_login(hq_duty.user)
    page = client.get("/security/training/schedule/").content.decode()
    assert "yj-training-schedule" in page
    client.post("/security/training/schedule/", {"cadence": cadence.pk, "every_months": "3"})
    cadence.refresh_from_db()
    assert cadence.every_months == 3
    with clock.frozen(datetime(2026, 6, 20, 9, tzinfo=clock.SHANGHAI)):
        assert jobs.check() > 0
