"""Training records for the access matrix (tests/test_access_matrix.py): 和谐支行's 应急管理员 planned a
季度安全教育 at 和谐支行 (JN01) for its own staff (nobody below is expected, so the unit below does not see
it), with a PDF handout; it has started. Made the way the product makes them."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core import clock
from yingji.orgs.models import Person, Unit
from yingji.training import services
from yingji.training.models import QUARTERLY_SAFETY, SessionKind


def records() -> dict[str, object]:
    unit = Unit.objects.get(code="JN01")
    trainer = Person.objects.select_related("user", "unit").get(user__username="hexie_admin")
    starts_at = clock.now() - timedelta(minutes=10)
    session = services.plan_session(
        actor=trainer,
        unit=unit,
        kind=SessionKind.objects.get(code=QUARTERLY_SAFETY),
        topic="网点八类突发事件的应对",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        trainer=trainer,
        attendees=list(Person.objects.filter(unit=unit)),
    )
    material = services.add_material(
        actor=trainer, session=session, upload=SimpleUploadedFile("讲义.pdf", b"%PDF-1.4\n%\n")
    )
    return {
        "training_session": session.pk,
        "training_attendance": session.attendances.first().pk,
        "training_material": material.pk,
    }
