"""The demo bank's inspection (issue 21's demo): 和谐支行's 应急管理员 inspected 和谐路营业部 (JN0101) this
month; one fire extinguisher was out of date, so one rectification is open, owned by the outlet head, who
signed the record. Called by `load_demo` after the bank and its people exist; twice adds nothing."""

from django.conf import settings
from django.db import transaction
from django.utils import translation

from yingji.orgs.models import Person, Unit

from . import checklists, services
from .models import Inspection, Result


def load_demo_inspections() -> dict[str, int]:
    # What the services write for people to read (a rectification's text) is in the bank's language.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _load()


def _load() -> dict[str, int]:
    checklists.load()
    unit = Unit.objects.filter(code="JN0101").first()
    inspector = Person.objects.filter(user__username="hexie_admin").select_related("unit", "user").first()
    head = Person.objects.filter(user__username="hexie_manager").select_related("unit", "user").first()
    if unit is None or inspector is None or head is None or Inspection.objects.filter(unit=unit).exists():
        return {"inspections": 0}
    inspection = services.start_inspection(actor=inspector, unit=unit)
    for result in inspection.results.select_related("item"):
        result.inspection = inspection
        if result.item.shipped_key == "fire-1":
            services.record_item(
                actor=inspector,
                result=result,
                outcome=Result.FAIL,
                note="营业厅东侧2具灭火器已过有效期，压力表指针在红区。",
            )
        else:
            services.record_item(actor=inspector, result=result, outcome=Result.PASS)
    services.sign_as_inspector(actor=inspector, inspection=inspection)
    services.sign_as_head(actor=head, inspection=inspection)
    return {"inspections": 1}
