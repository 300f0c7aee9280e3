"""Monitoring's records for the access matrix (tests/test_access_matrix.py): a queue warning at 和谐支行
raised the way the product raises one (a rule for that unit, a point from its queue system), and a rule."""

from datetime import timedelta

from yingji.core import clock
from yingji.monitoring import services, silences
from yingji.monitoring.models import Measure, RuleAction, SignalWarning, WarningRule
from yingji.orgs.models import Person, Unit


def records() -> dict[str, object]:
    sub_branch = Unit.objects.get(code="JN01")
    president = Person.objects.select_related("user", "unit").get(user__username="hexie_president")
    rule = WarningRule.objects.create(
        name="支行营业部排队超过30人",
        measure=Measure.QUEUE_LENGTH,
        unit=sub_branch,
        threshold=30,
        level="yellow",
        action=RuleAction.PROPOSE,
        reach="sub_branch",
        updated_at=clock.now(),
    )
    integration, _raw = services.issue_integration(
        actor=None, name="和谐支行排队系统", kind="queue_system", units=[sub_branch], contact=president
    )
    at = clock.now() - timedelta(minutes=1)
    services.ingest(
        integration=integration,
        points=[{"source": "queue", "unit": "JN01", "metric": "queue_length", "at": at, "value": 44}],
    )
    warning = SignalWarning.objects.get(rule=rule)
    silence = silences.set_silence(
        person=Person.objects.get(user__username="branch_duty"),
        unit=sub_branch,
        subtree=True,
        measure="",
        source="queue",
        starts_at=clock.now() + timedelta(days=1),
        ends_at=clock.now() + timedelta(days=1, hours=2),
        reason="排队系统升级",
    )
    return {
        "warning": warning.pk,
        "warning_rule": rule.pk,
        "silence": silence.pk,
        "integration": integration.pk,
    }
