"""Every write to a complaint, one function per business action (see the modules)."""

from .categories import add_category, can_manage_categories
from .clockwork import extend_deadline, pause_clock, resume_clock, withdraw
from .escalation import escalate_to_incident
from .intake import add_new_facts, merge_repeat, open_major_incident, register_complaint, register_complaints
from .knowledge import add_knowledge_entry
from .steps import record_meeting, report_to_leader, turn_malicious
from .work import (
    accept_work_order,
    approve_proposal,
    archive,
    issue_work_order,
    record_callback,
    record_decision,
    request_review,
    return_proposal,
    reveal_personal_data,
    start_handling,
    submit_proposal,
)

__all__ = [
    "accept_work_order",
    "add_category",
    "add_knowledge_entry",
    "add_new_facts",
    "approve_proposal",
    "archive",
    "can_manage_categories",
    "escalate_to_incident",
    "extend_deadline",
    "issue_work_order",
    "merge_repeat",
    "open_major_incident",
    "pause_clock",
    "record_callback",
    "record_decision",
    "record_meeting",
    "register_complaint",
    "register_complaints",
    "report_to_leader",
    "request_review",
    "resume_clock",
    "return_proposal",
    "reveal_personal_data",
    "start_handling",
    "submit_proposal",
    "turn_malicious",
    "withdraw",
]
