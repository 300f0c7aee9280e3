"""Drill compliance: every outlet drills every quarter (本行设定 as a requirement), the page's matrices of
units × quarters and plans × last drilled, the daily warnings (once per unit and quarter), and the
requirements page that only head office's 应急管理员 changes."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.testing import footprint
from yingji.drills import compliance, compliance_jobs, requirements, services
from yingji.drills.compliance import State
from yingji.drills.models import Drill, Requirement
from yingji.notify.models import Notice
from yingji.orgs import services as orgs
from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan

INJURED = "outlet-service-customer-injured"


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=clock.SHANGHAI)


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


@pytest.fixture
def quarterly(library) -> Requirement:
    """The default requirement: outlets every 3 months, warned 15 days before a quarter ends."""
    Requirement.objects.all().delete()
    requirement = requirements.ensure_default()
    assert requirement is not None
    return requirement


def _ran(*, organiser: str, taking_part: list[str], on: str, planner: str = "hexie_admin") -> Drill:
    """A drill of `organiser` with `taking_part`, briefed and started on `on` (its clock ran then)."""
    admin = _person(planner)
    drill = services.create_from_plan(
        actor=admin.user,
        unit=Unit.objects.get(code=organiser),
        units=list(Unit.objects.filter(code__in=taking_part)),
        plan=Plan.objects.get(code=INJURED),
    )
    services.add_participant(actor=admin.user, drill=drill, role="controller", person=admin)
    services.issue_briefing(actor=admin.user, drill=drill)
    drill.refresh_from_db()
    with clock.frozen(_at(on)):
        services.start_run(actor=admin.user, drill=drill)
    return drill


def _told(unit_code: str) -> list[Notice]:
    return list(
        Notice.objects.filter(subject_type=compliance_jobs.UNIT_SUBJECT, unit__code=unit_code).select_related(
            "recipient"
        )
    )


# --- The warnings ----------------------------------------------------------------------------------


def test_an_outlet_with_no_drill_this_quarter_is_warned_once_within_fifteen_days_of_its_end(quarterly):
    # 2026-12-17: fifteen days left in the fourth quarter, today counted. 和谐路营业部 has not drilled.
    with clock.frozen(_at("2026-12-16", 8)):
        compliance_jobs.check()
    assert _told("JN0101") == [], "sixteen days before the end is not yet within the warning"

    with clock.frozen(_at("2026-12-17", 8)):
        compliance_jobs.check()
    notices = _told("JN0101")
    assert "郑和谐" in {n.recipient.name for n in notices}, "the outlet's head is told"
    first = notices[0]
    assert "和谐路营业部" in first.title and "15" in first.title and "第4季度" in first.title
    assert "本行设定" in first.body and "2026-10-01" in first.body and "2026-12-31" in first.body

    # The next day 刘和谐 is the outlet's 带班领导: the outlet was warned this quarter, so not even he is.
    orgs.assign_duty_leader(
        actor=_person("hexie_admin").user,
        unit=Unit.objects.get(code="JN0101"),
        on_date=_at("2026-12-18").date(),
        leader=_person("hexie_president"),
    )
    with clock.frozen(_at("2026-12-18", 8)):
        compliance_jobs.check()
    assert len(_told("JN0101")) == len(notices), "the next day's run tells nobody again"


def test_an_outlet_that_drilled_this_quarter_is_not_warned(quarterly):
    _ran(organiser="JN01", taking_part=["JN0101"], on="2026-11-05")
    with clock.frozen(_at("2026-12-20", 8)):
        compliance_jobs.check()
    assert _told("JN0101") == []
    assert _told("JN0102") != [], "its neighbour 和谐广场网点 did not drill and is told"


def test_a_sub_branch_drill_with_the_outlet_taking_part_counts_for_the_outlet(quarterly):
    _ran(organiser="JN01", taking_part=["JN01", "JN0102"], on="2026-10-20")
    with clock.frozen(_at("2026-12-20", 8)):
        matrix = compliance.units_matrix(viewer=_person("hq_duty").user, year=2026)[0]
    cells = {row.unit.code: row.cells[3] for row in matrix.rows}
    assert cells["JN0102"].state == State.DONE and cells["JN0102"].drilled_on[0].isoformat() == "2026-10-20"
    assert cells["JN0101"].state == State.DUE_SOON and cells["JN0101"].days_left == 12


def test_a_drill_of_last_quarter_does_not_count_for_this_one(quarterly):
    _ran(organiser="JN01", taking_part=["JN0101"], on="2026-09-30")
    with clock.frozen(_at("2026-12-20", 8)):
        compliance_jobs.check()
        matrix = compliance.units_matrix(viewer=_person("hq_duty").user, year=2026)[0]
    row = next(r for r in matrix.rows if r.unit.code == "JN0101")
    assert [c.state for c in row.cells] == [State.MISSING, State.MISSING, State.DONE, State.DUE_SOON]
    assert _told("JN0101") != []


def test_a_plan_not_drilled_in_twelve_months_warns_head_office_once_a_quarter(quarterly):
    _ran(organiser="JN01", taking_part=["JN0101"], on="2025-11-20")
    plan = Plan.objects.get(code=INJURED)
    told = Notice.objects.filter(subject_type=compliance_jobs.PLAN_SUBJECT)
    with clock.frozen(_at("2026-11-19", 8)):
        compliance_jobs.check()
    assert str(plan) not in told.get().body, "drilled eleven months and thirty days ago: in time"
    told.delete()

    with clock.frozen(_at("2026-11-21", 8)):
        compliance_jobs.check()
        compliance_jobs.check()
    assert {n.recipient.user.username for n in told} == {"hq_duty"}, "head office's 应急管理员, once"
    notice = told.get()
    assert f"{plan}：最近一次演练于2025-11-20" in notice.body.replace(": ", "：")
    assert "12个月" in notice.title and "本行设定" in notice.body and "2026年第4季度" in notice.body

    with clock.frozen(_at("2027-01-05", 8)):
        compliance_jobs.check()
    assert told.all().count() == 2, "told again in the next quarter, while it stays undrilled"


# --- The matrices ----------------------------------------------------------------------------------


def test_the_matrix_marks_each_quarter_done_missing_due_soon_or_not_yet(quarterly):
    _ran(organiser="JN01", taking_part=["JN0101"], on="2026-02-10")
    with clock.frozen(_at("2026-05-01", 8)):
        matrix = compliance.units_matrix(viewer=_person("hq_duty").user, year=2026)[0]
    row = next(r for r in matrix.rows if r.unit.code == "JN0101")
    assert [c.state for c in row.cells] == [State.DONE, State.OPEN, State.FUTURE, State.FUTURE]
    other = next(r for r in matrix.rows if r.unit.code == "JB0101")
    assert other.cells[0].state == State.MISSING
    assert len(matrix.rows) == 8, "head office sees every outlet of the demo bank"


def test_a_branch_viewer_sees_only_the_units_of_their_branch(quarterly, client):
    _ran(organiser="JB01", taking_part=["JB0101"], on="2026-02-10", planner="chengbei_admin")
    with clock.frozen(_at("2026-05-01", 8)):
        matrix = compliance.units_matrix(viewer=_person("branch_duty").user, year=2026)[0]
        plans = {r.plan.code: r for r in compliance.plans_for(viewer=_person("branch_duty").user)}
        client.force_login(_person("branch_duty").user)
        page = client.get(reverse("drills:compliance"), {"year": 2026}).content.decode()
    assert {r.unit.code for r in matrix.rows} == {"JN0101", "JN0102", "JN0201", "JN0202"}
    assert plans[INJURED].last_drilled_at is None, "江北's drill is not 江南's to see"
    assert "城北营业部" not in page and "和谐路营业部" in page


def test_the_page_reads_a_bounded_number_of_queries_for_head_office(
    quarterly, client, django_assert_max_num_queries
):
    for code in ("JN0101", "JN0102"):
        _ran(organiser="JN01", taking_part=[code], on="2026-03-10")
    client.force_login(_person("hq_duty").user)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("drills:compliance"), {"year": 2026, "type": "outlet"})
    assert response.status_code == 200
    assert "本行设定" in response.content.decode()


def test_a_year_the_page_does_not_offer_shows_this_year_with_a_message(quarterly, client):
    client.force_login(_person("hexie_manager").user)
    response = client.get(reverse("drills:compliance"), {"year": "99999", "type": "nonsense"})
    page = response.content.decode()
    assert response.status_code == 200 and "筛选条件无效" in page and "和谐路营业部" in page


# --- The requirements page -------------------------------------------------------------------------


def test_head_office_adds_changes_and_switches_off_a_requirement_with_audit(quarterly, client):
    client.force_login(_person("hq_duty").user)
    response = client.post(
        reverse("drills:requirements"), {"unit_type": "sub_branch", "every_months": "6", "warn_days": "30"}
    )
    assert response.status_code == 302
    added = Requirement.objects.get(unit_type="sub_branch")
    assert (added.every_months, added.warn_days, added.active) == (6, 30, True)

    client.post(
        reverse("drills:requirement_edit", args=[added.pk]),
        {"every_months": "12", "warn_days": "20", "note": "支行每年一次", "active": "on"},
    )
    client.post(reverse("drills:requirement_switch", args=[added.pk]), {"active": "0"})
    added.refresh_from_db()
    assert (added.every_months, added.warn_days, added.active) == (12, 20, False)
    actions = list(
        AuditEntry.objects.filter(object_type="drills.requirement", object_id=str(added.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["drill_requirement.add", "drill_requirement.update", "drill_requirement.switch"]


def test_a_branch_administrator_reads_the_requirements_but_cannot_change_them(quarterly, client):
    client.force_login(_person("branch_duty").user)
    page = client.get(reverse("drills:requirements"))
    assert page.status_code == 200 and "本行设定" in page.content.decode()
    assert 'name="warn_days"' not in page.content.decode()
    before = footprint()
    assert (
        client.post(
            reverse("drills:requirements"),
            {"unit_type": "sub_branch", "every_months": "6", "warn_days": "30"},
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("drills:requirement_switch", args=[quarterly.pk]), {"active": "0"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("drills:requirement_edit", args=[quarterly.pk]), {"every_months": "1", "warn_days": "5"}
        ).status_code
        == 403
    )
    assert footprint() == before, "a refusal changes nothing"


def test_a_warning_that_would_fall_outside_the_period_is_refused(quarterly, client):
    client.force_login(_person("hq_duty").user)
    before = footprint()
    response = client.post(
        reverse("drills:requirements"), {"unit_type": "branch", "every_months": "1", "warn_days": "40"}
    )
    assert response.status_code == 200 and "27" in response.content.decode()
    assert footprint() == before


# --- Starting it -----------------------------------------------------------------------------------


def test_load_drill_templates_sets_the_default_once_and_starts_one_daily_check(library):
    Requirement.objects.all().delete()
    for _twice in range(2):
        call_command("load_drill_templates", stdout=StringIO())
    assert list(Requirement.objects.values_list("unit_type", "every_months", "warn_days", "plan")) == [
        ("outlet", 3, 15, None)
    ]
    waiting = DBTaskResult.objects.filter(task_path=compliance_jobs.daily_check.module_path, status="READY")
    assert waiting.count() == 1


def test_the_daily_check_schedules_its_next_run_for_tomorrow_morning(quarterly):
    with clock.frozen(_at("2026-12-20", 8)):
        compliance_jobs.daily_check.func(None)  # the job's body, as a worker runs it
    waiting = DBTaskResult.objects.get(task_path=compliance_jobs.daily_check.module_path, status="READY")
    assert waiting.run_after == _at("2026-12-21", 8)
