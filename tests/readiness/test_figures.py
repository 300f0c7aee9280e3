"""A unit's readiness: the share of its staff concerned by a plan who confirmed every card and passed
every quiz; the year's figures for the summary over the unit's subtree."""

from datetime import datetime

from yingji.core import clock
from yingji.orgs.models import Person, Unit
from yingji.readiness import selectors
from yingji.readiness.figures import KEYS, year_figures

from .test_new_version import make_ready


def test_nobody_ready_until_they_confirm_and_pass(hexie_lobby, library):
    outlet = Unit.objects.get(code="JN0101")
    staff = Person.objects.filter(unit=outlet).count()
    before = year_figures(outlet, clock.local_today().year)
    assert set(before) == set(KEYS) and all(isinstance(v, int) for v in before.values())
    assert before["staff_concerned"] == staff and before["staff_ready"] == 0
    assert before["quizzes_passed"] == 0 and before["acknowledgements_due"] > 0

    make_ready(hexie_lobby)
    after = year_figures(outlet, clock.local_today().year)
    cards = sum(len(p.cards) for p in selectors.my_plans(hexie_lobby))
    plans = len(selectors.my_plans(hexie_lobby))
    assert after["staff_ready"] == 1
    assert after["acknowledgements_due"] == before["acknowledgements_due"] - cards
    assert after["quizzes_passed"] == plans
    # The outlet's figures count in the sub-branch's and the branch's, never in the sibling branch's.
    for code in ("JN01", "JN", "HQ"):
        assert year_figures(Unit.objects.get(code=code), clock.local_today().year)["staff_ready"] == 1
    assert year_figures(Unit.objects.get(code="JB"), clock.local_today().year)["staff_ready"] == 0
    # Quizzes passed are the year's: none in the year before.
    assert year_figures(outlet, clock.local_today().year - 1)["quizzes_passed"] == 0


def test_readiness_by_unit_below_on_the_board(hexie_lobby, library):
    make_ready(hexie_lobby)
    lines = dict((u.code, s) for u, s in selectors.by_child(Unit.objects.get(code="JN01")))
    assert lines["JN0101"].ready == 1 and lines["JN0101"].percent == 100 // lines["JN0101"].concerned
    assert lines["JN0102"].ready == 0


def test_a_person_whom_no_plan_names_is_not_counted(library):
    hq = Unit.objects.get(code="HQ")
    rows = selectors.people_readiness(hq)
    admin = next(r for r in rows if r.name == "周应急")  # head office's 应急管理员
    assert admin.concerned == bool(admin.plans)
    assert selectors.summary(hq).concerned == sum(1 for r in rows if r.concerned)


def test_an_inactive_person_is_not_counted(hexie_lobby, library):
    outlet = Unit.objects.get(code="JN0101")
    before = selectors.summary(outlet).concerned
    hexie_lobby.user.is_active = False
    hexie_lobby.user.save()
    assert selectors.summary(outlet).concerned == before - 1


def test_the_year_is_the_calendar_year_in_shanghai(hexie_lobby, injured):
    from yingji.readiness import services

    late = datetime.fromisoformat("2025-12-31T23:30:00+08:00")
    with clock.frozen(late):
        attempt = services.start_plan_quiz(person=hexie_lobby, plan=injured, seed=1)
        services.submit(person=hexie_lobby, attempt=attempt, answers=[q["answer"] for q in attempt.questions])
    outlet = Unit.objects.get(code="JN0101")
    assert year_figures(outlet, 2025)["quizzes_passed"] == 1
    assert year_figures(outlet, 2026)["quizzes_passed"] == 0
