"""The year's figures of a unit are those of the unit and the units below it, and of nobody else: the
drills held and their problems, incidents by level and kind, inspections and their rectifications; the
parts other apps count (the annual plan, letters, training, readiness) come from their own figures."""

import pytest

from tests.drills.evaluated import evaluated_drill
from tests.incidents.factories import ReportFactory
from yingji.assessment import figures
from yingji.orgs.models import Unit

from .conftest import FAILURES

pytestmark = pytest.mark.django_db


def test_a_drill_an_incident_and_an_inspection_count_for_the_unit_and_above_not_for_a_sibling(
    library, conduct, now, year
):
    evaluated_drill(now)  # 和谐支行's drill with 和谐路营业部 taking part: one finding, one action
    ReportFactory()  # a customer injured at 和谐路营业部
    conduct(FAILURES)  # 和谐路营业部: two items failed

    hexie = figures.collect(Unit.objects.get(code="JN01"), year)
    f = hexie["figures"]
    assert (f["drills_held"], f["drill_findings"], f["drill_actions_total"]) == (1, 1, 1)
    assert (f["incidents"], f["incidents_level_1"] + f["incidents_level_2"] + f["incidents_level_3"]) == (
        1,
        1,
    )
    assert hexie["incident_kinds"] == [["客户意外受伤", 1]] or hexie["incident_kinds"][0][1] == 1
    assert (f["inspections"], f["items_failed"], f["rectifications_open"]) == (1, 2, 2)
    # The parts of the other apps are there, each from its own figures.
    assert {"tasks_total", "letters_total", "staff_trained", "staff_ready"} <= set(f)
    assert hexie["missing"] == []

    branch = figures.collect(Unit.objects.get(code="JN"), year)["figures"]
    assert (branch["drills_held"], branch["incidents"], branch["items_failed"]) == (1, 1, 2)

    sibling = figures.collect(Unit.objects.get(code="JB"), year)["figures"]
    assert (sibling["drills_held"], sibling["incidents"], sibling["inspections"]) == (0, 0, 0)

    last_year = figures.collect(Unit.objects.get(code="JN01"), year - 1)["figures"]
    assert (last_year["drills_held"], last_year["incidents"], last_year["inspections"]) == (0, 0, 0)


def test_the_drill_requirement_counts_each_outlet_and_quarter_begun_and_those_drilled(library, now, year):
    from yingji.drills import requirements
    from yingji.drills.models import Requirement

    Requirement.objects.all().delete()
    requirements.ensure_default()  # outlets drill every quarter (seed 000)
    evaluated_drill(now)  # 和谐路营业部 took part in 和谐支行's drill this quarter

    quarters_begun = (figures.clock.local_today().month - 1) // 3 + 1
    hexie = figures.collect(Unit.objects.get(code="JN01"), year)["figures"]
    assert hexie["drill_periods_due"] == 2 * quarters_begun  # 和谐支行 has two outlets
    assert hexie["drill_periods_done"] == 1
    plaza = figures.collect(Unit.objects.get(code="JN0102"), year)["figures"]
    assert (plaza["drill_periods_due"], plaza["drill_periods_done"]) == (quarters_begun, 0)
