"""Silences for planned work: the branch's 应急管理员 silences 和谐支行's queue system for an upgrade;
a surge during it is raised and kept, marked silenced, nobody is told and nothing is proposed; the list
shows it. A sub-branch's 应急管理员 cannot set one; ending early is recorded."""

from datetime import timedelta

import pytest

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint
from yingji.monitoring import services, silences
from yingji.monitoring.models import Proposal, SignalWarning, Silence
from yingji.monitoring.notices import SUBJECT_TYPE
from yingji.notify.models import Notice
from yingji.orgs.models import Person

from .conftest import point

pytestmark = pytest.mark.django_db


def persona(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


def surge(now, queue_system) -> SignalWarning:
    at = now.advance(minutes=1) - timedelta(minutes=1)
    services.ingest(
        integration=queue_system, points=[point("JN0101", "queue_length", at, 42, source="queue")]
    )
    return SignalWarning.objects.get(rule__measure="queue_length")


def test_a_surge_during_planned_work_is_kept_silenced_and_nobody_is_told(client, now, queue_system, unit):
    branch_duty = persona("branch_duty")
    client.force_login(branch_duty.user)
    start = now.advance(minutes=0)
    answer = client.post(
        "/warnings/silences/",
        {
            "unit": unit("JN01").pk,
            "subtree": "on",
            "measure": "",
            "source": "queue",
            "starts_at": "2026-03-02T09:55",  # Shanghai time: 10:00 is now
            "ends_at": "2026-03-02T12:00",
            "reason": "排队叫号系统升级",
        },
    )
    assert answer.status_code == 302
    silence = Silence.objects.get()
    assert silence.created_by == branch_duty and silence.starts_at < start < silence.ends_at
    assert AuditEntry.objects.filter(action="silence.set", object_id=str(silence.pk)).exists()

    warning = surge(now, queue_system)
    assert warning.silence == silence and warning.status == "raised"
    assert warning.proposal == Proposal.NONE  # nobody is asked to decide on planned work
    assert not Notice.objects.filter(subject_type=SUBJECT_TYPE, subject_id=warning.pk).exists()
    assert (
        AuditEntry.objects.get(action="warning.raise", object_id=str(warning.pk)).data["silence"]
        == silence.pk
    )

    page = client.get("/warnings/").content.decode()
    assert "yj-silenced" in page and "已静默" in page
    assert "排队叫号系统升级" in client.get(warning.get_absolute_url()).content.decode()


def test_another_source_or_another_branch_is_not_silenced(now, queue_system, unit):
    silences.set_silence(
        person=persona("branch_duty"),
        unit=unit("JN01"),
        subtree=True,
        measure="",
        source="core",  # the core system's window, not the queue system
        starts_at=now.advance(minutes=0) - timedelta(minutes=5),
        ends_at=now.advance(minutes=0) + timedelta(hours=1),
        reason="核心系统投产窗口",
    )
    warning = surge(now, queue_system)
    assert warning.silence is None and warning.proposal == Proposal.PENDING
    assert Notice.objects.filter(subject_type=SUBJECT_TYPE, subject_id=warning.pk).exists()


def test_who_may_set_a_silence_and_what_a_refusal_leaves(now, unit):
    args = {
        "unit": unit("JN01"),
        "subtree": True,
        "measure": "",
        "source": "",
        "starts_at": now.advance(minutes=0),
        "ends_at": now.advance(minutes=0) + timedelta(hours=2),
        "reason": "升级",
    }
    before = footprint()
    with pytest.raises(NotAllowed):
        silences.set_silence(person=persona("hexie_admin"), **args)  # a sub-branch's 应急管理员
    with pytest.raises(InvalidInput) as refused:
        silences.set_silence(
            person=persona("hq_duty"), **{**args, "ends_at": args["starts_at"] + timedelta(days=8)}
        )
    assert "ends_at" in refused.value.fields
    assert footprint() == before


def test_ending_a_silence_early_is_recorded_and_warnings_are_told_again(now, queue_system, unit):
    hq_duty = persona("hq_duty")
    silence = silences.set_silence(
        person=hq_duty,
        unit=unit("JN"),
        subtree=True,
        measure="queue_length",
        source="",
        starts_at=now.advance(minutes=0),
        ends_at=now.advance(minutes=0) + timedelta(hours=2),
        reason="叫号系统割接",
    )
    now.advance(minutes=10)
    ended = silences.end_silence(person=hq_duty, silence=silence)
    assert ended.ended_at == now.advance(minutes=0) and ended.ended_by == hq_duty
    assert AuditEntry.objects.filter(action="silence.end", object_id=str(silence.pk)).exists()
    assert surge(now, queue_system).silence is None
