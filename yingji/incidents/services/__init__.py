"""Every write to an incident, one function per business action (see the modules)."""

from .intake import report_incident
from .lifecycle import (
    TRANSITIONS,
    cancel_incident,
    close_investigation,
    decide_termination,
    request_termination,
    save_findings,
    start_investigation,
)
from .report import add_comment, add_follow_up, change_level, decide_lowering, link_incidents, merge_incident
from .tasks import (
    activate_plan,
    assign_task_to_group,
    claim_task,
    complete_task,
    set_group_leader,
    task_not_applicable,
)

__all__ = [
    "TRANSITIONS",
    "activate_plan",
    "add_comment",
    "add_follow_up",
    "assign_task_to_group",
    "cancel_incident",
    "change_level",
    "claim_task",
    "close_investigation",
    "complete_task",
    "decide_lowering",
    "decide_termination",
    "link_incidents",
    "merge_incident",
    "report_incident",
    "request_termination",
    "save_findings",
    "set_group_leader",
    "start_investigation",
    "task_not_applicable",
]
