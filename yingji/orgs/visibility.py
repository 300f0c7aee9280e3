"""The one place that decides what a user may see.

A user sees their own unit and everything below it; a department acts for the unit it belongs to, so
a head-office department sees the whole bank. Every selector, page, export and API call filters
through `scope()`; a record outside it is answered as if it did not exist (404)."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, Q, QuerySet

from yingji.core import rows
from yingji.core.errors import NotVisible

from .models import Person, PositionCode, Unit

Viewer = User | AnonymousUser


def person_of(user: Viewer) -> Person | None:
    if not user.is_authenticated:
        return None
    try:
        return user.person  # type: ignore[union-attr]
    except Person.DoesNotExist:
        return None


def scope_root(user: Viewer) -> Unit | None:
    """The top unit of what `user` sees, or None for everything (a superuser without a unit)."""
    person = person_of(user)
    if person is None:
        return None
    return person.unit.acting_unit


def _sees_all(user: Viewer) -> bool:
    return user.is_authenticated and user.is_superuser and person_of(user) is None


def scope(user: Viewer, field: str = "unit") -> Q:
    """A filter on `field` (a Unit foreign key path, or "" for Unit itself) to what `user` sees."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if _sees_all(user):
        return Q()
    root = scope_root(user)
    if root is None:
        return Q(pk__in=[])
    return Q(**{lookup: root.path})


def visible_units(user: Viewer) -> QuerySet[Unit]:
    return Unit.objects.filter(scope(user, ""))


def visible_unit(user: Viewer, code: str) -> Unit | None:
    """The active unit with this code, if `user` sees it. Asked by every report (the unit it names), so
    it is one statement written once; what `user` sees is decided by `can_see_unit`, as everywhere."""
    row = rows.one(_UNIT_BY_CODE, [code])
    if row is None:
        return None
    unit, _ = rows.instance(Unit, row)
    return unit if unit.is_active and can_see_unit(user, unit) else None


_UNIT_BY_CODE = f"SELECT {rows.columns(Unit, 'u')} FROM {rows.table(Unit)} u WHERE u.code = %s"


def visible(queryset: QuerySet, user: Viewer, field: str = "unit") -> QuerySet:
    return queryset.filter(scope(user, field))


def can_see_unit(user: Viewer, unit: Unit) -> bool:
    if _sees_all(user):
        return True
    root = scope_root(user)
    return root is not None and user.is_active and unit.path.startswith(root.path)


def get_visible_or_404[M: Model](queryset: QuerySet[M], user: Viewer, field: str = "unit", **lookup) -> M:
    try:
        return visible(queryset, user, field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise NotVisible() from exc


def is_emergency_admin(user: Viewer) -> bool:
    person = person_of(user)
    return person is not None and person.holds(PositionCode.EMERGENCY_ADMIN)


def can_manage(user: Viewer, unit: Unit) -> bool:
    """应急管理员 manage units, people and the roster inside what they see; a superuser everywhere."""
    if user.is_authenticated and user.is_superuser:
        return True
    return is_emergency_admin(user) and can_see_unit(user, unit)


def is_head_office(user: Viewer) -> bool:
    if _sees_all(user):
        return True
    root = scope_root(user)
    return root is not None and root.depth == 1
