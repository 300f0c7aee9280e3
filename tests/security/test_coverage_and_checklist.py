"""Coverage: units × periods, and a warning before a period ends for units not yet inspected, once per
unit and period. The checklist: the seed's five areas, extended by head office."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from yingji.core import clock
from yingji.core.errors import NotAllowed
from yingji.notify.models import Notice
from yingji.orgs.models import Unit
from yingji.security import checklists, coverage, coverage_jobs, services
from yingji.security.models import Area, ChecklistItem

pytestmark = pytest.mark.django_db


def test_the_checklist_ships_the_seeds_five_areas_and_loads_twice_without_duplicates(demo):
    call_command("load_security_checklists", stdout=StringIO())
    call_command("load_security_checklists", stdout=StringIO())
    assert list(Area.objects.values_list("name", flat=True)) == [
        "规章制度健全性",
        "责任制度落实",
        "用电安全",
        "防火安全",
        "安全防范器械及报警操作",
    ]
    assert all(area.items.count() >= 4 for area in Area.objects.all())
    assert ChecklistItem.objects.count() == sum(len(items) for *_, items in checklists.AREAS)


def test_head_office_security_extends_the_checklist_and_the_next_inspection_has_it(
    checklist, hq_security, hexie_admin, hexie_outlet, now
):
    area = Area.objects.get(code="fire")
    with pytest.raises(NotAllowed):
        services.add_checklist_item(actor=hexie_admin, area=area, text="厨房燃气阀门关闭")
    item = services.add_checklist_item(actor=hq_security, area=area, text="厨房燃气阀门下班后关闭")
    inspection = services.start_inspection(actor=hexie_admin, unit=hexie_outlet)
    assert inspection.results.filter(item=item, area_name="防火安全").exists()


def test_units_not_inspected_are_warned_once_before_the_month_ends(conduct, settings):
    settings.YINGJI_INSPECTION_WARN_DAYS = 7
    settings.YINGJI_INSPECTION_EVERY_MONTHS = {"outlet": 1}
    # 和谐路营业部 is inspected on 20 March; the check runs on 26 March, 6 days before the month ends.
    with clock.frozen(datetime(2026, 3, 20, 10, tzinfo=clock.SHANGHAI)):
        conduct({"fire-1": "灭火器过期。"})
    with clock.frozen(datetime(2026, 3, 26, 9, tzinfo=clock.SHANGHAI)):
        warned = coverage_jobs.check()
        again = coverage_jobs.check()
    outlets = Unit.objects.filter(type="outlet", is_active=True).count()
    assert warned == outlets - 1 and again == 0
    notices = Notice.objects.filter(subject_type=coverage_jobs.SUBJECT_TYPE)
    assert not notices.filter(unit__code="JN0101").exists()
    plaza = notices.filter(unit__code="JN0102")
    assert plaza.exists() and "本行设定" in plaza.first().body and "6" in plaza.first().title


def test_no_warning_earlier_in_the_period(conduct, settings):
    settings.YINGJI_INSPECTION_WARN_DAYS = 7
    with clock.frozen(datetime(2026, 3, 10, 9, tzinfo=clock.SHANGHAI)):
        assert coverage_jobs.check() == 0


def test_the_coverage_matrix_counts_inspections_failures_and_open_rectifications(
    conduct, branch_duty, other_manager, settings
):
    settings.YINGJI_INSPECTION_EVERY_MONTHS = {"outlet": 1, "sub_branch": 3}
    with clock.frozen(datetime(2026, 3, 20, 10, tzinfo=clock.SHANGHAI)):
        conduct({"fire-1": "灭火器过期。", "fire-2": "通道堵塞。"})
    with clock.frozen(datetime(2026, 5, 20, 10, tzinfo=clock.SHANGHAI)):
        matrices = coverage.matrices(branch_duty.user, year=2026)
    outlets = next(m for m in matrices if m.unit_type == "outlet")
    row = next(r for r in outlets.rows if r.unit.code == "JN0101")
    march = row.cells[2]
    assert (march.done, march.failed, march.open, march.overdue) == (1, 2, 2, 2)
    assert row.cells[3].missed and not row.cells[4].missed  # April missed; May still running
    # A sibling branch's outlet head sees none of 江南's units.
    with clock.frozen(datetime(2026, 5, 20, 10, tzinfo=clock.SHANGHAI)):
        theirs = coverage.matrices(other_manager.user, year=2026)
    assert all(r.unit.code.startswith("JB") for m in theirs for r in m.rows)
