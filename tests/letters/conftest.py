from datetime import datetime

import pytest

from yingji.core import clock
from yingji.letters import services
from yingji.letters.models import Round
from yingji.orgs.models import Person, Unit

# 3月2日 of the demo year, 09:00 in Shanghai: the 部署 phase, a week before the letters are due.
MARCH_2 = datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


branch_duty = _persona("branch_duty")  # 吴分值, 江南分行's 应急管理员 (in 江南分行办公室)
hexie_admin = _persona("hexie_admin")  # 韩应急, 和谐支行's 应急管理员
hexie_president = _persona("hexie_president")  # 刘和谐, 和谐支行行长
hexie_manager = _persona("hexie_manager")  # 郑和谐, head of 和谐路营业部
hexie_lobby = _persona("hexie_lobby")  # 王大堂, 和谐路营业部's lobby manager
hexie_guard = _persona("hexie_guard")  # 施保安, 和谐路营业部's guard
other_manager = _persona("other_manager")  # 冯城北, head of 城北营业部 (江北分行)
hq_duty = _persona("hq_duty")  # 周应急, head office's 应急管理员


@pytest.fixture
def march():
    with clock.frozen(MARCH_2) as frozen:
        yield frozen


@pytest.fixture(autouse=True)
def scans_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def jiangnan(demo) -> Unit:
    return Unit.objects.get(code="JN")


@pytest.fixture
def issued(march, branch_duty, jiangnan) -> Round:
    """江南分行's 2026 letters, issued by its 应急管理员 on 3月2日."""
    return services.generate(actor=branch_duty, unit=jiangnan, year=2026)
