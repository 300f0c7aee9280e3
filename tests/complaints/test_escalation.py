"""A complaint that spreads (seed 002: one customer, a poster at the door, WeChat posts) is escalated by
hand to a reputation incident, not only by the 20-person rule."""

import pytest
from django.urls import reverse

from yingji.audit.models import AuditEntry
from yingji.complaints import services
from yingji.complaints.models import Event
from yingji.core.errors import InvalidTransition, NotAllowed
from yingji.core.testing import footprint
from yingji.incidents.models import Incident
from yingji.plans.models import EventKind

pytestmark = pytest.mark.django_db

SPREAD = "客户在网点门口张贴大字报，并在微信朋友圈发布，朋友转发评论。"


def reputation(code: str = "major_complaint") -> EventKind:
    return EventKind.objects.get(code=code)


def test_the_outlet_head_escalates_one_customers_spreading_complaint_to_a_reputation_incident(
    library, register, hexie_manager
):
    complaint = register()  # one customer: the 20-person rule does not apply
    assert complaint.incident_id is None

    services.escalate_to_incident(
        actor=hexie_manager, complaint=complaint, kind=reputation(), spread=SPREAD, media_exposure=True
    )

    complaint.refresh_from_db()
    incident = Incident.objects.get(pk=complaint.incident_id)
    assert incident.kind.group == "reputation"
    assert incident.unit_id == complaint.unit_id
    assert list(incident.complaints.all()) == [complaint]  # linked both ways
    assert complaint.number in incident.description and SPREAD in incident.description
    assert incident.level == "II"  # media or self-media exposure is at least II (002, 004 第十七条)
    assert complaint.is_major
    event = complaint.events.get(event=Event.ESCALATED)
    assert incident.number in event.text and event.actor == hexie_manager
    assert AuditEntry.objects.filter(action="complaint.escalate").count() == 1


def test_a_false_information_spread_is_reported_as_that_kind(library, register, hexie_manager):
    complaint = register()

    services.escalate_to_incident(
        actor=hexie_manager, complaint=complaint, kind=reputation("false_information"), spread=SPREAD
    )

    complaint.refresh_from_db()
    assert complaint.incident.kind.code == "false_information"


def test_the_lobby_manager_may_not_escalate_and_nothing_changes(library, register, hexie_lobby):
    complaint = register()
    before = footprint()

    with pytest.raises(NotAllowed):
        services.escalate_to_incident(
            actor=hexie_lobby, complaint=complaint, kind=reputation(), spread=SPREAD
        )

    assert footprint() == before


def test_a_complaint_already_linked_to_an_incident_is_not_escalated_again(library, register, hexie_manager):
    complaint = register(joint_count=20)  # the 20-person rule opened its incident
    complaint.refresh_from_db()
    assert complaint.incident_id is not None
    before = footprint()

    with pytest.raises(InvalidTransition):
        services.escalate_to_incident(
            actor=hexie_manager, complaint=complaint, kind=reputation(), spread=SPREAD
        )

    assert footprint() == before


def test_the_outlet_head_escalates_from_the_complaints_page(client, library, register, hexie_manager):
    complaint = register()
    client.force_login(hexie_manager.user)
    page = client.get(complaint.get_absolute_url()).content.decode()
    url = reverse("complaints:act", kwargs={"number": complaint.number, "action": "escalate"})
    assert url in page

    response = client.post(
        url,
        {"escalate-kind": reputation().pk, "escalate-spread": SPREAD, "escalate-media_exposure": "on"},
        follow=True,
    )

    complaint.refresh_from_db()
    assert complaint.incident is not None
    assert complaint.incident.get_absolute_url() in response.content.decode()


def test_an_outlet_head_of_another_branch_gets_not_found_and_nothing_changes(
    client, library, register, other_manager
):
    complaint = register()
    client.force_login(other_manager.user)
    before = footprint()

    for action in ("escalate", "meeting", "malicious", "leader-report"):
        url = reverse("complaints:act", kwargs={"number": complaint.number, "action": action})
        assert (
            client.post(url, {"escalate-spread": SPREAD, "malicious-reason": "协商失败"}).status_code == 404
        )

    assert footprint() == before


def test_the_incident_room_lists_the_complaint_it_came_from(client, library, register, hexie_manager):
    complaint = register()
    services.escalate_to_incident(actor=hexie_manager, complaint=complaint, kind=reputation(), spread=SPREAD)
    complaint.refresh_from_db()

    client.force_login(hexie_manager.user)
    room = client.get(complaint.incident.get_absolute_url()).content.decode()

    assert f'<a href="{complaint.get_absolute_url()}">{complaint.number}</a>' in room
