"""王大堂 reports what happened at 和谐路营业部: it is numbered, classified with its reasons, recorded once
however often the phone retries, seen by the units above and not by the siblings; follow-up reports and
people may raise the level at once; taking it below the rules needs a written reason and the approval
of the unit above (理财预案: 按较高一级处理)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.incidents import services
from yingji.incidents.models import Incident, LevelChangeRequest, Status, TimelineEvent
from yingji.incidents.selectors import incidents_for
from yingji.notify.models import Notice
from yingji.plans.models import Level, severity

from .factories import ReportFactory, incident_in, kind, person, unit

pytestmark = pytest.mark.usefixtures("library")


def told(incident: Incident) -> set[str]:
    return set(
        Notice.objects.filter(subject_type="incidents.incident", subject_id=incident.pk).values_list(
            "recipient__user__username", flat=True
        )
    )


# --- the first report ------------------------------------------------------------------------------


def test_a_report_gets_the_next_number_of_the_year(now, hexie_lobby):
    first = ReportFactory()
    second = ReportFactory(kind=kind("queue_machine_failure"), description="排队叫号机黑屏")
    year = clock.now().astimezone(clock.SHANGHAI).year
    assert first.number.startswith(f"YJ-{year}-") and len(first.number) == len("YJ-2026-000123")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_the_same_report_sent_twice_makes_one_incident(now, hexie_lobby, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = ReportFactory(idempotency_key="phone-7f3a")
    after_first = footprint()
    with django_capture_on_commit_callbacks(execute=True) as retried:
        again = ReportFactory(idempotency_key="phone-7f3a")
    assert again.pk == first.pk and again.number == first.number
    assert Incident.objects.count() == 1
    assert AuditEntry.objects.filter(action="incident.report", object_id=str(first.pk)).count() == 1
    assert first.timeline.filter(event=TimelineEvent.REPORTED).count() == 1
    assert told(first) == {"hexie_manager", "hexie_president", "hexie_admin"}
    assert footprint() == after_first and not retried  # no second set of notices, no second job


def test_the_level_and_its_reasons_are_kept_on_the_incident_and_in_the_timeline(now, hexie_lobby):
    incident = ReportFactory(facts={"deaths": 1})
    assert incident.level == incident.classified_level == Level.II
    sources = [r["source"] for r in incident.level_reasons]
    assert sources == ["default", "death-at-least-ii"]
    assert "死亡" in incident.level_reasons[1]["text"]
    reported = incident.timeline.get(event=TimelineEvent.REPORTED)
    assert reported.data == {"level": "II", "reasons": incident.level_reasons}
    assert reported.actor == hexie_lobby and reported.text == incident.description


def test_the_report_is_audited_with_its_facts(now, hexie_lobby):
    incident = ReportFactory(facts={"injured": 1})
    entry = AuditEntry.objects.get(action="incident.report", object_id=str(incident.pk))
    assert entry.actor_name and entry.data["number"] == incident.number
    assert entry.data["kind"] == "customer_injured" and entry.data["facts"] == {"injured": 1}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda: {"description": "  "}, "description"),
        (lambda: {"occurred_at": clock.now() + timedelta(hours=1)}, "occurred_at"),
        (lambda: {"facts": {"deaths": -1}}, "facts.deaths"),
        (lambda: {"facts": {"weather": "rain"}}, "facts.weather"),
    ],
    ids=["no description", "in the future", "negative deaths", "unknown fact"],
)
def test_an_incomplete_report_is_refused_and_leaves_nothing(
    now, hexie_lobby, django_capture_on_commit_callbacks, change, field
):
    before = footprint()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as refused:
        ReportFactory(**change())
    assert field in refused.value.fields
    assert footprint() == before


def test_an_outlet_cannot_report_for_its_sibling(now, hexie_lobby, django_capture_on_commit_callbacks):
    before = footprint()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotVisible):
        ReportFactory(unit=unit("JN0102"))
    assert footprint() == before
    assert DBTaskResult.objects.count() == before[DBTaskResult._meta.label] == 0


def test_a_key_another_outlet_happens_to_use_gets_that_outlet_its_own_incident(
    now, hexie_lobby, other_manager
):
    hexie = ReportFactory(idempotency_key="retry-1")
    theirs = ReportFactory(reporter=other_manager, description="门口有人闹事", idempotency_key="retry-1")
    assert theirs.pk != hexie.pk and theirs.unit == other_manager.unit
    assert ReportFactory(idempotency_key="retry-1").pk == hexie.pk


# --- who sees it ------------------------------------------------------------------------------------


def test_the_units_above_see_the_incident_and_the_siblings_do_not(
    now, hexie_lobby, hexie_manager, branch_duty, hq_duty, other_manager, plaza_manager
):
    incident = ReportFactory()

    def sees(person) -> bool:
        return incidents_for(viewer=person.user).filter(pk=incident.pk).exists()

    assert sees(hexie_lobby) and sees(hexie_manager)
    assert sees(branch_duty) and sees(hq_duty)
    assert not sees(other_manager) and not sees(plaza_manager)


def test_the_list_filters_by_unit_subtree_only_within_what_the_viewer_sees(
    now, hexie_lobby, branch_duty, other_manager
):
    incident = ReportFactory()
    assert list(incidents_for(viewer=branch_duty.user, unit_code="JN01")) == [incident]
    assert not incidents_for(viewer=branch_duty.user, unit_code="JN02").exists()
    assert not incidents_for(viewer=other_manager.user, unit_code="JN01").exists()


# --- follow-up reports (续报) -----------------------------------------------------------------------


def test_a_death_reported_later_raises_the_level_and_tells_the_branch(now, hexie_lobby):
    incident = ReportFactory()
    assert incident.level == Level.III and "branch_duty" not in told(incident)
    services.add_follow_up(
        author=hexie_lobby, incident=incident, text="客户送医后不治身亡", facts={"deaths": 1}
    )
    incident.refresh_from_db()
    assert incident.level == Level.II and incident.facts == {"deaths": 1}
    assert "death-at-least-ii" in [r["source"] for r in incident.level_reasons]
    assert {"branch_duty", "jn_president"} <= told(incident)
    raised = incident.timeline.get(event=TimelineEvent.LEVEL_CHANGED)
    assert raised.data == {"level": "II"} and raised.actor == hexie_lobby


def test_a_follow_up_with_an_amount_keeps_it_exactly_in_the_record(now, hexie_lobby):
    from decimal import Decimal

    incident = ReportFactory()
    services.add_follow_up(
        author=hexie_lobby, incident=incident, text="涉案金额核实", facts={"amount_yuan": Decimal("12500.50")}
    )
    incident.refresh_from_db()
    follow_up = incident.timeline.get(event=TimelineEvent.FOLLOW_UP)
    assert follow_up.data["facts"] == incident.facts == {"amount_yuan": "12500.50"}
    assert AuditEntry.objects.filter(action="incident.follow_up").get().data["facts"] == {
        "amount_yuan": "12500.50"
    }


def test_a_follow_up_with_milder_facts_never_lowers_the_level(now, hexie_lobby):
    incident = ReportFactory(facts={"injured": 3})
    assert incident.level == Level.II
    notices = Notice.objects.count()
    services.add_follow_up(
        author=hexie_lobby, incident=incident, text="核实后只有一人受伤", facts={"injured": 1}
    )
    incident.refresh_from_db()
    assert incident.level == Level.II and incident.classified_level == Level.III
    assert not incident.timeline.filter(event=TimelineEvent.LEVEL_CHANGED).exists()
    assert Notice.objects.count() == notices


def test_another_branch_cannot_add_to_the_report(now, hexie_lobby, other_manager):
    incident = ReportFactory()
    before = footprint()
    with pytest.raises(NotVisible):
        services.add_follow_up(
            author=other_manager, incident=incident, text="我们也听说了", facts={"deaths": 1}
        )
    assert footprint() == before


def test_nothing_is_added_to_a_closed_case(now, hexie_lobby):
    incident = incident_in(Status.CLOSED)
    before = footprint()
    with pytest.raises(InvalidInput):
        services.add_follow_up(author=hexie_lobby, incident=incident, text="补充一点", facts={"deaths": 1})
    assert footprint() == before


FACTS = st.fixed_dictionaries(
    {},
    optional={
        "injured": st.integers(0, 5),
        "deaths": st.integers(0, 4),
        "customers_gathered": st.integers(0, 300),
        "media_exposure": st.booleans(),
    },
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=FACTS, later=st.lists(FACTS, max_size=4))
def test_follow_ups_only_ever_raise_the_level(library, now, hexie_lobby, first, later):
    from django.db import transaction

    with transaction.atomic():
        incident = ReportFactory(facts=first)
        levels = [incident.level]
        for facts in later:
            services.add_follow_up(author=hexie_lobby, incident=incident, text="续报", facts=facts)
            incident.refresh_from_db()
            levels.append(incident.level)
        assert [severity(level) for level in levels] == sorted(severity(level) for level in levels)
        assert severity(incident.level) >= severity(incident.classified_level)
        transaction.set_rollback(True)


# --- a person changes the level ---------------------------------------------------------------------


def test_the_outlet_head_raises_the_level_with_a_reason(now, hexie_lobby, hexie_manager):
    incident = ReportFactory()
    services.change_level(actor=hexie_manager, incident=incident, level=Level.II, reason="围观群众开始拍摄")
    incident.refresh_from_db()
    assert incident.level == Level.II and incident.classified_level == Level.III
    entry = incident.timeline.get(event=TimelineEvent.LEVEL_CHANGED)
    assert "围观群众开始拍摄" in entry.text and entry.data["from"] == "III" and entry.data["to"] == "II"
    assert "branch_duty" in told(incident)
    assert AuditEntry.objects.get(action="incident.change_level").data["reason"] == "围观群众开始拍摄"


def test_raising_without_a_reason_is_refused(now, hexie_lobby, hexie_manager):
    incident = ReportFactory()
    before = footprint()
    with pytest.raises(InvalidInput):
        services.change_level(actor=hexie_manager, incident=incident, level=Level.II, reason=" ")
    incident.refresh_from_db()
    assert incident.level == Level.III and footprint() == before


def test_the_lobby_manager_cannot_change_the_level(now, hexie_lobby):
    incident = ReportFactory()
    before = footprint()
    with pytest.raises(NotAllowed):
        services.change_level(actor=hexie_lobby, incident=incident, level=Level.II, reason="我觉得很严重")
    assert footprint() == before


# 理财预案: 按较高一级处理. Three people injured makes a 客户意外受伤 a Ⅱ by the rules.
WORSE = {"injured": 3}
REASON = "伤者均为轻微擦伤，已由支行核实并送医检查完毕"


def lowered(incident: Incident, *, asker: str = "hexie_manager", approver: str = "hexie_admin") -> Incident:
    services.change_level(actor=person(asker), incident=incident, level=Level.III, reason=REASON)
    services.decide_lowering(actor=person(approver), incident=incident, approve=True)
    incident.refresh_from_db()
    return incident


def test_lowering_below_the_rules_needs_a_written_reason_of_ten_characters(
    now, hexie_lobby, hexie_manager, django_capture_on_commit_callbacks
):
    incident = ReportFactory(facts=WORSE)
    assert incident.level == Level.II
    before = footprint()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as refused:
        services.change_level(actor=hexie_manager, incident=incident, level=Level.III, reason="影响不大")
    assert "reason" in refused.value.fields
    incident.refresh_from_db()
    assert incident.level == Level.II and footprint() == before


def test_the_outlet_head_can_only_ask_to_lower_the_level(now, hexie_lobby, hexie_manager):
    incident = ReportFactory(facts=WORSE)
    services.change_level(actor=hexie_manager, incident=incident, level=Level.III, reason=REASON)
    incident.refresh_from_db()
    assert incident.level == Level.II  # it stays until the unit above approves
    request = LevelChangeRequest.objects.get(incident=incident)
    assert (request.from_level, request.to_level, request.rules_level, request.reason) == (
        "II",
        "III",
        "II",
        REASON,
    )
    assert request.decided_at is None
    entry = incident.timeline.filter(event=TimelineEvent.LEVEL_CHANGED).last()
    assert REASON in entry.text and entry.actor == hexie_manager
    assert AuditEntry.objects.filter(
        action="incident.request_lower_level", object_id=str(incident.pk)
    ).exists()
    asked = Notice.objects.filter(subject_id=incident.pk, key__contains=f":lower-{request.pk}:")
    assert {n.recipient.user.username for n in asked} == {"hexie_president", "hexie_admin"}
    with pytest.raises(InvalidInput):  # one request at a time
        services.change_level(actor=hexie_manager, incident=incident, level=Level.III, reason=REASON + "。")


def test_the_unit_above_approves_and_the_lower_level_is_kept(now, hexie_lobby, hexie_manager):
    incident = lowered(ReportFactory(facts=WORSE))
    assert incident.level == Level.III and incident.classified_level == Level.II
    entry = incident.timeline.filter(event=TimelineEvent.LEVEL_CHANGED).last()
    assert REASON in entry.text and entry.data["rules_say"] == "II" and entry.actor == person("hexie_admin")
    audit = AuditEntry.objects.get(action="incident.change_level", object_id=str(incident.pk))
    assert audit.data == {
        "from": "II",
        "to": "III",
        "reason": REASON,
        "rules_say": "II",
        "asked_by": "郑和谐",
        "approved_by": "韩应急",
    }
    told_back = Notice.objects.filter(subject_id=incident.pk, recipient=hexie_manager).latest("pk")
    assert "降级" in told_back.title or incident.number in told_back.title


@pytest.mark.parametrize("who", ["hexie_manager", "hexie_lobby", "plaza_manager"])
def test_the_outlet_cannot_approve_its_own_lowering(now, hexie_lobby, hexie_manager, who):
    incident = ReportFactory(facts=WORSE)
    services.change_level(actor=hexie_manager, incident=incident, level=Level.III, reason=REASON)
    before = footprint()
    with pytest.raises((NotAllowed, NotVisible)):
        services.decide_lowering(actor=person(who), incident=incident, approve=True)
    assert footprint() == before
    incident.refresh_from_db()
    assert incident.level == Level.II


def test_whoever_asked_cannot_approve_it(now, hexie_lobby):
    incident = ReportFactory(facts=WORSE)
    president = person("hexie_president")  # 和谐支行行长 may decide on the outlet's event, not for himself
    services.change_level(actor=president, incident=incident, level=Level.III, reason=REASON)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.decide_lowering(actor=president, incident=incident, approve=True)
    assert footprint() == before
    services.decide_lowering(actor=person("branch_duty"), incident=incident, approve=True)  # 江南分行 may
    incident.refresh_from_db()
    assert incident.level == Level.III


def test_the_unit_above_rejects_with_a_reason_and_the_level_stays(now, hexie_lobby, hexie_manager):
    incident = ReportFactory(facts=WORSE)
    services.change_level(actor=hexie_manager, incident=incident, level=Level.III, reason=REASON)
    with pytest.raises(InvalidInput):
        services.decide_lowering(actor=person("branch_duty"), incident=incident, approve=False, note=" ")
    services.decide_lowering(
        actor=person("branch_duty"), incident=incident, approve=False, note="媒体仍在关注"
    )
    incident.refresh_from_db()
    assert incident.level == Level.II
    request = LevelChangeRequest.objects.get(incident=incident)
    assert (request.approved, request.decision_note) == (False, "媒体仍在关注")
    asked = Notice.objects.filter(subject_id=incident.pk, key__contains=f":lower-{request.pk}:")
    assert asked.exists() and not asked.filter(withdrawn_at__isnull=True).exists()  # answered: not asked
    assert "媒体仍在关注" in incident.timeline.filter(event=TimelineEvent.LEVEL_CHANGED).last().text
    assert not AuditEntry.objects.filter(action="incident.change_level", object_id=str(incident.pk)).exists()


def test_the_room_shows_the_waiting_request_and_the_unit_above_decides_there(
    client, now, hexie_lobby, hexie_manager
):
    incident = ReportFactory(facts=WORSE)
    client.force_login(hexie_manager.user)
    client.post(
        reverse("incidents:level", kwargs={"number": incident.number}), {"level": "III", "reason": REASON}
    )
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "等待上级单位批准降级" in page and REASON in page
    assert reverse("incidents:decide_level", kwargs={"number": incident.number}) not in page

    client.force_login(person("hexie_admin").user)
    decide = reverse("incidents:decide_level", kwargs={"number": incident.number})
    assert decide in client.get(incident.get_absolute_url()).content.decode()
    client.post(decide, {"decision": "approve"})
    incident.refresh_from_db()
    assert incident.level == Level.III


def test_a_follow_up_without_new_facts_keeps_a_level_the_unit_above_lowered(now, hexie_lobby):
    incident = lowered(ReportFactory(facts=WORSE))
    services.add_follow_up(author=hexie_lobby, incident=incident, text="客户已离开网点")
    incident.refresh_from_db()
    assert incident.level == Level.III


def test_new_facts_the_rules_rank_higher_raise_a_lowered_level_again(now, hexie_lobby):
    incident = lowered(ReportFactory(facts=WORSE))
    services.add_follow_up(
        author=hexie_lobby, incident=incident, text="现场聚集二百余人", facts={"customers_gathered": 200}
    )
    incident.refresh_from_db()
    assert incident.level == Level.I and "hq_duty" in told(incident)


def test_two_long_keys_that_differ_only_at_the_end_are_two_reports(now, hexie_lobby):
    first = ReportFactory(idempotency_key="k" * 99 + "1")
    second = ReportFactory(
        kind=kind("queue_machine_failure"), description="叫号机故障", idempotency_key="k" * 99 + "2"
    )
    assert second.pk != first.pk


def test_the_same_long_key_sent_twice_is_still_one_report(now, hexie_lobby):
    first = ReportFactory(idempotency_key="k" * 100)
    again = ReportFactory(idempotency_key="k" * 100)
    assert again.pk == first.pk and Incident.objects.count() == 1
