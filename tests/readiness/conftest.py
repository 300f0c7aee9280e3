import pytest
from django.utils import timezone

from yingji.core import clock
from yingji.orgs.models import Person
from yingji.plans import services as plans
from yingji.plans.models import Plan, PlanVersion
from yingji.readiness import course

from ..conftest import _persona

hexie_guard = _persona("hexie_guard")  # 施保安, 和谐路营业部's guard
hexie_teller = _persona("hexie_teller")  # 何柜员, 和谐路营业部's teller
plaza_manager = _persona("plaza_manager")  # 孔广场, head of the sibling outlet 和谐广场网点


@pytest.fixture
def now():
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture
def the_course(library):
    course.load()


@pytest.fixture
def injured(library) -> Plan:
    """营业网点服务突发事件应急预案·场景一 客户意外受伤 (000): the lobby manager's plan."""
    return Plan.objects.get(code="outlet-service-customer-injured")


def publish_new_version(plan: Plan, *, drafter: Person, approver: Person, note: str = "修订") -> PlanVersion:
    """A revision drafted by one 应急管理员 and approved by head office's, as the library does it."""
    draft = plans.start_revision(actor=drafter.user, plan=plan)
    plans.update_version(
        actor=drafter.user,
        version=draft,
        title=draft.title,
        principles=draft.principles,
        termination=draft.termination,
        change_note=note,
    )
    plans.submit_for_review(actor=drafter.user, version=draft)
    return plans.approve(actor=approver.user, version=draft)
