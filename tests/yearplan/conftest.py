from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core import clock
from yingji.orgs.models import Person, Unit
from yingji.yearplan import services, template
from yingji.yearplan.models import AnnualPlan

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


jn_president = _persona("jn_president")  # 钱江南, 江南分行行长: approves the branch's plan
jb_president = _persona("jb_president")  # 孙江北, 行长 of the sibling branch 江北分行
hexie_president = _persona("hexie_president")  # 刘和谐, 和谐支行行长, a sub-branch under 江南分行
hexie_teller = _persona("hexie_teller")  # 何柜员, a teller at 和谐路营业部
jn_consumer = _persona("jn_consumer")  # 彭消保, 江南分行's consumer-protection officer
chengbei_admin = _persona("chengbei_admin")  # 北应急, 城北支行's 应急管理员 (under 江北分行)


@pytest.fixture
def now(demo):
    """Business time frozen at 20 February 2026, 10:00 in Shanghai: the plan of 2026 is drawn up."""
    with clock.frozen(datetime(2026, 2, 20, 10, tzinfo=clock.SHANGHAI)) as frozen:
        yield frozen


@pytest.fixture(autouse=True)
def uploads_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def jiangnan(demo) -> Unit:
    return Unit.objects.get(code="JN")


@pytest.fixture
def loaded(demo):
    template.load()


@pytest.fixture
def draft(loaded, now, branch_duty, jiangnan) -> AnnualPlan:
    """江南分行's 2026 plan, drawn up from the template by its 应急管理员 吴分值."""
    return services.create_plan(actor=branch_duty, unit=jiangnan, year=2026)


@pytest.fixture
def approved(draft, branch_duty, jn_president) -> AnnualPlan:
    services.submit_plan(actor=branch_duty, plan=draft)
    return services.approve_plan(actor=jn_president, plan=AnnualPlan.objects.get(pk=draft.pk))


def task_of(plan: AnnualPlan, key: str):
    return plan.tasks.select_related("plan__unit", "owner_unit", "owner_person", "owner_position").get(
        template__key=key
    )


def pdf(name: str = "纪要.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)
