"""The complaint categories staff add under JR/T 0169-2018's own."""

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.orgs import visibility
from yingji.orgs.models import Person

from .. import permissions
from ..models import Category


def can_manage_categories(person: Person | None) -> bool:
    """Consumer-protection staff, and head-office emergency administrators."""
    if person is None:
        return False
    head_office_admin = visibility.is_emergency_admin(person.user) and visibility.is_head_office(person.user)
    return permissions.is_consumer_protection(person) or head_office_admin


def add_category(*, actor: Person, axis: str, name: str, parent: Category | None = None) -> Category:
    if not can_manage_categories(actor):
        raise NotAllowed(_("Consumer-protection staff add complaint categories."))
    name = (name or "").strip()
    errors = {}
    if axis not in Category.Axis.values:
        errors["axis"] = _("Choose business type or cause.")
    if not name:
        errors["name"] = _("Name the category.")
    elif Category.objects.filter(axis=axis, name=name).exists():
        errors["name"] = _("This category exists already.")
    if parent is not None and parent.axis != axis:
        errors["parent"] = _("The parent must be on the same axis.")
    if errors:
        raise InvalidInput(_("The category is not complete."), fields=errors)
    with transaction.atomic():
        count = Category.objects.filter(is_standard=False).count()
        category = Category.objects.create(
            axis=axis,
            code=f"staff-{axis}-{count + 1}",
            name=name[:60],
            parent=parent,
            is_standard=False,
            sort_order=1000 + count,
        )
        audit.record(
            actor=actor.user,
            action="complaint.category_add",
            obj=category,
            unit=actor.unit,
            data={"axis": axis, "name": category.name, "parent": parent.code if parent else None},
        )
    return category
