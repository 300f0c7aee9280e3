from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from yingji.complaints import services
from yingji.complaints.models import Category
from yingji.core import clock
from yingji.orgs.models import Person, Unit


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


hexie_ops = _persona("hexie_ops")  # 吕营运, 和谐路营业部营运主管
hexie_teller = _persona("hexie_teller")  # 何柜员
hexie_president = _persona("hexie_president")  # 刘和谐, 和谐支行行长
jn_president = _persona("jn_president")  # 钱江南, 江南分行行长
hq_consumer = _persona("hq_consumer")  # 黄消保, 总行消保专员
plaza_manager = _persona("plaza_manager")  # 孔广场, 和谐广场网点 (a sibling outlet)


@pytest.fixture
def now():
    """Business time frozen at the real present; `now.advance(days=3)` moves it."""
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture
def hexie(demo) -> Unit:
    return Unit.objects.get(code="JN0101")


def at(text: str) -> datetime:
    """A Shanghai wall-clock time: at("2026-09-30 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=clock.SHANGHAI)


@pytest.fixture
def register(hexie_lobby, hexie):
    """Register a complaint at 和谐路营业部 as its lobby manager, with what a counter form would send."""

    def make(**overrides):
        fields = {
            "receiver": hexie_lobby,
            "unit": hexie,
            "channel": "counter",
            "received_at": clock.now() - timedelta(minutes=10),
            "customer_name": "张三",
            "customer_phone": "13812345678",
            "content": "排队一个多小时无人引导，柜员态度生硬。",
            "kind": "problem",
            "business": Category.objects.get(code="counter_service"),
            "cause": Category.objects.get(code="service_attitude"),
        }
        fields.update(overrides)
        return services.register_complaint(**fields)

    return make
