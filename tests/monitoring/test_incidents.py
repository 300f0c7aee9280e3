"""Warnings that become incidents: the seed's 60-minute outage opens one by itself; a queue surge is
proposed to the leadership group, who accept or dismiss it; the investigation reads the warning."""

from datetime import timedelta
from io import BytesIO

import pytest
from docx import Document

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint, run_jobs
from yingji.incidents import services as incidents
from yingji.incidents.exports import special_report_docx
from yingji.incidents.models import Incident, Status
from yingji.monitoring import services
from yingji.monitoring.models import Proposal, SignalWarning

from ..incidents.factories import PATH_TO, past_the_watch, person
from .conftest import point

pytestmark = pytest.mark.django_db


def down_for(now, integration, minutes: int) -> None:
    for _ in range(minutes):
        at = now.advance(minutes=1) - timedelta(minutes=1)
        services.ingest(integration=integration, points=[point("CC", "system_status", at, 0, source="cti")])


def test_a_sixty_minute_outage_of_the_call_centre_opens_an_incident_by_itself(now, acd, cc_manager):
    down_for(now, acd, 60)
    warning = SignalWarning.objects.get()
    assert warning.incident is None  # reported by the worker, after the warning committed
    run_jobs()
    warning.refresh_from_db()
    incident = warning.incident
    assert incident.kind.code == "cc_call_connection" and incident.unit.code == "CC"
    assert incident.reporter == cc_manager  # the ACD's contact: the report is in a person's name
    assert incident.occurred_at == warning.condition_since  # when the system went down, not when we noticed
    assert incident.facts["system_down_minutes"] == 60
    assert AuditEntry.objects.filter(action="warning.open_incident", object_id=str(warning.pk)).exists()
    run_jobs()  # a job run twice reports once
    assert Incident.objects.filter(kind__code="cc_call_connection").count() == 1


def surge(now, queue_system) -> SignalWarning:
    at = now.advance(minutes=1) - timedelta(minutes=1)
    services.ingest(
        integration=queue_system, points=[point("JN0101", "queue_length", at, 42, source="queue")]
    )
    return SignalWarning.objects.get(rule__measure="queue_length")


def test_the_sub_branch_president_accepts_a_proposed_incident_and_the_investigation_reads_the_warning(
    client, now, queue_system, hexie_president
):
    warning = surge(now, queue_system)
    assert warning.proposal == Proposal.PENDING and warning.incident is None

    client.force_login(hexie_president.user)
    page = client.get(warning.get_absolute_url())
    assert "yj-proposal" in page.content.decode()
    decided = client.post(f"/warnings/{warning.pk}/decide/", {"accept": "1", "note": "大堂已分流"})
    warning.refresh_from_db()
    incident = warning.incident
    assert decided.status_code == 302 and decided.url == incident.get_absolute_url()
    assert warning.proposal == Proposal.ACCEPTED and warning.decided_by == hexie_president
    assert incident.kind.code == "crowd_surge" and incident.reporter == hexie_president

    # 预警是否及时 is answered by the record: closing needs no hand-ticked box.
    for step in PATH_TO[Status.INVESTIGATING]:
        step(incident)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "yj-incident-warning" in page and 'name="warnings_in_time"' not in page
    past_the_watch(incident)
    incidents.save_findings(
        actor=person("hexie_president"),
        incident=incident,
        cause="周一上午代发工资",
        preventive_measures="增开窗口",
    )
    closed = incidents.close_investigation(actor=person("hexie_president"), incident=incident)
    assert closed.status == Status.CLOSED

    # The Word special report says what the page says: the warning's own times, nothing hand-ticked.
    paragraphs = [p.text for p in Document(BytesIO(special_report_docx(incident))).paragraphs]
    warned = next(p for p in paragraphs if p.startswith("预警是否及时"))
    assert warning.title in warned and "预警先于报告" in warned and "未说明" not in warned


def test_a_dismissal_needs_a_reason_and_the_lobby_manager_cannot_decide(
    now, queue_system, hexie_president, hexie_lobby
):
    warning = surge(now, queue_system)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.decide_proposal(person=hexie_lobby, warning=warning, accept=True)
    with pytest.raises(InvalidInput):
        services.decide_proposal(person=hexie_president, warning=warning, accept=False, note="")
    assert footprint() == before
    services.decide_proposal(
        person=hexie_president, warning=warning, accept=False, note="已增开窗口，排队回落"
    )
    warning.refresh_from_db()
    assert warning.proposal == Proposal.DISMISSED and warning.incident is None
    assert not Incident.objects.filter(kind__code="crowd_surge").exists()
