from datetime import UTC, datetime, timedelta

import pytest

from yingji.core import clock
from yingji.monitoring import services
from yingji.monitoring.defaults import ensure_rules
from yingji.orgs.models import Person, Unit

# A Monday morning at the call centre, 10:00 in Shanghai.
MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


cc_manager = _persona("cc_manager")  # 曹总经理, the call centre's 领导小组组长
hq_president = _persona("hq_president")
hexie_president = _persona("hexie_president")


@pytest.fixture(autouse=True)
def fresh_process():
    """Each test as a server process just started: none of the copies a process keeps between requests
    (tokens, sources heard lately, the evaluation job enqueued) outlives the test's rolled-back data."""
    from yingji.monitoring import evaluation, integrations

    integrations.forget_tokens()
    evaluation._heard_at.clear()
    services._scheduled["until"] = 0.0
    yield


@pytest.fixture
def now():
    with clock.frozen(MORNING) as frozen:
        yield frozen


@pytest.fixture
def rules(library):
    ensure_rules()


@pytest.fixture
def unit(demo):
    return lambda code: Unit.objects.get(code=code)


@pytest.fixture
def acd(rules, unit, cc_manager):
    """The call centre's ACD, reporting for 客服中心 in 曹总经理's name."""
    integration, _raw = services.issue_integration(
        actor=None, name="客服中心ACD", kind="acd", units=[unit("CC")], contact=cc_manager
    )
    return integration


@pytest.fixture
def queue_system(rules, unit, hexie_president):
    integration, _raw = services.issue_integration(
        actor=None,
        name="和谐支行排队系统",
        kind="queue_system",
        units=[unit("JN01")],
        contact=hexie_president,
    )
    return integration


def point(unit: str, metric: str, at: datetime, value: float, source: str = "acd") -> dict:
    return {"source": source, "unit": unit, "metric": metric, "at": at, "value": value}


def minutes(start: datetime, n: int) -> list[datetime]:
    return [start + timedelta(minutes=i) for i in range(n)]
