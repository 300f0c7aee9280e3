"""Every write to an incident, one function per business action (see the modules)."""

from .lifecycle import (
    TRANSITIONS,
    cancel_incident,
    close_investigation,
    decide_termination,
    request_termination,
    save_findings,
    start_investigation,
)
from .report import add_comment, add_follow_up, change_level, link_incidents, merge_incident, report_incident
from .tasks import activate_plan, claim_task, complete_task, task_not_applicable

__all__ = [
    "TRANSITIONS",
    "activate_plan",
    "add_comment",
    "add_follow_up",
    "cancel_incident",
    "change_level",
    "claim_task",
    "close_investigation",
    "complete_task",
    "decide_termination",
    "link_incidents",
    "merge_incident",
    "report_incident",
    "request_termination",
    "save_findings",
    "start_investigation",
    "task_not_applicable",
]
