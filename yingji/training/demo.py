"""The demo bank's training this year (issue 21's demo), at 江南分行's units: each past quarter's
季度安全教育 at 和谐路营业部 given by 和谐支行's 应急管理员, staff signing in on their phones (one forgot and
was marked by the trainer, one missed it); a 消防教育 by an outside trainer at 和谐支行; a 拒腐防变警示教育
at 滨江营业部; this quarter's session at 和谐路营业部 planned for next week, so 和谐广场网点 is the one
behind. Made the way the product makes them, each at its time (the clock set to the moment). Twice adds
nothing."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation

from yingji.core import clock
from yingji.drills.compliance import periods
from yingji.orgs.models import Person, Unit

from . import services
from .models import QUARTERLY_SAFETY, Session, SessionKind


def load_demo_training() -> dict[str, int]:
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _load()


def _people(*usernames: str) -> list[Person]:
    found = {
        p.user.username: p
        for p in Person.objects.filter(user__username__in=usernames).select_related("user", "unit")
    }
    return [found[u] for u in usernames if u in found]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.SHANGHAI)


def _held(
    *,
    unit: Unit,
    kind: SessionKind,
    topic: str,
    day: date,
    trainer: Person,
    trainer_name: str = "",
    attendees: list[Person],
    signed: list[Person],
    marked: list[Person],
) -> Session:
    starts_at = _at(day, 16)
    with clock.frozen(starts_at - timedelta(days=7)):
        session = services.plan_session(
            actor=trainer,
            unit=unit,
            kind=kind,
            topic=topic,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=90),
            place="二楼会议室",
            trainer=None if trainer_name else trainer,
            trainer_name=trainer_name,
            attendees=attendees,
        )
    with clock.frozen(starts_at - timedelta(minutes=5)) as frozen:
        for person in signed:
            services.sign_in(actor=person, session=session)
            frozen.advance(minutes=1)
    with clock.frozen(starts_at + timedelta(minutes=100)):
        if session.status == "planned":
            services.hold(actor=trainer, session=session)
        for person in marked:
            services.mark(
                actor=trainer,
                session=session,
                person=person,
                present=True,
                reason="到场参加，手机没电未能签到。",
            )
        services.record(actor=trainer, session=session)
    return session


def _load() -> dict[str, int]:
    outlet = Unit.objects.filter(code="JN0101").first()
    sub = Unit.objects.filter(code="JN01").first()
    binjiang = Unit.objects.filter(code="JN0201").first()
    kinds = {k.code: k for k in SessionKind.objects.all()}
    trainers = _people("hexie_admin", "binjiang_admin")
    if None in (outlet, sub, binjiang) or len(trainers) < 2 or len(kinds) < 3:
        return {"sessions": 0}
    if Session.objects.filter(unit__path__startswith=sub.path).exists():
        return {"sessions": 0}
    hexie_admin, binjiang_admin = trainers
    staff = list(services.staff_of(outlet).order_by("name"))
    today = clock.local_today()
    made = 0
    for n, quarter in enumerate(p for p in periods(3, today.year) if p.end <= today):
        signed = [p for i, p in enumerate(staff) if i != (n % len(staff))]
        marked = signed[:1] if n == 1 else []
        signed = signed[1:] if n == 1 else signed
        _held(
            unit=outlet,
            kind=kinds[QUARTERLY_SAFETY],
            topic=f"第{quarter.index}季度安全教育：网点八类突发事件的应对",
            day=quarter.start + timedelta(days=44),
            trainer=hexie_admin,
            attendees=staff,
            signed=signed,
            marked=marked,
        )
        made += 1
    if today >= date(today.year, 6, 1):
        sub_staff = list(services.staff_of(sub).order_by("unit__path", "name"))
        _held(
            unit=sub,
            kind=kinds["fire"],
            topic="消防器材使用与营业场所疏散",
            day=date(today.year, 5, 20),
            trainer=hexie_admin,
            trainer_name="江南区消防救援大队 陈教官",
            attendees=sub_staff,
            signed=sub_staff[: max(1, len(sub_staff) * 3 // 4)],
            marked=[],
        )
        made += 1
    if today >= date(today.year, 9, 30):
        bj_staff = list(services.staff_of(binjiang))
        if bj_staff:
            _held(
                unit=binjiang,
                kind=kinds["anti_corruption"],
                topic="拒腐防变警示教育：典型案例通报",
                day=date(today.year, 9, 12),
                trainer=binjiang_admin,
                attendees=bj_staff,
                signed=bj_staff,
                marked=[],
            )
            made += 1
    upcoming = _at(today + timedelta(days=7), 16)
    if upcoming.year == today.year:
        services.plan_session(
            actor=hexie_admin,
            unit=outlet,
            kind=kinds[QUARTERLY_SAFETY],
            topic="第4季度安全教育：防抢劫与报警器操作",
            starts_at=upcoming,
            ends_at=upcoming + timedelta(minutes=90),
            place="二楼会议室",
            trainer=hexie_admin,
            attendees=staff,
        )
        made += 1
    return {"sessions": made}
