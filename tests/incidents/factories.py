"""Test data for incidents, made the way the product makes it: a report goes through `report_incident`,
a case reaches a status through the services a person would use, never by setting `status` by hand."""

from datetime import timedelta

import factory
from factory.django import DjangoModelFactory

from yingji.core import clock
from yingji.core.testing import run_jobs
from yingji.incidents import services
from yingji.incidents.jobs import ALARMS
from yingji.incidents.models import Incident, Status, Task
from yingji.notify.models import RegulatorDeadline, Webhook
from yingji.orgs.models import Person, Unit
from yingji.plans.models import EventKind, Plan, PlanVersion, VersionStatus


def person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


def kind(code: str) -> EventKind:
    return EventKind.objects.get(code=code)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def approved(plan_code: str) -> PlanVersion:
    return Plan.objects.get(code=plan_code).versions.get(status=VersionStatus.APPROVED)


class ReportFactory(factory.Factory):
    """A first report (首报) by 王大堂 at 和谐路营业部: a customer slipped in the hall a few minutes ago."""

    class Meta:
        model = Incident

    reporter = factory.LazyFunction(lambda: person("hexie_lobby"))
    kind = factory.LazyFunction(lambda: kind("customer_injured"))
    unit = factory.LazyAttribute(lambda report: report.reporter.unit)
    occurred_at = factory.LazyFunction(lambda: clock.now() - timedelta(minutes=5))
    description = "一位老年客户在大厅湿滑处摔倒，膝盖出血"
    facts = factory.LazyFunction(dict)

    @classmethod
    def _create(cls, model_class, **kwargs) -> Incident:
        return told(services.report_incident(**kwargs))


def told(incident: Incident) -> Incident:
    """The worker tells the chain of a new report, as it does within a second of it."""
    run_jobs(queue=ALARMS)
    return incident


class WebhookFactory(DjangoModelFactory):
    class Meta:
        model = Webhook

    unit = factory.LazyFunction(lambda: unit("JN0101"))
    kind = "wecom"
    url = "http://127.0.0.1:9/robot"


class RegulatorDeadlineFactory(DjangoModelFactory):
    class Meta:
        model = RegulatorDeadline

    unit = factory.LazyFunction(lambda: unit("JN"))
    minutes = 30


# How a case of 客户意外受伤 at 和谐路营业部 moves on: who does each step, through which service.
def activate(incident: Incident, *, leader: str = "hexie_president") -> Incident:
    """郑和谐 (网点负责人) activates the drill plan; 刘和谐 (支行行长) leads the group."""
    return services.activate_plan(
        actor=person("hexie_manager"),
        incident=incident,
        version=approved("drill-customer-injured"),
        leader=person(leader),
    )


def start_responding(incident: Incident) -> Task:
    task = incident.tasks.filter(position__code="lobby_manager").order_by("order").first()
    return services.claim_task(actor=person("hexie_lobby"), task=task)


def request_termination(incident: Incident):
    return services.request_termination(
        actor=person("hexie_manager"), incident=incident, summary="客户已送医，营业秩序恢复正常"
    )


def decide_termination(incident: Incident, *, approve: bool) -> Incident:
    return services.decide_termination(
        actor=person("hexie_president"),
        incident=incident,
        approve=approve,
        note="" if approve else "客户家属仍在网点，继续处置",
    )


def cancel(incident: Incident) -> Incident:
    return services.cancel_incident(
        actor=person("hexie_manager"), incident=incident, reason="误报，客户未受伤"
    )


def start_investigation(incident: Incident):
    return services.start_investigation(actor=person("hexie_president"), incident=incident)


def close(incident: Incident) -> Incident:
    president = person("hexie_president")
    services.save_findings(
        actor=president,
        incident=incident,
        cause="地面清洁后未放置警示牌",
        warnings_in_time=True,
        preventive_measures="雨天在门口铺设防滑垫并放置警示牌",
    )
    return services.close_investigation(actor=president, incident=incident)


# The shortest way to each status, from a fresh report.
PATH_TO = {
    Status.REPORTED: [],
    Status.ACTIVATED: [activate],
    Status.RESPONDING: [activate, start_responding],
    Status.TERMINATION_REQUESTED: [activate, start_responding, request_termination],
    Status.TERMINATED: [
        activate,
        start_responding,
        request_termination,
        lambda i: decide_termination(i, approve=True),
    ],
    Status.INVESTIGATING: [
        activate,
        start_responding,
        request_termination,
        lambda i: decide_termination(i, approve=True),
        start_investigation,
    ],
    Status.CLOSED: [
        activate,
        start_responding,
        request_termination,
        lambda i: decide_termination(i, approve=True),
        start_investigation,
        close,
    ],
    Status.CANCELLED: [activate, cancel],  # after activation, so the case has a group leader
}


def incident_in(status: str, **report) -> Incident:
    incident = ReportFactory(**report)
    for step in PATH_TO[status]:
        step(incident)
    incident.refresh_from_db()
    assert incident.status == status
    return incident
