"""The pages and the API, scoped by visibility: 和谐路营业部's session is seen by its staff, 和谐支行 and
江南分行, never by the sibling outlet or another branch; an attendee signs in from the page on a phone."""

from datetime import timedelta

import pytest

from yingji.api.services import issue_token
from yingji.core import clock
from yingji.training.models import Session, Status

from .conftest import START

pytestmark = pytest.mark.django_db


def test_staff_see_their_session_and_a_sibling_does_not(
    client, plan, hexie_teller, plaza_manager, other_manager
):
    session = plan()
    client.force_login(hexie_teller.user)
    assert "网点八类突发事件的应对" in client.get("/security/training/").content.decode()
    assert client.get(session.get_absolute_url()).status_code == 200
    for outsider in (plaza_manager, other_manager):
        client.force_login(outsider.user)
        assert client.get(session.get_absolute_url()).status_code == 404
        assert "网点八类突发事件的应对" not in client.get("/security/training/").content.decode()


def test_an_attendee_signs_in_from_the_page_during_the_window(client, plan, hexie_teller):
    session = plan()
    client.force_login(hexie_teller.user)
    url = f"/security/training/{session.pk}/sign-in/"
    with clock.frozen(START - timedelta(hours=2)):
        assert "yj-my-attendance" in client.get(session.get_absolute_url()).content.decode()
        client.post(url)
    assert not session.attendances.filter(attended_at__isnull=False).exists()
    with clock.frozen(START + timedelta(minutes=5)):
        page = client.get(session.get_absolute_url()).content.decode()
        assert f'action="{url}"' in page
        assert client.post(url).status_code == 302
    assert session.attendances.get(person=hexie_teller).attended
    assert Session.objects.get(pk=session.pk).status == Status.HELD


def test_the_trainer_plans_a_session_from_the_page(
    client, hexie_admin, hexie_outlet, quarterly, hexie_teller
):
    client.force_login(hexie_admin.user)
    url = "/security/training/new/?unit=JN0101"
    assert client.get(url).status_code == 200
    data = {
        "kind": quarterly.pk,
        "topic": "防抢劫演示",
        "day": "2026-12-20",
        "start": "15:00",
        "end": "14:00",
        "trainer": hexie_admin.pk,
        "attendees": [hexie_teller.pk],
    }
    with clock.frozen(START + timedelta(days=200)):
        refused = client.post(url, data)
        assert refused.status_code == 400 and not Session.objects.exists()
        made = client.post(url, data | {"end": "16:30"})
        assert made.status_code == 302, made.context["form"].errors
    session = Session.objects.get()
    assert made["Location"] == session.get_absolute_url()
    assert list(session.attendances.values_list("person", flat=True)) == [hexie_teller.pk]


def test_a_teller_cannot_plan_sessions(client, hexie_teller):
    client.force_login(hexie_teller.user)
    assert client.get("/security/training/new/?unit=JN0101").status_code == 403


def test_a_persons_training_record_lists_attended_and_missed_sessions(
    client, plan, hexie_admin, hexie_teller
):
    held, missed = plan(), plan(start=START + timedelta(days=1), topic="消防器材")
    from yingji.training import services

    with clock.frozen(START):
        services.sign_in(actor=hexie_teller, session=held)
    with clock.frozen(START + timedelta(days=1, hours=3)):
        services.hold(actor=hexie_admin, session=missed)
    client.force_login(hexie_teller.user)
    page = client.get(client.get("/security/training/mine/")["Location"]).content.decode()
    assert "网点八类突发事件的应对" in page and "消防器材" in page
    assert page.count("text-bg-success") == 1 and page.count("text-bg-danger") == 1


def test_coverage_page_and_the_tab(client, plan, branch_duty):
    plan()
    client.force_login(branch_duty.user)
    page = client.get("/security/training/coverage/").content.decode()
    assert "和谐路营业部" in page and ("本行设定" in page or "set by the bank" in page)
    assert 'href="/security/training/"' in client.get("/security/").content.decode()


def test_the_api_lists_sessions_and_attendance_in_scope(
    client, plan, branch_duty, other_manager, hexie_teller
):
    session = plan()
    with clock.frozen(START):
        from yingji.training import services

        services.sign_in(actor=hexie_teller, session=session)
    _t, mine = issue_token(actor=branch_duty.user, person=branch_duty)
    headers = {"Authorization": f"Bearer {mine}"}
    listed = client.get("/api/v1/training/sessions", headers=headers).json()
    assert [s["id"] for s in listed] == [session.pk] and listed[0]["attended"] == 1
    detail = client.get(f"/api/v1/training/sessions/{session.pk}", headers=headers).json()
    assert len(detail["attendance"]) == 6
    rows = client.get(f"/api/v1/training/attendance?session={session.pk}", headers=headers).json()
    assert sum(r["attended"] for r in rows) == 1
    _t, theirs = issue_token(actor=other_manager.user, person=other_manager)
    other = {"Authorization": f"Bearer {theirs}"}
    assert client.get(f"/api/v1/training/sessions/{session.pk}", headers=other).status_code == 404
    assert client.get("/api/v1/training/attendance", headers=other).json() == []
    assert client.get("/api/v1/training/sessions?limit=abc", headers=other).status_code == 422 or 400
