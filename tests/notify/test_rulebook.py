"""The rules a report reads are cached per process; a change is seen by the next report, whether it was
made here, by another process, or rolled back."""

from datetime import timedelta

import pytest
from django.db import transaction

from yingji.core import clock
from yingji.core.testing import run_jobs
from yingji.incidents.jobs import ALARMS
from yingji.incidents.services import report_incident
from yingji.notify import rulebook
from yingji.notify.defaults import ensure_defaults
from yingji.notify.models import Notice, NotificationRule, RulesVersion
from yingji.notify.rules import update_level_rule
from yingji.orgs.models import Position, Unit
from yingji.plans.loader import load_library
from yingji.plans.models import EventKind, LevelRule


@pytest.fixture
def rules(demo):
    load_library()
    ensure_defaults()


def a_report(person, **changes):
    return report_incident(
        reporter=person,
        kind=EventKind.objects.get(code="customer_injured"),
        unit=Unit.objects.get(code="JN0101"),
        occurred_at=clock.now() - timedelta(minutes=5),
        description="客户在大堂滑倒",
        facts={"injured": 3},
        **changes,
    )


def test_an_unchanged_rulebook_costs_one_read(rules, django_assert_num_queries):
    rulebook.current()
    with django_assert_num_queries(1):
        book = rulebook.current()
    assert book.rule_for("II").reach == "branch"
    assert book.kind("customer_injured").name == EventKind.objects.get(code="customer_injured").name


def test_a_rule_changed_in_the_pages_is_read_by_the_next_report(rules, hq_duty, hexie_lobby):
    rulebook.current()
    rule = NotificationRule.objects.get(level="II")
    update_level_rule(
        actor=hq_duty.user,
        rule=rule,
        reach="branch",
        ack_minutes=25,
        regulator_report=True,
        late_report_minutes=30,
        positions=list(rule.positions.all()),
    )
    incident = a_report(hexie_lobby)
    run_jobs(queue=ALARMS)  # the worker tells the chain, by the rules as they are now
    notice = Notice.objects.filter(subject_id=incident.pk).first()
    assert notice.ack_due_at - notice.created_at == timedelta(minutes=25)


def test_a_level_rule_changed_by_another_process_is_read_once_the_token_moves(rules, hexie_lobby):
    kind = EventKind.objects.get(code="customer_injured")
    rulebook.current()
    # Another process changed the rule and the token, without this process's signal handlers.
    LevelRule.objects.filter(code="injured-three-ii").update(level="I")
    assert {r.code: r.level for r in rulebook.current().rules_for(kind)}["injured-three-ii"] == "II"
    RulesVersion.objects.filter(pk=1).update(token="another-process")
    assert a_report(hexie_lobby).level == "I"


def test_a_rolled_back_change_leaves_no_trace_in_the_cache(rules):
    before = rulebook.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        Position.objects.filter(code="emergency_admin").update(name="改名的应急管理员")
        rulebook.changed()
        assert rulebook.current().position("emergency_admin").name == "改名的应急管理员"
        raise RuntimeError("rolled back")
    assert rulebook.current().token == before.token
    assert rulebook.current().position("emergency_admin").name == before.position("emergency_admin").name
