"""The demo bank's responsibility letters (issue 21's demo): 江南分行's 应急管理员 issued this year's letters
for 江南分行's subtree on 3月2日; most were signed on a phone by 3/10, 张理财 signed late, 何柜员's paper
letter was signed and its scan uploaded by 和谐支行's 应急管理员, and some are missing: 施保安 and 滨应急
have not signed, nor have the units without a head in the demo (江南分行办公室, 滨江支行 and its outlets).
Called by `load_demo` after the bank and its people exist; twice adds nothing."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation

from yingji.core import clock
from yingji.orgs.models import Person, Unit

from . import scans, services
from .models import Kind, Letter, Round

# username → days after 3/1 it was signed (on the phone); None: not signed.
SIGNED_ON: dict[str, int | None] = {
    "jn_president": 1,
    "jn_consumer": 2,
    "branch_duty": 1,
    "hexie_president": 2,
    "hexie_admin": 2,
    "hexie_manager": 3,
    "hexie_lobby": 4,
    "hexie_ops": 5,
    "hexie_wealth": 11,  # 3/12: late
    "plaza_manager": 6,
    "hexie_guard": None,
    "binjiang_admin": None,
}
UNIT_SIGNED_BY = {"JN01": "hexie_president", "JN0101": "hexie_manager", "JN0102": "plaza_manager"}
# A one-page PDF, enough for the type check and for a browser to open.
SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def load_demo_letters() -> dict[str, int]:
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _load()


def _person(username: str) -> Person:
    return (
        Person.objects.select_related("user", "unit")
        .prefetch_related("positions")
        .get(user__username=username)
    )


def _load() -> dict[str, int]:
    branch = Unit.objects.filter(code="JN").first()
    year = clock.local_today().year
    if branch is None or Round.objects.filter(unit=branch, year=year).exists():
        return {"letters": 0}
    start = min(datetime(year, 3, 2, 9, 0, tzinfo=clock.SHANGHAI), clock.now())
    with clock.frozen(start):
        services.generate(actor=_person("branch_duty"), unit=branch, year=year)
    letters = Letter.objects.filter(year=year, round__unit=branch)
    for username, days in SIGNED_ON.items():
        letter = letters.filter(kind=Kind.EMPLOYEE, person__user__username=username).first()
        if days is None or letter is None:
            continue
        with clock.frozen(min(start + timedelta(days=days - 1, hours=1), clock.now())):
            services.sign(actor=_person(username), letter=letter)
    for code, username in UNIT_SIGNED_BY.items():
        letter = letters.filter(kind=Kind.UNIT, unit__code=code).first()
        if letter is not None:
            with clock.frozen(min(start + timedelta(days=3), clock.now())):
                services.sign(actor=_person(username), letter=letter)
    teller = letters.filter(kind=Kind.EMPLOYEE, person__user__username="hexie_teller").first()
    if teller is not None:
        with clock.frozen(min(start + timedelta(days=6), clock.now())):
            scans.upload(
                actor=_person("hexie_admin"),
                letter=teller,
                file=SimpleUploadedFile("何柜员-安全责任书.pdf", SCAN, content_type="application/pdf"),
            )
    return {"letters": letters.count()}
