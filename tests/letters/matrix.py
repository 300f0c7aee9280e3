"""Responsibility letters' records for the access matrix (tests/test_access_matrix.py): 和谐支行's 应急管理员
issued this year's letters for 和谐支行 (JN01); 刘和谐 (its president) signed his on paper and the scan was
uploaded. His letter is a record of 和谐支行: seen by it and the units above, not by an outlet below or a
sibling. Made the way the product makes them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core import clock
from yingji.letters import scans, services
from yingji.letters.models import Kind, Letter
from yingji.orgs.models import Person, Unit

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n"


def records() -> dict[str, object]:
    admin = Person.objects.select_related("user", "unit").get(user__username="hexie_admin")
    services.generate(actor=admin, unit=Unit.objects.get(code="JN01"), year=clock.local_today().year)
    letter = Letter.objects.get(kind=Kind.EMPLOYEE, person__user__username="hexie_president")
    scans.upload(actor=admin, letter=letter, file=SimpleUploadedFile("刘和谐.pdf", PDF))
    return {"letter": letter.pk}
