"""The demo bank's year's summary (issue 21's demo): 江南分行's 应急管理员 generated the 2026 summary of
江南分行 from the records the other demo loaders left (the year's plan part done, letters signed and
missing, an inspection with its rectification, drills, incidents, readiness below 100 %); it is a draft.
Called by `load_demo` after the others; twice adds nothing."""

from django.conf import settings
from django.utils import translation

from yingji.core import clock
from yingji.orgs.models import Person, Unit

from . import services
from .models import Summary

YEAR = 2026


def load_demo_summary() -> dict[str, int]:
    unit = Unit.objects.filter(code="JN").first()
    author = Person.objects.filter(user__username="branch_duty").select_related("unit", "user").first()
    if unit is None or author is None or clock.local_today().year < YEAR:
        return {"summaries": 0}
    if Summary.objects.filter(unit=unit, year=YEAR).exists():
        return {"summaries": 0}
    with translation.override(settings.LANGUAGE_CODE):
        services.generate_summary(actor=author.user, unit=unit, year=YEAR)
    return {"summaries": 1}
