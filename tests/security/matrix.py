"""Security inspections' records for the access matrix (tests/test_access_matrix.py): 江南分行's
应急管理员 inspected 和谐支行 (JN01); one item failed, a 重大安全隐患 with its accountability record and a
photo, and became a rectification owned by 和谐支行's president; signed by the inspector, awaiting the
head. Made the way the product makes them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.corrective.models import CorrectiveAction
from yingji.orgs.models import Person, Unit
from yingji.security import checklists, photos, services
from yingji.security.models import Accountability, Result

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def records() -> dict[str, object]:
    checklists.load()
    inspector = Person.objects.select_related("user", "unit").get(user__username="branch_duty")
    inspection = services.start_inspection(actor=inspector, unit=Unit.objects.get(code="JN01"))
    results = list(inspection.results.all())
    for n, result in enumerate(results):
        result.inspection = inspection
        if n == 0:
            services.record_item(
                actor=inspector,
                result=result,
                outcome=Result.FAIL,
                note="制度未更新。",
                major_hazard=True,
                responsible=Person.objects.get(user__username="hexie_admin"),
            )
        else:
            services.record_item(actor=inspector, result=result, outcome=Result.PASS)
    first = results[0]
    photo = photos.add_photo(actor=inspector, result=first, upload=SimpleUploadedFile("a.png", PNG))
    services.sign_as_inspector(actor=inspector, inspection=inspection)
    action = CorrectiveAction.objects.get(findings__inspection_link__inspection=inspection)
    return {
        "inspection": inspection.pk,
        "inspection_item": first.pk,
        "inspection_photo": photo.pk,
        "rectification": action.pk,
        "accountability": Accountability.objects.get(result=first).pk,
    }
