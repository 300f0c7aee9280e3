import pytest
from django.utils import timezone

from yingji.core import clock
from yingji.orgs.models import Person, Unit
from yingji.security import checklists, services
from yingji.security.models import Inspection, Result


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


hexie_admin = _persona("hexie_admin")  # 韩应急, 和谐支行's 应急管理员: inspects its outlets
hexie_president = _persona("hexie_president")  # 刘和谐, 和谐支行行长
hexie_guard = _persona("hexie_guard")  # 施保安, 和谐路营业部's guard
plaza_manager = _persona("plaza_manager")  # 孔广场, head of the sibling outlet 和谐广场网点
hq_security = _persona("hq_security")  # 赵保卫, head office's 监察保卫部


@pytest.fixture
def now():
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture
def checklist(demo):
    checklists.load()


@pytest.fixture(autouse=True)
def photos_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def hexie_outlet(demo) -> Unit:
    return Unit.objects.get(code="JN0101")


@pytest.fixture
def conduct(checklist, hexie_admin, hexie_outlet, now):
    """An inspection of 和谐路营业部 by 韩应急: every item passes but those in `failures` (shipped key →
    note); `major` names the key of a 重大安全隐患 and `responsible` its person. Signed by the inspector
    when `sign`."""

    def run(
        failures: dict[str, str] | None = None, *, major: str = "", responsible=None, sign=True
    ) -> Inspection:
        failures = failures or {}
        inspection = services.start_inspection(actor=hexie_admin, unit=hexie_outlet)
        for result in inspection.results.select_related("item"):
            result.inspection = inspection
            key = result.item.shipped_key
            if key in failures:
                services.record_item(
                    actor=hexie_admin,
                    result=result,
                    outcome=Result.FAIL,
                    note=failures[key],
                    major_hazard=key == major,
                    responsible=responsible if key == major else None,
                )
            else:
                services.record_item(actor=hexie_admin, result=result, outcome=Result.PASS)
        if sign:
            services.sign_as_inspector(actor=hexie_admin, inspection=inspection)
        inspection.refresh_from_db()
        return inspection

    return run
