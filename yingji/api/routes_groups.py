"""The working groups of an activated incident over the API: name a group's leader, put a task into a
group or take it out. Like the incident room's buttons, and as visible as the incident itself."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field

from yingji.core.errors import InvalidInput
from yingji.incidents import services
from yingji.incidents.models import WorkingGroup

from .routes import InputSchema
from .routes_incidents import (
    ERRORS,
    IncidentOut,
    PersonRef,
    TaskOut,
    _fresh,
    _incident,
    _me,
    _person,
    _task_of,
    _task_out,
    incidents_router,
)


class GroupLeaderIn(InputSchema):
    leader: PersonRef = Field(description="Someone of the leading group: person id or username.")


class TaskGroupIn(InputSchema):
    group: int | None = Field(description="Id of one of the incident's working groups; null takes it out.")


@incidents_router.post(
    "/incidents/{incident_id}/groups/{group_id}/leader", response={200: IncidentOut, **ERRORS}
)
def set_group_leader(request, incident_id: int, group_id: int, payload: GroupLeaderIn):
    """组长 of a working group: told at once, and reminded when a task of the group falls overdue."""
    incident = _incident(request, incident_id)
    group = get_object_or_404(WorkingGroup, pk=group_id, incident=incident)
    group.incident = incident
    services.set_group_leader(
        actor=_me(request), group=group, leader=_person(request, payload.leader, "leader", incident)
    )
    return _fresh(request, incident)


@incidents_router.post("/incidents/{incident_id}/tasks/{task_id}/group", response={200: TaskOut, **ERRORS})
def assign_task_to_group(request, incident_id: int, task_id: int, payload: TaskGroupIn):
    task = _task_of(request, incident_id, task_id)
    group = None
    if payload.group is not None:
        group = WorkingGroup.objects.filter(pk=payload.group, incident_id=incident_id).first()
        if group is None:
            raise InvalidInput(
                _("Pick a working group of this incident."),
                fields={"group": _("Pick a working group of this incident.")},
            )
    services.assign_task_to_group(actor=_me(request), task=task, group=group)
    return _task_out(task.pk)
