"""Head office sets the inspection schedule as data (本行设定), which the coverage and its warnings follow;
an accountability record opened by a 重大安全隐患 is decided by a leader of the unit above, once."""

from datetime import datetime

import pytest

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.orgs.models import Person
from yingji.security import accountability, coverage, coverage_jobs, services
from yingji.security.models import Accountability, AccountabilityStatus, Outcome

pytestmark = pytest.mark.django_db


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


def test_the_settings_are_the_defaults_until_head_office_sets_the_schedule(demo, settings):
    settings.YINGJI_INSPECTION_EVERY_MONTHS = {"outlet": 1, "sub_branch": 3, "branch": 3}
    assert coverage.schedule() == {"outlet": 1, "sub_branch": 3, "branch": 3}
    hq_duty = _person("hq_duty")
    services.set_schedule(actor=hq_duty, unit_type="outlet", every_months=3)
    services.set_schedule(actor=hq_duty, unit_type="branch", every_months=0)
    assert coverage.schedule() == {"outlet": 3, "sub_branch": 3}
    entry = AuditEntry.objects.filter(action="security.set_schedule").latest("seq")
    assert entry.data == {"unit_type": "branch", "before": 3, "after": 0}


def test_only_head_offices_emergency_administrator_sets_it_and_bad_values_are_refused(demo):
    before = footprint()
    with pytest.raises(NotAllowed):
        services.set_schedule(actor=_person("branch_duty"), unit_type="outlet", every_months=3)
    with pytest.raises(InvalidInput) as refused:
        services.set_schedule(actor=_person("hq_duty"), unit_type="department", every_months=5)
    assert set(refused.value.fields) == {"unit_type", "every_months"}
    assert footprint() == before


def test_the_warning_follows_the_schedule_head_office_set(conduct, settings):
    settings.YINGJI_INSPECTION_WARN_DAYS = 7
    settings.YINGJI_INSPECTION_EVERY_MONTHS = {"outlet": 1}
    services.set_schedule(actor=_person("hq_duty"), unit_type="outlet", every_months=3)
    # 26 March is 6 days before the quarter ends; 26 February is not near any quarter's end.
    with clock.frozen(datetime(2026, 2, 24, 9, tzinfo=clock.SHANGHAI)):
        assert coverage_jobs.check() == 0
    with clock.frozen(datetime(2026, 3, 26, 9, tzinfo=clock.SHANGHAI)):
        assert coverage_jobs.check() > 0


def test_the_schedule_page_shows_the_banks_setting_and_saves_for_head_office(client, demo):
    client.force_login(_person("branch_duty").user)
    page = client.get("/security/schedule/")
    assert page.status_code == 200 and "yj-schedule" in page.content.decode()
    assert client.post("/security/schedule/", {"unit_type": "outlet", "every_months": "3"}).status_code == 403
    client.force_login(_person("hq_duty").user)
    assert client.post("/security/schedule/", {"unit_type": "outlet", "every_months": "9"}).status_code == 400
    client.post("/security/schedule/", {"unit_type": "outlet", "every_months": "3"})
    assert coverage.schedule()["outlet"] == 3


@pytest.fixture
def record(conduct, hexie_guard) -> Accountability:
    conduct({"fire-1": "灭火器过期且无人检查。"}, major="fire-1", responsible=hexie_guard)
    return Accountability.objects.get()


def test_a_leader_of_the_unit_above_decides_with_reasons_once(record, hexie_president):
    fine = Outcome.objects.get(name="经济处罚")
    with pytest.raises(InvalidInput) as refused:
        accountability.decide(actor=hexie_president, record=record, outcome=fine, reasons="")
    assert "reasons" in refused.value.fields
    accountability.decide(actor=hexie_president, record=record, outcome=fine, reasons="未按月检查灭火器")
    record.refresh_from_db()
    assert (record.status, record.outcome, record.decided_by) == (
        AccountabilityStatus.DECIDED,
        fine,
        hexie_president,
    )
    entry = AuditEntry.objects.filter(action="security.decide_accountability").latest("seq")
    assert entry.data["decision"] == "经济处罚" and entry.data["person"] == "施保安"
    before = footprint()
    with pytest.raises(InvalidTransition):
        accountability.decide(actor=hexie_president, record=record, outcome=fine, reasons="再次处理")
    assert footprint() == before


def test_the_outlets_own_head_and_other_branches_cannot_decide(record, demo):
    fine = Outcome.objects.get(code="criticism")
    before = footprint()
    with pytest.raises(NotAllowed):
        accountability.decide(actor=_person("hexie_manager"), record=record, outcome=fine, reasons="x")
    with pytest.raises(NotVisible):
        accountability.decide(actor=_person("other_manager"), record=record, outcome=fine, reasons="x")
    assert footprint() == before


def test_the_accountability_pages_are_scoped_and_decide(client, record, hexie_president, demo):
    client.force_login(_person("other_manager").user)
    assert "施保安" not in client.get("/security/accountability/").content.decode()
    assert client.get(record.get_absolute_url()).status_code == 404
    client.force_login(_person("hexie_manager").user)
    page = client.get(record.get_absolute_url()).content.decode()
    assert "施保安" in page and "yj-decide" not in page
    assert client.post(record.get_absolute_url(), {"outcome": "1", "reasons": "x"}).status_code == 403
    client.force_login(hexie_president.user)
    assert "yj-decide" in client.get(record.get_absolute_url()).content.decode()
    exempt = Outcome.objects.get(code="exempt")
    client.post(record.get_absolute_url(), {"outcome": str(exempt.pk), "reasons": "设备厂家责任"})
    record.refresh_from_db()
    assert record.outcome == exempt and record.decision == "设备厂家责任"
    assert "免责" in client.get("/security/accountability/").content.decode()
