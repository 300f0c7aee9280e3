"""江南分行's 应急管理员 issues the year's letters: one for each unit below the branch, signed by its head to
the unit above, and one for each employee, all due by 3月10日 as the annual security work plan says."""

import pytest

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.deadlines.models import Deadline
from yingji.letters import services
from yingji.letters.models import Kind, Letter, Status
from yingji.letters.reminders import SUBJECT_TYPE
from yingji.orgs.models import Person, Unit

pytestmark = pytest.mark.django_db


def test_every_unit_and_every_employee_of_the_branch_gets_a_letter_due_by_march_10(issued, jiangnan):
    letters = Letter.objects.filter(round=issued)
    units_below = Unit.objects.filter(path__startswith=jiangnan.path).exclude(pk=jiangnan.pk)
    people = Person.objects.filter(unit__path__startswith=jiangnan.path)
    assert sorted(x.unit.code for x in letters.filter(kind=Kind.UNIT)) == sorted(u.code for u in units_below)
    assert sorted(x.person_id for x in letters.filter(kind=Kind.EMPLOYEE)) == sorted(p.pk for p in people)
    assert issued.deadline.isoformat() == "2026-03-10"
    due = {x.due_at.isoformat() for x in letters}
    assert due == {"2026-03-10T16:00:00+00:00"}  # 3月10日 24:00 in Shanghai
    assert all(x.status == Status.PENDING for x in letters)

    outlet = letters.get(kind=Kind.UNIT, unit__code="JN0101")
    assert (outlet.party_a, outlet.party_b) == ("和谐支行", "和谐路营业部")  # to the unit above
    assert "2026年12月31日" in outlet.closing and "有记录、有反馈、有整改" in " ".join(outlet.clauses)
    lobby = letters.get(kind=Kind.EMPLOYEE, person__user__username="hexie_lobby")
    assert (lobby.party_a, lobby.party_b, lobby.title) == ("和谐路营业部", "王大堂", "员工安全责任书")
    office = letters.get(kind=Kind.EMPLOYEE, person__user__username="branch_duty")
    assert office.party_a == "江南分行"  # a department's employee signs with the unit it belongs to


def test_each_letter_runs_a_deadline_clock_with_reminders_before_the_deadline(issued, settings):
    clocks = Deadline.objects.filter(subject_type=SUBJECT_TYPE)
    assert clocks.count() == Letter.objects.count()
    one = clocks.first()
    assert one.reminders == list(settings.YINGJI_LETTER_REMINDERS) and one.due_at.isoformat().startswith(
        "2026-03-10"
    )
    assert AuditEntry.objects.filter(action="letters.generate").count() == 1


def test_issuing_again_adds_only_what_is_missing(issued, branch_duty, jiangnan, march):
    count = Letter.objects.count()
    again = services.generate(actor=branch_duty, unit=jiangnan, year=2026)
    assert again.pk == issued.pk and Letter.objects.count() == count
    # A sub-branch issuing for itself later does not issue its people's letters twice.
    hexie_admin = Person.objects.get(user__username="hexie_admin")
    services.generate(actor=hexie_admin, unit=Unit.objects.get(code="JN01"), year=2026)
    assert Letter.objects.count() == count


def test_a_teller_cannot_issue_letters_and_a_sibling_cannot_see_the_unit(demo, march, jiangnan):
    teller = Person.objects.get(user__username="hexie_teller")
    other = Person.objects.get(user__username="other_manager")
    before = footprint()
    with pytest.raises(NotAllowed):
        services.generate(actor=teller, unit=Unit.objects.get(code="JN0101"), year=2026)
    with pytest.raises(NotVisible):
        services.generate(actor=other, unit=jiangnan, year=2026)
    branch_duty = Person.objects.get(user__username="branch_duty")
    with pytest.raises(InvalidInput):
        services.generate(actor=branch_duty, unit=jiangnan, year=1999)
    assert footprint() == before


def test_the_branch_admin_issues_from_the_page(client, march, branch_duty):
    client.force_login(branch_duty.user)
    page = client.get("/security/letters/?year=2026").content.decode()
    assert "yj-generate" in page and "江南分行" in page
    answer = client.post("/security/letters/generate/", {"unit": "JN", "year": "2026"})
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "yj-letter-coverage" in page and "和谐路营业部" in page
    # An unknown unit is a 404, a year out of range a message; neither issues anything.
    before = footprint()
    assert client.post("/security/letters/generate/", {"unit": "XX", "year": "2026"}).status_code == 404
    assert client.post("/security/letters/generate/", {"unit": "JN", "year": "abc"}).status_code == 302
    assert footprint() == before
