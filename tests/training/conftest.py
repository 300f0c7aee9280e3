from datetime import datetime, timedelta

import pytest

from yingji.core import clock
from yingji.orgs.models import Person, Unit
from yingji.training import services
from yingji.training.models import QUARTERLY_SAFETY, SessionKind


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


hexie_admin = _persona("hexie_admin")  # 韩应急, 和谐支行's 应急管理员: plans and gives its sessions
hexie_teller = _persona("hexie_teller")  # 何柜员, 和谐路营业部's teller
hexie_guard = _persona("hexie_guard")  # 施保安, 和谐路营业部's guard
hexie_lobby = _persona("hexie_lobby")  # 王大堂, 和谐路营业部's lobby manager
plaza_manager = _persona("plaza_manager")  # 孔广场, head of the sibling outlet 和谐广场网点
other_manager = _persona("other_manager")  # 冯城北, 城北营业部 under the sibling branch 江北分行
branch_duty = _persona("branch_duty")  # 吴分值, 江南分行's 应急管理员

# 15:00 on 14 May 2026, Asia/Shanghai: the second quarter.
START = datetime(2026, 5, 14, 15, tzinfo=clock.SHANGHAI)


@pytest.fixture
def hexie_outlet(demo) -> Unit:
    return Unit.objects.get(code="JN0101")


@pytest.fixture
def quarterly(demo) -> SessionKind:
    return SessionKind.objects.get(code=QUARTERLY_SAFETY)


@pytest.fixture(autouse=True)
def materials_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def plan(hexie_admin, hexie_outlet, quarterly):
    """A 季度安全教育 at 和谐路营业部 by 韩应急, planned a week ahead, its staff expected."""

    def run(*, start: datetime = START, unit: Unit | None = None, kind: SessionKind | None = None, **kw):
        unit = unit or hexie_outlet
        with clock.frozen(start - timedelta(days=7)):
            return services.plan_session(
                actor=kw.pop("actor", hexie_admin),
                unit=unit,
                kind=kind or quarterly,
                topic=kw.pop("topic", "网点八类突发事件的应对"),
                starts_at=start,
                ends_at=start + timedelta(minutes=90),
                trainer=kw.pop("trainer", hexie_admin),
                attendees=kw.pop("attendees", None) or list(services.staff_of(unit)),
                **kw,
            )

    return run
