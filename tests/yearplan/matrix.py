"""Annual plans' records for the access matrix (tests/test_access_matrix.py): 和谐支行 (JN01)'s plan for
this year, drawn up and submitted by its 应急管理员 韩应急, approved by its 行长 刘和谐; the May meeting's
minutes uploaded. Made the way the product makes them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core import clock
from yingji.orgs.models import Person, Unit
from yingji.yearplan import evidence, services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def records() -> dict[str, object]:
    admin = Person.objects.select_related("user", "unit").get(user__username="hexie_admin")
    president = Person.objects.select_related("user", "unit").get(user__username="hexie_president")
    plan = services.create_plan(
        actor=admin, unit=Unit.objects.get(code="JN01"), year=clock.local_today().year
    )
    services.submit_plan(actor=admin, plan=plan)
    plan = services.approve_plan(actor=president, plan=type(plan).objects.get(pk=plan.pk))
    task = plan.tasks.select_related("plan__unit", "owner_unit").get(template__key="meeting-may")
    task.plan = plan
    found = evidence.add_file(actor=admin, task=task, upload=SimpleUploadedFile("纪要.pdf", PDF))
    return {"annual_plan": plan.pk, "annual_plan_task": task.pk, "annual_plan_file": found.pk}
