"""Every read of the training sessions that lists or counts, scoped by `visibility`: a viewer sees the
sessions of their unit and below, and the sessions they are expected at (a sub-branch's session for its
outlets' staff). A record outside that is answered as if it did not exist."""

from django.db.models import Count, Q, QuerySet

from yingji.core.errors import NotVisible
from yingji.orgs import visibility
from yingji.orgs.models import Person
from yingji.orgs.visibility import Viewer

from .models import Attendance, Session


def _seen(viewer: Viewer) -> Q:
    seen = visibility.scope(viewer)
    person = visibility.person_of(viewer)
    if person is not None:
        seen |= Q(attendances__person=person)
    return seen


def sessions_for(viewer: Viewer, *, unit: str = "", status: str = "", kind: str = "") -> QuerySet[Session]:
    ids = Session.objects.filter(_seen(viewer)).values("pk")
    qs = Session.objects.filter(pk__in=ids).select_related("kind", "unit", "trainer")
    if unit:
        found = visibility.visible_unit(viewer, unit)
        if found is None:
            return qs.none()
        qs = qs.filter(unit__path__startswith=found.path)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind__code=kind)
    return qs.annotate(
        expected=Count("attendances"),
        attended=Count("attendances", filter=Q(attendances__attended_at__isnull=False)),
    ).order_by("-starts_at", "-pk")


def session_for(*, viewer: Viewer, pk: int) -> Session:
    found = sessions_for(viewer).filter(pk=pk).first()
    if found is None:
        raise NotVisible()
    return found


def attendances_for(viewer: Viewer, *, session: Session | None = None) -> QuerySet[Attendance]:
    """Attendance rows the viewer sees: of the sessions of their units, and their own."""
    seen = visibility.scope(viewer, "session__unit")
    person = visibility.person_of(viewer)
    if person is not None:
        seen |= Q(person=person)
    qs = Attendance.objects.filter(seen).select_related("person__unit", "session__kind", "session__unit")
    if session is not None:
        qs = qs.filter(session=session)
    return qs.order_by("-session__starts_at", "person__unit__path", "person__name")


def person_for(*, viewer: Viewer, pk: int) -> Person:
    """A person whose training record the viewer may read: themselves, or one of their units' staff."""
    me = visibility.person_of(viewer)
    qs = Person.objects.select_related("unit", "user")
    if me is not None and me.pk == pk:
        return qs.get(pk=pk)
    return visibility.get_visible_or_404(qs, viewer, pk=pk)


def record_of(person: Person) -> list[Attendance]:
    """A person's training record: every session they were expected at, attended or missed."""
    return list(
        Attendance.objects.filter(person=person)
        .exclude(session__status="cancelled")
        .select_related("session__kind", "session__unit", "session__trainer")
        .order_by("-session__starts_at")
    )


def sessions_to_attend(person: Person, *, now, days: int = 7) -> list[Attendance]:
    """The sessions `person` is expected at and has not signed in to, whose sign-in window is still open
    or opens within `days` (the home page's to-do), soonest first. One query."""
    from datetime import timedelta

    from django.conf import settings

    late = timedelta(minutes=int(settings.YINGJI_TRAINING_SIGNIN_LATE_MINUTES))
    return list(
        Attendance.objects.filter(
            person=person,
            attended_at__isnull=True,
            session__status__in=["planned", "held"],
            session__ends_at__gte=now - late,
            session__starts_at__lte=now + timedelta(days=days),
        )
        .select_related("session__kind", "session__unit")
        .order_by("session__starts_at", "pk")
    )
