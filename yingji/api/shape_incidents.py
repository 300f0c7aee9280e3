"""The incident as the API answers it: plain dicts in the shape of `schemas_incidents`, read in a fixed
number of queries (`incidents.selectors.room`), times in Asia/Shanghai."""

from datetime import datetime

from yingji.core import inputs
from yingji.incidents import selectors
from yingji.incidents.models import REPORT_FIELDS, Incident, Investigation, Task
from yingji.notify.models import Notice
from yingji.plans import selectors as plan_selectors


def local(value: datetime | None) -> datetime | None:
    return inputs.local_time(value)


def summary(incident: Incident) -> dict:
    return {
        "id": incident.pk,
        "number": incident.number,
        "kind": incident.kind.code,
        "kind_name": incident.kind.name,
        "unit": incident.unit.code,
        "unit_name": incident.unit.name,
        "level": incident.level,
        "status": incident.status,
        "status_display": incident.get_status_display(),
        "occurred_at": local(incident.occurred_at),
        "reported_at": local(incident.reported_at),
        "reporter": incident.reporter.name,
        "description": incident.description,
    }


def task(task: Task) -> dict:
    return {
        "id": task.pk,
        "order": task.order,
        "kind": task.kind,
        "title": task.title,
        "position": task.position.code if task.position else None,
        "position_name": task.position.name if task.position else None,
        "group": task.group.name if task.group else None,
        "candidates": [p.name for p in task.candidates.all()],
        "owner": task.owner.name if task.owner else None,
        "condition": task.condition,
        "branch": task.branch,
        "status": task.status,
        "status_display": task.get_status_display(),
        "due_at": local(task.due_at),
        "done_at": local(task.done_at),
        "note": task.note,
    }


def notice(notice: Notice) -> dict:
    return {
        "id": notice.pk,
        "recipient": notice.recipient.name,
        "recipient_unit": notice.recipient.unit.code,
        "reason": notice.reason,
        "sent": local(notice.created_at),
        "ack_due_at": local(notice.ack_due_at),
        "acknowledged_at": local(notice.acknowledged_at),
        "escalated_at": local(notice.escalated_at),
    }


def my_notice(mine: Notice) -> dict:
    """A notice as its recipient reads it in their list: with what it is about."""
    return {
        **notice(mine),
        "subject_type": mine.subject_type,
        "subject_id": mine.subject_id,
        "title": mine.title,
        "body": mine.body,
        "url": mine.url,
    }


def detail(incident: Incident) -> dict:
    """The incident as its room shows it, in a fixed number of queries (selectors.room)."""
    room = selectors.room(incident)
    investigation = Investigation.objects.filter(incident=incident).select_related("started_by").first()
    version = incident.plan_version
    return {
        **summary(incident),
        "facts": incident.facts,
        "classified_level": incident.classified_level,
        "level_reasons": incident.level_reasons,
        "content": {key: getattr(incident, key) for key in REPORT_FIELDS if getattr(incident, key)},
        "plan_version": version.pk if version else None,
        "plan_title": version.title if version else None,
        "activated_at": local(incident.activated_at),
        "terminated_at": local(incident.terminated_at),
        "closed_at": local(incident.closed_at),
        "watch_until": local(incident.watch_until),
        "merged_into": incident.merged_into.number if incident.merged_into else None,
        "links": [link.other.number for link in room["links"]],
        "members": [
            {
                "person_id": m.person_id,
                "name": m.person.name,
                "unit": m.person.unit.code,
                "role": m.role,
                "role_display": m.get_role_display(),
            }
            for m in room["members"]
        ],
        "groups": [g.name for g in room["groups"]],
        "working_groups": [
            {
                "id": g.pk,
                "name": g.name,
                "leader_id": g.leader_id,
                "leader": g.leader.name if g.leader_id else None,
            }
            for g in room["groups"]
        ],
        "tasks": [task(t) for t in room["tasks"]],
        "notices": [notice(n) for n in room["notices"]],
        "follow_ups": [
            {
                "at": local(f.at),
                "author": f.author.name,
                "text": f.text,
                "facts": f.facts,
                "content": {key: getattr(f, key) for key in REPORT_FIELDS if getattr(f, key)},
            }
            for f in room["follow_ups"]
        ],
        "timeline": [
            {
                "at": local(e.at),
                "event": e.event,
                "event_display": e.get_event_display(),
                "actor": e.actor.name if e.actor else None,
                "text": e.text,
            }
            for e in room["timeline"]
        ],
        "investigation": findings(investigation) if investigation else None,
        "fitting_plans": fitting_plans(incident),
    }


def fitting_plans(incident: Incident) -> list[dict]:
    """What `activate` can take for this incident, without a trip through the plan library."""
    return [
        {"plan_id": p.pk, "code": p.code, "title": v.title, "version_id": v.pk}
        for p in plan_selectors.fitting_plans(kind=incident.kind, unit_type=incident.unit.type)
        if (v := p.current_version) is not None
    ]


def findings(inv) -> dict:
    return {
        "started_at": local(inv.started_at),
        "started_by": inv.started_by.name,
        "cause": inv.cause,
        "warnings_in_time": inv.warnings_in_time,
        "warnings_note": inv.warnings_note,
        "responsibility": inv.responsibility,
        "consequences": inv.consequences,
        "preventive_measures": inv.preventive_measures,
        "concealed": inv.concealed,
        "concealed_note": inv.concealed_note,
        "false_report": inv.false_report,
        "false_report_note": inv.false_report_note,
        "accountability": inv.accountability,
        "closed_at": local(inv.closed_at),
    }
