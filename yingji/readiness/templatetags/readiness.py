"""The readiness blocks other pages include: a unit's figure on its page, and the figure of each unit
below on the situation board (outside its polled region, so it costs nothing per poll)."""

from django import template

from yingji.orgs import visibility
from yingji.plans.models import Step

from .. import cards, selectors

register = template.Library()


@register.filter
def timing(step: Step) -> str:
    return cards.timing_text(step)


@register.inclusion_tag("readiness/_unit_block.html")
def readiness_unit(unit, user):
    """The unit's readiness in one line, for the unit's page (a viewer who sees the unit)."""
    shown = unit is not None and visibility.can_see_unit(user, unit)
    return {"unit": unit, "summary": selectors.summary(unit) if shown else None}


@register.inclusion_tag("readiness/_board_block.html")
def readiness_board(root, user):
    """Each unit directly below the board's root (and the root's own staff) with its readiness."""
    shown = root is not None and visibility.can_see_unit(user, root)
    return {"root": root, "lines": selectors.by_child(root) if shown else []}
