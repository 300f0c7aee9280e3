"""Test data for incidents, made the way the product makes it: a report goes through `report_incident`,
a case reaches a status through the services a person would use, never by setting `status` by hand."""

from datetime import timedelta

import factory
from factory.django import DjangoModelFactory

from yingji.core import clock
from yingji.core.testing import run_jobs
from yingji.incidents import approvals, services
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
        version=approved("outlet-service-customer-injured"),
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
    """刘和谐 (组长) rejects; or every approver the plan names approves, one each (for the drill plan,
    which names none: 刘和谐 the 组长 and 韩应急, 和谐支行's 应急管理员)."""
    if not approve:
        return services.decide_termination(
            actor=person("hexie_president"),
            incident=incident,
            approve=False,
            note="客户家属仍在网点，继续处置",
        )
    request = incident.termination_requests.filter(decided_at__isnull=True).first()
    if request is None:  # nothing waits: the service says why
        return services.decide_termination(actor=person("hexie_president"), incident=incident, approve=True)
    for approval in request.approvals.filter(decided_at__isnull=True).order_by("order"):
        done = request.approvals.filter(decided_by__isnull=False).values("decided_by")
        approver = (
            approvals.holders(approval, incident)
            .exclude(pk=request.proposed_by_id)
            .exclude(pk__in=done)
            .select_related("user", "unit")
            .order_by("pk")
            .first()
        )
        services.decide_termination(actor=approver, incident=incident, approve=True, slot=approval.pk)
    return incident


def past_the_watch(incident: Incident) -> None:
    """The case cannot close while it is watched (本行设定): business time moves past the watch. Needs
    the frozen clock of the `now` fixture."""
    watch_until = Incident.objects.values_list("watch_until", flat=True).get(pk=incident.pk)
    if watch_until is not None and clock.now() <= watch_until:
        clock.FrozenClock().advance(seconds=(watch_until - clock.now()).total_seconds() + 1)


def cancel(incident: Incident) -> Incident:
    return services.cancel_incident(
        actor=person("hexie_manager"), incident=incident, reason="误报，客户未受伤"
    )


def start_investigation(incident: Incident):
    return services.start_investigation(actor=person("hexie_president"), incident=incident)


def close(incident: Incident) -> Incident:
    past_the_watch(incident)
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


# 客户意外受伤 with the plan's own working groups (helper A ships them in the fixtures; tests build
# their own so they do not depend on the shipped text).
OUTLET_GROUPS = [
    {"name": "现场处置组", "leader_position": "outlet_head", "duties": "查看伤情、维持秩序、保护现场"},
    {"name": "客户安抚组", "leader_position": "lobby_manager", "duties": "安抚客户、联系亲属"},
]
OUTLET_STEP_GROUPS = {1: "客户安抚组", 4: "现场处置组", 5: "现场处置组", 6: "客户安抚组"}
OUTLET_LEADERSHIP = {"leader": "president", "deputies": ["outlet_head"], "members": ["lobby_manager"]}


def with_groups(
    plan_code: str = "outlet-service-customer-injured",
    *,
    groups: list[dict] = OUTLET_GROUPS,
    step_groups: dict[int, str] = OUTLET_STEP_GROUPS,
    leadership: dict = OUTLET_LEADERSHIP,
) -> PlanVersion:
    """A new approved version of the plan with working groups, steps placed in them by order, and the
    leading group as positions: drafted by 吴分值, approved by 周应急, as the plan pages do it."""
    from yingji.plans import services as plans

    editor, approver = person("branch_duty").user, person("hq_duty").user
    draft = plans.start_revision(actor=editor, plan=Plan.objects.get(code=plan_code))
    for step in draft.steps.exclude(group="").select_related("position"):  # whatever the fixture says
        plans.update_step(actor=editor, step=step, **plans._step_snapshot(step) | {"group": ""})
    plans.update_version(
        actor=editor,
        version=draft,
        title=draft.title,
        principles=draft.principles,
        termination=draft.termination,
        change_note="加入工作组",
        groups=groups,
    )
    for step in draft.steps.filter(order__in=step_groups).select_related("position"):
        data = plans._step_snapshot(step) | {"group": step_groups[step.order]}
        plans.update_step(actor=editor, step=step, **data)
    # No page edits the leading group yet; the fixtures carry it. Set as the loader would.
    PlanVersion.objects.filter(pk=draft.pk).update(leadership=leadership)
    plans.submit_for_review(actor=editor, version=draft)
    plans.approve(actor=approver, version=draft)
    draft.refresh_from_db()
    return draft
