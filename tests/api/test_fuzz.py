"""The API fuzzed with schemathesis: every operation of /api/v1/openapi.json, as a head-office person
(hq_duty) and as an outlet person (hexie_lobby), with data that fits the schema and data that does not.
No answer is a 500, and every answer has a status the operation documents, in the schema it documents.

Bounded and repeatable: Hypothesis is derandomised and draws EXAMPLES cases per operation in its
fuzzing phase, after schemathesis's deterministic coverage phase (boundaries, wrong types, missing
fields and headers, unexpected methods and content types). Random ids and codes mostly name nothing,
so about half of the drawn cases are aimed at live records of 和谐路营业部 instead: an incident being
responded to, with a working group and tasks, a freshly reported one, a complaint, the persona's notice,
a plan, and a valid event kind, unit, time and plan version in the bodies that need them. Each case
runs in a savepoint rolled back after it, so a withdrawal or a termination never changes what the next
case sees.

    .venv/bin/python -m pytest tests/api/test_fuzz.py -p no:randomly     # or: -m fuzz
"""

from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from yingji.api.api import api
from yingji.api.models import ApiToken, hash_token
from yingji.complaints import services as complaints
from yingji.core import clock
from yingji.core.testing import run_jobs
from yingji.incidents import services as incidents
from yingji.incidents.jobs import ALARMS
from yingji.notify.models import Notice
from yingji.orgs.models import Person
from yingji.plans.models import EventKind, Plan, VersionStatus

EXAMPLES = 25
TOKENS = {"hq_duty": "yj_fuzz-head-office", "hexie_lobby": "yj_fuzz-outlet"}
# Valid data may still name a unit or an event kind that does not exist, and a 400 is then right:
# which valid requests must succeed is what the feature tests say. The fuzzer checks everything else.
CHECKS_LEFT_OUT = [positive_data_acceptance]

# The live records, filled in by the `live` fixture before any case is drawn.
LIVE: dict[str, Any] = {}


def _aimed_path(name: str, persona: str) -> list[Any]:
    if name == "code":
        return ["JN0101"]
    if name == "incident_id":
        return [LIVE["activated"], LIVE["reported"]]
    if name == "notice_id":
        return [LIVE[f"notice:{persona}"]] if f"notice:{persona}" in LIVE else []
    return [LIVE[name]] if name in LIVE else []


def _aimed_body(label: str) -> dict[str, Any]:
    """Valid values for the fields of a body that name something, by operation."""
    recent = (clock.now() - timedelta(minutes=10)).isoformat()
    return {
        "POST /api/v1/incidents": {"kind": "customer_injured", "unit": "JN0101", "occurred_at": recent},
        "POST /api/v1/complaints": {
            "unit": "JN0101",
            "received_at": recent,
            "business": "",
            "cause": "",
            "subject_unit": "",
        },
        "POST /api/v1/incidents/{incident_id}/activate": {
            "plan_version": LIVE["plan_version"],
            "leader": "hexie_president",
            "deputies": [],
            "members": [],
        },
        "POST /api/v1/incidents/{incident_id}/groups/{group_id}/leader": {"leader": "hexie_president"},
        "POST /api/v1/incidents/{incident_id}/tasks/{task_id}/group": {"group": LIVE["group_id"]},
        "POST /api/v1/incidents/{incident_id}/link": {"other": LIVE["reported_number"]},
        "POST /api/v1/incidents/{incident_id}/merge": {"into": LIVE["activated_number"]},
        "POST /api/v1/classify": {"kind": "customer_injured"},
        "POST /api/v1/complaints/{complaint_id}/withdraw": {"withdrawn_at": recent},
        "POST /api/v1/complaints/{complaint_id}/new-facts": {"received_at": recent},
    }.get(label, {})


def _schema_for(persona: str):
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = WSGIHandler()

    @schema.auth()
    class Token:
        def get(self, case, context):
            return TOKENS[persona]

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        # Only a value drawn with the right type is replaced: a case that sends a wrong type keeps it.
        if not isinstance(path_parameters, dict) or not path_parameters:
            return st.just(path_parameters)
        choices = {name: _aimed_path(name, persona) for name in path_parameters}
        choices = {
            name: ids for name, ids in choices.items() if ids and type(path_parameters[name]) is type(ids[0])
        }
        if not choices:
            return st.just(path_parameters)
        aimed = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in choices.items()}).map(
            lambda ids: {**path_parameters, **ids}
        )
        return st.one_of(st.just(path_parameters), aimed)

    @schema.hook
    def flatmap_body(context, body):
        if not isinstance(body, dict):
            return st.just(body)
        fields = _aimed_body(context.operation.label)
        # Only a field drawn with the right type is replaced, so a case that is invalid stays invalid.
        valid = {k: v for k, v in fields.items() if k in body and type(body[k]) is type(v)}
        if not valid:
            return st.just(body)
        return st.sampled_from([body, {**body, **valid}])

    return schema


head_office = _schema_for("hq_duty")
outlet = _schema_for("hexie_lobby")


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


def _report(description: str):
    lobby = _person("hexie_lobby")
    return incidents.report_incident(
        reporter=lobby,
        kind=EventKind.objects.get(code="customer_injured"),
        unit=lobby.unit,
        occurred_at=clock.now() - timedelta(minutes=5),
        description=description,
        facts={},
    )


@pytest.fixture(autouse=True)
def live(library):
    """The personas' tokens (with the raw values the schemas send) and the live records to aim at."""
    for username, raw in TOKENS.items():
        ApiToken.objects.create(
            person=_person(username), key_hash=hash_token(raw), prefix=raw[:10], created_at=clock.now()
        )
    plan = Plan.objects.get(code="outlet-service-customer-injured")
    version = plan.versions.get(status=VersionStatus.APPROVED)
    activated = _report("一位老年客户在大厅湿滑处摔倒")
    reported = _report("大厅又有一位客户滑倒")
    run_jobs(queue=ALARMS)  # the chain is told, as the worker does within a second
    incidents.activate_plan(
        actor=_person("hexie_manager"),
        incident=activated,
        version=version,
        leader=_person("hexie_president"),
        groups=["现场处置组"],
    )
    # 处置中: the lobby manager took a task, so termination and investigation have a case to act on.
    lobby_task = activated.tasks.filter(position__code="lobby_manager").order_by("order").first()
    incidents.claim_task(actor=_person("hexie_lobby"), task=lobby_task)
    complaint = complaints.register_complaint(
        receiver=_person("hexie_lobby"),
        unit=_person("hexie_lobby").unit,
        channel="counter",
        received_at=clock.now() - timedelta(minutes=10),
        customer_name="张三",
        customer_phone="13812345678",
        content="排队一个多小时无人引导。",
    )
    LIVE.update(
        activated=activated.pk,
        activated_number=activated.number,
        reported=reported.pk,
        reported_number=reported.number,
        task_id=activated.tasks.order_by("order")[0].pk,
        group_id=activated.groups.get().pk,
        complaint_id=complaint.pk,
        plan_id=version.plan_id,
        plan_version=version.pk,
    )
    for username in TOKENS:
        notice = Notice.objects.filter(recipient__user__username=username).order_by("-pk").first()
        if notice is not None:
            LIVE[f"notice:{username}"] = notice.pk
    yield
    LIVE.clear()


@pytest.fixture(autouse=True)
def wsgi_requests():
    """Requests go through the WSGI handler in this thread and this test's transaction; like Django's
    test client, keep the handler from closing the connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _check(case) -> None:
    """One case, in a savepoint rolled back after it: each case starts from the same data."""
    with transaction.atomic():
        case.call_and_validate(excluded_checks=CHECKS_LEFT_OUT)
        transaction.set_rollback(True)


@pytest.mark.fuzz
@head_office.parametrize()
@BOUNDED
def test_head_office_person(case):
    _check(case)


@pytest.mark.fuzz
@outlet.parametrize()
@BOUNDED
def test_outlet_person(case):
    _check(case)
