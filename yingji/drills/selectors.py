"""Every read of drills starts from what the viewer may see: a drill of a unit they see, or one in which
a unit they see takes part (an outlet's staff see the sub-branch's drill they play in)."""

from django.db.models import Prefetch, Q, QuerySet

from yingji.core import inputs
from yingji.core.errors import NotVisible
from yingji.orgs import visibility
from yingji.plans.models import Plan, VersionStatus

from .models import Drill, DrillTemplate, ExpectedAction, Inject, Participant, Scenario


def scope(viewer) -> Q:
    taking_part = Drill.units.through.objects.filter(visibility.scope(viewer, "unit")).values("drill_id")
    return visibility.scope(viewer, "unit") | Q(pk__in=taking_part)


def drills_for(*, viewer) -> QuerySet[Drill]:
    return Drill.objects.filter(scope(viewer)).select_related("unit").prefetch_related("units")


def drill_for(*, viewer, pk: int) -> Drill:
    """One drill with everything its page and the API show, in a fixed number of queries."""
    if inputs.record_id(pk) is None:  # not an id any drill can have (a database cannot even look)
        raise NotVisible()
    drill = (
        Drill.objects.filter(scope(viewer), pk=pk)
        .select_related("unit", "template", "created_by")
        .prefetch_related(
            "units",
            Prefetch("participants", queryset=Participant.objects.select_related("person", "position")),
            Prefetch(
                "scenarios",
                queryset=Scenario.objects.select_related("plan_version__plan").prefetch_related(
                    Prefetch(
                        "expected_actions",
                        queryset=ExpectedAction.objects.select_related("position", "scenario"),
                    )
                ),
            ),
            "objectives__expected_action__scenario",
            Prefetch(
                "injects",
                queryset=Inject.objects.select_related(
                    "scenario",
                    "recipient_position",
                    "recipient_participant",
                    "contingency_for__scenario",
                ).prefetch_related(
                    Prefetch("expected_actions", queryset=ExpectedAction.objects.select_related("position"))
                ),
            ),
        )
        .first()
    )
    if drill is None:
        raise NotVisible()
    return drill


def templates() -> QuerySet[DrillTemplate]:
    return DrillTemplate.objects.all()


def plans_in_force() -> QuerySet[Plan]:
    """Plans with an approved version: what a scenario may draw (the plan the bank really has)."""
    return (
        Plan.objects.filter(versions__status=VersionStatus.APPROVED)
        .prefetch_related("versions")
        .order_by("sort_order", "code")
        .distinct()
    )
