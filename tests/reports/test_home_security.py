"""An outlet's staff see on their home page what the security year asks of them personally: the
responsibility letter they have to sign and the education session they are expected at."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from yingji.core import clock
from yingji.letters import services as letters
from yingji.letters.models import Letter
from yingji.orgs.models import Person, Unit
from yingji.training import services as training
from yingji.training.models import QUARTERLY_SAFETY, SessionKind

pytestmark = pytest.mark.django_db

MARCH_2 = datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)


def person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


@pytest.fixture
def asked(demo):
    """江南分行's 2026 letters issued on 3月2日, and a 季度安全教育 at 和谐路营业部 the next morning."""
    outlet = Unit.objects.get(code="JN0101")
    with clock.frozen(MARCH_2):
        letters.generate(actor=person("branch_duty"), unit=Unit.objects.get(code="JN"), year=2026)
        session = training.plan_session(
            actor=person("hexie_admin"),
            unit=outlet,
            kind=SessionKind.objects.get(code=QUARTERLY_SAFETY),
            topic="网点八类突发事件的应对",
            starts_at=MARCH_2 + timedelta(days=1),
            ends_at=MARCH_2 + timedelta(days=1, minutes=90),
            trainer=person("hexie_admin"),
            attendees=list(training.staff_of(outlet)),
        )
    return session


def test_the_lobby_manager_sees_her_letter_and_tomorrow_s_session_until_she_has_done_them(client, asked):
    lobby = person("hexie_lobby")
    client.force_login(lobby.user)
    with clock.frozen(MARCH_2 + timedelta(hours=1)):
        html = client.get(reverse("home")).content.decode()
        letter = Letter.objects.get(person=lobby, year=2026)
        assert "安全工作待办" in html
        assert reverse("letters:letter", args=[letter.pk]) in html
        assert "3月10日 24:00" in html  # the seed's day, to its end: not "2026-03-11 00:00"
        assert reverse("training:session", args=[asked.pk]) in html and "网点八类突发事件的应对" in html

        letters.sign(actor=lobby, letter=letter)
        html = client.get(reverse("home")).content.decode()
        assert reverse("letters:letter", args=[letter.pk]) not in html

    # Once the session's sign-in window has closed it is no longer a to-do (it is on her record).
    with clock.frozen(MARCH_2 + timedelta(days=2)):
        html = client.get(reverse("home")).content.decode()
        assert reverse("training:session", args=[asked.pk]) not in html and "安全工作待办" not in html
