"""王大堂 reports what happened at 和谐路营业部: it is numbered, classified with its reasons, recorded once
however often the phone retries, seen by the units above and not by the siblings; follow-up reports and
people may raise the level, and only a written reason takes it below the rules."""

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.testing import footprint
from yingji.incidents import services
from yingji.incidents.models import Incident, Status, TimelineEvent
from yingji.incidents.selectors import incidents_for
from yingji.notify.models import Notice
from yingji.plans.models import Level, severity

from .factories import ReportFactory, incident_in, kind, unit

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
    assert told(first) == {"hexie_manager", "hexie_president"}
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


def test_lowering_below_the_rules_needs_a_written_reason_of_ten_characters(
    now, hexie_lobby, hexie_manager, django_capture_on_commit_callbacks
):
    incident = ReportFactory(facts={"media_exposure": True})
    assert incident.level == Level.II
    before = footprint()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as refused:
        services.change_level(actor=hexie_manager, incident=incident, level=Level.III, reason="影响不大")
    assert "reason" in refused.value.fields
    incident.refresh_from_db()
    assert incident.level == Level.II and footprint() == before


def test_a_written_reason_lowers_the_level_and_is_kept(now, hexie_lobby, hexie_manager):
    incident = ReportFactory(facts={"media_exposure": True})
    reason = "曝光视频为旧视频，已由分行宣传部门核实并删除"
    services.change_level(actor=hexie_manager, incident=incident, level=Level.III, reason=reason)
    incident.refresh_from_db()
    assert incident.level == Level.III and incident.classified_level == Level.II
    entry = incident.timeline.get(event=TimelineEvent.LEVEL_CHANGED)
    assert reason in entry.text and entry.data["rules_say"] == "II" and entry.actor == hexie_manager
    audit = AuditEntry.objects.get(action="incident.change_level", object_id=str(incident.pk))
    assert audit.data == {"from": "II", "to": "III", "reason": reason, "rules_say": "II"}


def test_a_follow_up_without_new_facts_keeps_a_level_a_person_lowered(now, hexie_lobby, hexie_manager):
    incident = ReportFactory(facts={"media_exposure": True})
    services.change_level(
        actor=hexie_manager, incident=incident, level=Level.III, reason="曝光视频为旧视频，已核实并删除"
    )
    services.add_follow_up(author=hexie_lobby, incident=incident, text="客户已离开网点")
    incident.refresh_from_db()
    assert incident.level == Level.III


def test_new_facts_the_rules_rank_higher_raise_a_lowered_level_again(now, hexie_lobby, hexie_manager):
    incident = ReportFactory(facts={"media_exposure": True})
    services.change_level(
        actor=hexie_manager, incident=incident, level=Level.III, reason="曝光视频为旧视频，已核实并删除"
    )
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
