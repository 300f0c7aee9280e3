import pytest

from yingji.drills.models import DrillTemplate
from yingji.drills.templates import load_templates
from yingji.orgs.models import Person, Unit


@pytest.fixture
def templates(library):
    """The shipped drill templates, as `make run` loads them after the plan library."""
    load_templates()


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


@pytest.fixture
def hexie_admin(demo) -> Person:
    """韩应急, 和谐支行's 应急管理员: plans the sub-branch's drills."""
    return _person("hexie_admin")


@pytest.fixture
def hexie_president(demo) -> Person:
    return _person("hexie_president")


@pytest.fixture
def hexie_sub_branch(demo) -> Unit:
    return Unit.objects.get(code="JN01")


@pytest.fixture
def hexie_outlet(demo) -> Unit:
    return Unit.objects.get(code="JN0101")


@pytest.fixture
def quarterly(templates) -> DrillTemplate:
    return DrillTemplate.objects.get(code="outlet-quarterly-service")


@pytest.fixture
def major_complaint(templates) -> DrillTemplate:
    return DrillTemplate.objects.get(code="major-complaint")


@pytest.fixture
def plan_drill(templates, hexie_admin, hexie_sub_branch, hexie_outlet):
    """和谐支行's quarterly drill with 和谐路营业部 taking part, planned by its 应急管理员."""
    from yingji.drills import services

    return services.create_from_template(
        actor=hexie_admin.user,
        unit=hexie_sub_branch,
        units=[hexie_sub_branch, hexie_outlet],
        template=DrillTemplate.objects.get(code="outlet-quarterly-service"),
    )
