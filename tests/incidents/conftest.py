import pytest
from django.utils import timezone

from yingji.core import clock
from yingji.notify.channels.sms import ConsoleGateway
from yingji.orgs.models import Person


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


hexie_president = _persona("hexie_president")  # 刘和谐, 和谐支行行长
hexie_guard = _persona("hexie_guard")  # 施保安, 和谐路营业部保安
jn_president = _persona("jn_president")  # 钱江南, 江南分行行长
hq_president = _persona("hq_president")  # 李总行
plaza_manager = _persona("plaza_manager")  # 孔广场, the sibling outlet 和谐广场网点


@pytest.fixture
def now():
    """Business time, frozen at the real present (the demo duty roster starts today; jobs are due by
    real time). Yields the frozen clock: `now.advance(minutes=16)`."""
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture
def sms_outbox() -> list[tuple[str, str]]:
    ConsoleGateway.outbox.clear()
    yield ConsoleGateway.outbox
    ConsoleGateway.outbox.clear()
