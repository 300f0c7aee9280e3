import pytest
from django.utils import timezone

from yingji.core import clock
from yingji.corrective import services
from yingji.orgs.models import Person, Unit


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


hexie_president = _persona("hexie_president")  # 刘和谐, 和谐支行行长: above both 和谐 outlets
plaza_manager = _persona("plaza_manager")  # 孔广场, 和谐广场网点负责人 (a sibling outlet)
hexie_teller = _persona("hexie_teller")  # 何柜员: no leading post


@pytest.fixture
def now():
    """Business time frozen at the real present; `now.advance(days=3)` moves it."""
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture
def unit(demo):
    """Look a unit up by its code."""
    return lambda code: Unit.objects.get(code=code)


@pytest.fixture
def finding(unit, hexie_manager):
    """A finding of 和谐路营业部 recorded by its head; call with fields to change."""

    def make(**fields):
        values = {
            "actor": hexie_manager,
            "unit": unit("JN0101"),
            "source_type": "investigation",
            "source_label": "YJ-2026-000123 客户摔伤事件调查",
            "category": "facilities",
            "grade": "rectification",
            "text": "雨天大堂入口未铺防滑垫，未设警示牌。",
        }
        return services.record_finding(**(values | fields))

    return make
