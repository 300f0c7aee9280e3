"""The audit log in words: each action code and each data key with the label people read, and a data
dict turned into labelled, readable fields.

Entries store stable English codes (`complaint.accept`) and plain JSON data, so the chain's hashes never
depend on a translation; this module is where they become Chinese on the page. A code or key missing
here is shown as it is (tests/audit/test_labels.py fails for every action code without a label)."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext, pgettext_lazy

from yingji.orgs.positions import POSITIONS

ACTIONS: dict[str, Promise] = {
    # Accounts and API tokens
    "account.change_password": pgettext_lazy("audit", "Changed own password"),
    "api_token.issue": pgettext_lazy("audit", "Issued an API token"),
    "api_token.revoke": pgettext_lazy("audit", "Revoked an API token"),
    # Working-day calendar
    "calendar.day_set": pgettext_lazy("audit", "Set a day in the working-day calendar"),
    "calendar.year_covered": pgettext_lazy("audit", "Published a year's holidays"),
    # Complaints
    "complaint.accept": pgettext_lazy("audit", "Accepted a complaint work order"),
    "complaint.approve": pgettext_lazy("audit", "Approved a complaint's proposal"),
    "complaint.archive": pgettext_lazy("audit", "Archived a complaint"),
    "complaint.callback": pgettext_lazy("audit", "Recorded a complaint callback"),
    "complaint.category_add": pgettext_lazy("audit", "Added a complaint category"),
    "complaint.escalate": pgettext_lazy("audit", "Escalated a complaint to an incident"),
    "complaint.decide": pgettext_lazy("audit", "Recorded a complaint decision"),
    "complaint.extend": pgettext_lazy("audit", "Extended a complaint's deadline"),
    "complaint.import": pgettext_lazy("audit", "Imported complaints"),
    "complaint.knowledge_entry": pgettext_lazy("audit", "Added a knowledge base entry"),
    "complaint.ledger_unmasked": pgettext_lazy("audit", "Exported the complaint ledger unmasked"),
    "complaint.major_incident": pgettext_lazy("audit", "Opened an incident for a major complaint"),
    "complaint.meet": pgettext_lazy("audit", "Met the complainant"),
    "complaint.merge_repeat": pgettext_lazy("audit", "Merged a repeat complaint"),
    "complaint.new_facts": pgettext_lazy("audit", "Added new facts to a complaint"),
    "complaint.pause": pgettext_lazy("audit", "Paused a complaint's deadline"),
    "complaint.propose": pgettext_lazy("audit", "Proposed a complaint's handling"),
    "complaint.register": pgettext_lazy("audit", "Registered a complaint"),
    "complaint.report_to_leader": pgettext_lazy("audit", "Reported a complaint's result to the manager"),
    "complaint.reopen": pgettext_lazy("audit", "Reopened a complaint"),
    "complaint.request_review": pgettext_lazy("audit", "Requested a complaint review"),
    "complaint.resume": pgettext_lazy("audit", "Resumed a complaint's deadline"),
    "complaint.return": pgettext_lazy("audit", "Returned a complaint's proposal"),
    "complaint.start_handling": pgettext_lazy("audit", "Started handling a complaint"),
    "complaint.turn_malicious": pgettext_lazy("audit", "Turned a complaint malicious"),
    "complaint.view_personal_data": pgettext_lazy("audit", "Viewed a complainant's personal data"),
    "complaint.withdraw": pgettext_lazy("audit", "Recorded a complaint's withdrawal"),
    "complaint.work_order": pgettext_lazy("audit", "Sent a complaint work order"),
    # Corrective actions (整改)
    "corrective.cancel": pgettext_lazy("audit", "Cancelled a corrective action"),
    "corrective.complete": pgettext_lazy("audit", "Completed a corrective action"),
    "corrective.open_action": pgettext_lazy("audit", "Opened a corrective action"),
    "corrective.record_finding": pgettext_lazy("audit", "Recorded a finding"),
    "corrective.reopen": pgettext_lazy("audit", "Reopened a corrective action after a failed verification"),
    "corrective.start": pgettext_lazy("audit", "Started a corrective action"),
    "corrective.verify": pgettext_lazy("audit", "Verified a corrective action"),
    # The year's summary and assessment (年度工作总结、考核)
    "assessment.generate_summary": pgettext_lazy("audit", "Generated a year's summary from the records"),
    "assessment.edit_summary": pgettext_lazy("audit", "Edited a year's summary"),
    "assessment.submit_summary": pgettext_lazy("audit", "Submitted a year's summary for approval"),
    "assessment.return_summary": pgettext_lazy("audit", "Returned a year's summary"),
    "assessment.approve_summary": pgettext_lazy("audit", "Approved a year's summary"),
    "assessment.set_weights": pgettext_lazy("audit", "Set the assessment's weights"),
    # Security education and training (安全教育与培训)
    "training.plan": pgettext_lazy("audit", "Planned a training session"),
    "training.hold": pgettext_lazy("audit", "Opened a training session"),
    "training.cancel": pgettext_lazy("audit", "Cancelled a training session"),
    "training.sign_in": pgettext_lazy("audit", "Signed in at a training session"),
    "training.mark": pgettext_lazy("audit", "Marked attendance at a training session"),
    "training.record": pgettext_lazy("audit", "Recorded a training session's attendance"),
    "training.add_material": pgettext_lazy("audit", "Added a training material"),
    "training.set_cadence": pgettext_lazy("audit", "Set the training schedule"),
    # Security inspections (安全检查)
    "security.add_checklist_item": pgettext_lazy("audit", "Added an inspection checklist item"),
    "security.set_schedule": pgettext_lazy("audit", "Set the inspection schedule"),
    "security.decide_accountability": pgettext_lazy("audit", "Decided an accountability record"),
    "security.add_photo": pgettext_lazy("audit", "Added a photo to an inspection"),
    "security.open_accountability": pgettext_lazy(
        "audit", "Opened an accountability record for a major hazard"
    ),
    "security.record_item": pgettext_lazy("audit", "Recorded an inspection item"),
    "security.sign_head": pgettext_lazy("audit", "Signed an inspection for the unit"),
    "security.sign_inspector": pgettext_lazy("audit", "Signed an inspection as the inspector"),
    "security.start_inspection": pgettext_lazy("audit", "Started a security inspection"),
    # Plan readiness (预案职责卡与测验)
    "readiness.acknowledge": pgettext_lazy("audit", "Acknowledged a plan role card"),
    "readiness.start_quiz": pgettext_lazy("audit", "Started a plan quiz"),
    "readiness.submit_quiz": pgettext_lazy("audit", "Handed in a plan quiz"),
    # Responsibility letters (安全责任书)
    "letters.edit_template": pgettext_lazy("audit", "Edited the wording of a responsibility letter"),
    "letters.generate": pgettext_lazy("audit", "Issued the year's responsibility letters"),
    "letters.issue_newcomer": pgettext_lazy("audit", "Issued a responsibility letter to a new employee"),
    "letters.move": pgettext_lazy("audit", "Moved an unsigned responsibility letter with its employee"),
    "letters.sign": pgettext_lazy("audit", "Signed a responsibility letter"),
    "letters.upload_scan": pgettext_lazy("audit", "Uploaded the signed scan of a responsibility letter"),
    # Annual security work plans
    "yearplan.add_file": pgettext_lazy("audit", "Uploaded evidence for an annual plan task"),
    "yearplan.approve": pgettext_lazy("audit", "Approved an annual security work plan"),
    "yearplan.complete_task": pgettext_lazy("audit", "Marked an annual plan task done"),
    "yearplan.create": pgettext_lazy("audit", "Drew up an annual security work plan"),
    "yearplan.edit": pgettext_lazy("audit", "Changed an annual security work plan"),
    "yearplan.edit_task": pgettext_lazy("audit", "Changed an annual plan task"),
    "yearplan.link_record": pgettext_lazy("audit", "Linked a record as evidence of an annual plan task"),
    "yearplan.reopen_task": pgettext_lazy("audit", "Opened an annual plan task again"),
    "yearplan.return": pgettext_lazy("audit", "Sent an annual security work plan back to draft"),
    "yearplan.submit": pgettext_lazy("audit", "Submitted an annual security work plan for approval"),
    # Duty roster
    "duty.assign": pgettext_lazy("audit", "Assigned the leader on duty"),
    "duty.clear": pgettext_lazy("audit", "Cleared the leader on duty"),
    # Drills
    "drill.add_inject": pgettext_lazy("audit", "Added an event to a drill's script"),
    "drill.add_objective": pgettext_lazy("audit", "Added a drill objective"),
    "drill.add_participant": pgettext_lazy("audit", "Added a drill participant"),
    "drill.add_scenario": pgettext_lazy("audit", "Drew a drill scenario from a plan"),
    "drill.create": pgettext_lazy("audit", "Planned a drill"),
    "drill.edit_briefing": pgettext_lazy("audit", "Edited a drill briefing"),
    "drill.issue_briefing": pgettext_lazy("audit", "Issued a drill briefing"),
    "drill.regenerate_briefing": pgettext_lazy("audit", "Wrote a drill briefing again from the drill"),
    "drill.remove_inject": pgettext_lazy("audit", "Removed an event from a drill's script"),
    "drill.remove_participant": pgettext_lazy("audit", "Removed a drill participant"),
    "drill.update": pgettext_lazy("audit", "Changed a drill"),
    "drill.run_start": pgettext_lazy("audit", "Started a drill's clock"),
    "drill.run_pause": pgettext_lazy("audit", "Paused a drill"),
    "drill.run_resume": pgettext_lazy("audit", "Resumed a drill"),
    "drill.run_end": pgettext_lazy("audit", "Ended a drill"),
    "drill.release_inject": pgettext_lazy("audit", "Released a drill event"),
    "drill.skip_inject": pgettext_lazy("audit", "Skipped a drill event"),
    "drill.add_live_inject": pgettext_lazy("audit", "Added an unscripted drill event"),
    "drill.ack_inject": pgettext_lazy("audit", "Acknowledged a drill event"),
    "drill.log_action": pgettext_lazy("audit", "Logged an action in a drill"),
    "drill.rate_action": pgettext_lazy("audit", "Rated an action in a drill"),
    "drill.correct_rating": pgettext_lazy("audit", "Corrected a rating after a drill"),
    "drill.rate_objective": pgettext_lazy("audit", "Gave a drill objective its final rating"),
    "drill.hot_wash": pgettext_lazy("audit", "Recorded a drill's hot wash"),
    "drill.meeting": pgettext_lazy("audit", "Arranged a drill's evaluation meeting"),
    "drill.add_attendee": pgettext_lazy("audit", "Added an attendee of a drill's evaluation meeting"),
    "drill.remove_attendee": pgettext_lazy("audit", "Removed an attendee of a drill's evaluation meeting"),
    "drill.conclude": pgettext_lazy("audit", "Concluded a drill's evaluation"),
    "drill.mark_critical": pgettext_lazy("audit", "Marked whether a drill action is critical"),
    "drill.draft_report": pgettext_lazy("audit", "Wrote a drill report from the drill"),
    "drill.edit_report": pgettext_lazy("audit", "Edited a drill report"),
    "drill.submit_report": pgettext_lazy("audit", "Submitted a drill report for sign-off"),
    "drill.return_report": pgettext_lazy("audit", "Returned a drill report"),
    "drill.sign_off_report": pgettext_lazy("audit", "Signed off a drill report"),
    "drill_template.load": pgettext_lazy("audit", "Loaded a drill template"),
    "drill_requirement.add": pgettext_lazy("audit", "Added a drill requirement"),
    "drill_requirement.update": pgettext_lazy("audit", "Changed a drill requirement"),
    "drill_requirement.switch": pgettext_lazy("audit", "Switched a drill requirement on or off"),
    # Incidents and their tasks
    "group.set_leader": pgettext_lazy("audit", "Set a working group's leader"),
    "incident.activate": pgettext_lazy("audit", "Activated a plan for an incident"),
    "incident.approve_termination": pgettext_lazy("audit", "Approved an incident's termination"),
    "incident.reject_termination": pgettext_lazy("audit", "Rejected an incident's termination"),
    "incident.cancel": pgettext_lazy("audit", "Cancelled an incident"),
    "incident.change_level": pgettext_lazy("audit", "Changed an incident's level"),
    "incident.close": pgettext_lazy("audit", "Closed an incident"),
    "incident.comment": pgettext_lazy("audit", "Commented on an incident"),
    "incident.findings": pgettext_lazy("audit", "Recorded an incident's investigation findings"),
    "incident.follow_up": pgettext_lazy("audit", "Sent a follow-up report"),
    "incident.link": pgettext_lazy("audit", "Linked two incidents"),
    "incident.merge": pgettext_lazy("audit", "Merged a duplicate incident"),
    "incident.reject_lower_level": pgettext_lazy("audit", "Rejected a request to lower the level"),
    "incident.reopen": pgettext_lazy("audit", "Reopened an incident"),
    "incident.report": pgettext_lazy("audit", "Reported an incident"),
    "incident.request_termination": pgettext_lazy("audit", "Requested an incident's termination"),
    "incident.request_lower_level": pgettext_lazy("audit", "Requested a lower level"),
    "incident.start_investigation": pgettext_lazy("audit", "Started an incident's investigation"),
    "incident.terminate": pgettext_lazy("audit", "Terminated an incident"),
    "task.assign_group": pgettext_lazy("audit", "Assigned a task to a group"),
    "task.claim": pgettext_lazy("audit", "Took on a task"),
    "task.done": pgettext_lazy("audit", "Completed a task"),
    "task.not_applicable": pgettext_lazy("audit", "Marked a task not applicable"),
    # Notices and notification rules
    "notice.acknowledge": pgettext_lazy("audit", "Acknowledged a notice"),
    "notice.escalate": pgettext_lazy("audit", "Escalated an unacknowledged notice"),
    "notice.withdraw": pgettext_lazy("audit", "Withdrew notices"),
    "notify.add_robot": pgettext_lazy("audit", "Added a group robot"),
    "notify.clear_regulator_deadline": pgettext_lazy("audit", "Cleared a unit's regulator deadline"),
    "notify.set_kind_rule": pgettext_lazy("audit", "Set the notification rule of an event kind"),
    "notify.set_regulator_deadline": pgettext_lazy("audit", "Set a unit's regulator deadline"),
    "notify.switch_robot": pgettext_lazy("audit", "Switched a group robot on or off"),
    "notify.update_level_rule": pgettext_lazy("audit", "Changed the notification rule of a level"),
    # Organisation
    "orgs.import_people": pgettext_lazy("audit", "Imported people"),
    "orgs.import_units": pgettext_lazy("audit", "Imported units"),
    "person.activate": pgettext_lazy("audit", "Activated or deactivated a person"),
    "person.create": pgettext_lazy("audit", "Added a person"),
    "person.set_password": pgettext_lazy("audit", "Set a person's password"),
    "person.update": pgettext_lazy("audit", "Changed a person"),
    "unit.create": pgettext_lazy("audit", "Added a unit"),
    "unit.update": pgettext_lazy("audit", "Changed a unit"),
    # Plans
    "plan_step.add": pgettext_lazy("audit", "Added a plan step"),
    "plan_step.delete": pgettext_lazy("audit", "Deleted a plan step"),
    "plan_step.move": pgettext_lazy("audit", "Moved a plan step"),
    "plan_step.update": pgettext_lazy("audit", "Changed a plan step"),
    "plan_version.approve": pgettext_lazy("audit", "Approved a plan version"),
    "plan_version.draft": pgettext_lazy("audit", "Drafted a plan version"),
    "plan_version.import": pgettext_lazy("audit", "Imported a plan version"),
    "plan_version.return": pgettext_lazy("audit", "Returned a plan version"),
    "plan_version.submit": pgettext_lazy("audit", "Submitted a plan version for approval"),
    "plan_version.update": pgettext_lazy("audit", "Changed a plan version"),
    "plans.load_library": pgettext_lazy("audit", "Loaded the plan library"),
    # Warning signals (monitoring)
    "integration.issue": pgettext_lazy("audit", "Issued a signal integration's token"),
    "integration.revoke": pgettext_lazy("audit", "Revoked a signal integration's token"),
    "silence.set": pgettext_lazy("audit", "Set a silence for planned work"),
    "silence.end": pgettext_lazy("audit", "Ended a silence early"),
    "warning.raise": pgettext_lazy("audit", "Raised a warning"),
    "warning.reraise": pgettext_lazy("audit", "Raised a warning again within the hold-off"),
    "warning.clear": pgettext_lazy("audit", "Cleared a warning"),
    "warning.acknowledge": pgettext_lazy("audit", "Acknowledged a warning"),
    "warning.accept": pgettext_lazy("audit", "Accepted a warning's incident proposal"),
    "warning.dismiss": pgettext_lazy("audit", "Dismissed a warning's incident proposal"),
    "warning.open_incident": pgettext_lazy("audit", "Reported an incident from a warning"),
    "warning_rule.save": pgettext_lazy("audit", "Saved a warning rule"),
}

FIELDS: dict[str, Promise] = {
    # The assessment's components (yingji/assessment/scoring.py), as a weights change names them.
    "task_on_time": pgettext_lazy("audit", "Weight of tasks done on time"),
    "letter_sign": pgettext_lazy("audit", "Weight of letters signed"),
    "rectification_closure": pgettext_lazy("audit", "Weight of rectifications closed"),
    "training_coverage": pgettext_lazy("audit", "Weight of training coverage"),
    "readiness": pgettext_lazy("audit", "Weight of readiness"),
    "drill_done": pgettext_lazy("audit", "Weight of drills done"),
    "session_kind": pgettext_lazy("audit", "Kind of session"),
    "topic": pgettext_lazy("audit", "Topic"),
    "present": pgettext_lazy("audit", "Present"),
    "unit_type": pgettext_lazy("audit", "Unit type"),
    "after": pgettext_lazy("audit", "After"),
    "active": pgettext_lazy("audit", "Active"),
    "address": pgettext_lazy("audit", "Address"),
    "approver": pgettext_lazy("audit", "Signed off by"),
    "approvers": pgettext_lazy("audit", "Approvers"),
    "as": pgettext_lazy("audit", "As"),
    "assignee": pgettext_lazy("audit", "Handler"),
    "author": pgettext_lazy("audit", "Written by"),
    "at": pgettext_lazy("audit", "Time"),
    "axis": pgettext_lazy("audit", "Category axis"),
    "before": pgettext_lazy("audit", "Before"),
    "changed": pgettext_lazy("audit", "Changes"),
    "done_late": pgettext_lazy("audit", "Done after the due date"),
    "due_on": pgettext_lazy("audit", "Due date"),
    "evidence_kind": pgettext_lazy("audit", "Evidence required"),
    "evidence_note": pgettext_lazy("audit", "What evidence"),
    "owner_person": pgettext_lazy("audit", "Owner person"),
    "owner_position": pgettext_lazy("audit", "Owner position"),
    "owner_unit": pgettext_lazy("audit", "Owner unit"),
    "reminder_days": pgettext_lazy("audit", "Reminder lead time (days)"),
    "channel": pgettext_lazy("audit", "Channel"),
    "classified_level": pgettext_lazy("audit", "Level by the rules"),
    "code": pgettext_lazy("audit", "Code"),
    "complaint": pgettext_lazy("audit", "Complaint"),
    "content": pgettext_lazy("audit", "Content"),
    "count": pgettext_lazy("audit", "Count"),
    "created": pgettext_lazy("audit", "Created"),
    "customer_id_number": pgettext_lazy("audit", "Customer ID number"),
    "customer_phone": pgettext_lazy("audit", "Customer phone"),
    "date": pgettext_lazy("audit", "Date"),
    "decision": pgettext_lazy("audit", "Decision"),
    "decision_due_at": pgettext_lazy("audit", "Decision due"),
    "deputies": pgettext_lazy("audit", "Deputies"),
    "description": pgettext_lazy("audit", "Description"),
    "done_at": pgettext_lazy("audit", "Done at"),
    "due": pgettext_lazy("audit", "Due"),
    "every_months": pgettext_lazy("audit", "Every (months)"),
    "facts": pgettext_lazy("audit", "Facts"),
    "file": pgettext_lazy("audit", "File"),
    "files": pgettext_lazy("audit", "Files"),
    "filters": pgettext_lazy("audit", "Filters"),
    "findings": pgettext_lazy("audit", "Findings"),
    "from": pgettext_lazy("audit", "From"),
    "starts_at": pgettext_lazy("audit", "Starts"),
    "ends_at": pgettext_lazy("audit", "Ends"),
    "subtree": pgettext_lazy("audit", "And the units below"),
    "measure": pgettext_lazy("audit", "Measure"),
    "silence": pgettext_lazy("audit", "Silence"),
    "units": pgettext_lazy("audit", "Units"),
    "group": pgettext_lazy("audit", "Group"),
    "groups": pgettext_lazy("audit", "Groups"),
    "holidays": pgettext_lazy("audit", "Holidays"),
    "incident": pgettext_lazy("audit", "Incident"),
    "into": pgettext_lazy("audit", "Merged into"),
    "is_working_day": pgettext_lazy("audit", "Working day"),
    "kind": pgettext_lazy("audit", "Kind"),
    "kinds": pgettext_lazy("audit", "Event kinds"),
    "late": pgettext_lazy("audit", "Signed late"),
    "leader": pgettext_lazy("audit", "Leader"),
    "leader_id": pgettext_lazy("audit", "Leader's number"),
    "level": pgettext_lazy("audit", "Level"),
    "major": pgettext_lazy("audit", "Major"),
    "media_exposure": pgettext_lazy("audit", "Media exposure"),
    "members": pgettext_lazy("audit", "Members"),
    "met_at": pgettext_lazy("audit", "Met at"),
    "minutes": pgettext_lazy("audit", "Minutes"),
    "mobile": pgettext_lazy("audit", "Mobile"),
    "name": pgettext_lazy("audit", "Name"),
    "note": pgettext_lazy("audit", "Note"),
    "notices": pgettext_lazy("audit", "Notices"),
    "number": pgettext_lazy("audit", "Number"),
    "on": pgettext_lazy("audit", "On"),
    "on_time": pgettext_lazy("audit", "On time"),
    "other": pgettext_lazy("audit", "Other incident"),
    "parent": pgettext_lazy("audit", "Parent unit"),
    "person": pgettext_lazy("audit", "Person"),
    "phone": pgettext_lazy("audit", "Phone"),
    "plan": pgettext_lazy("audit", "Plan"),
    "position": pgettext_lazy("audit", "Position"),
    "passed": pgettext_lazy("audit", "Passed"),
    "score": pgettext_lazy("audit", "Score"),
    "positions": pgettext_lazy("audit", "Positions"),
    "prefix": pgettext_lazy("audit", "Token"),
    "previous": pgettext_lazy("audit", "Previous"),
    "proposal": pgettext_lazy("audit", "Proposal"),
    "question": pgettext_lazy("audit", "Question"),
    "reason": pgettext_lazy("audit", "Reason"),
    "reasons": pgettext_lazy("audit", "Reasons"),
    "received_at": pgettext_lazy("audit", "Received at"),
    "regulator_report": pgettext_lazy("audit", "Report to the regulator"),
    "renamed": pgettext_lazy("audit", "Renamed"),
    "reported_at": pgettext_lazy("audit", "Reported at"),
    "review": pgettext_lazy("audit", "Review"),
    "review_due_at": pgettext_lazy("audit", "Review due"),
    "revised": pgettext_lazy("audit", "Revised"),
    "rows": pgettext_lazy("audit", "Rows"),
    "rules": pgettext_lazy("audit", "Rules"),
    "rules_removed": pgettext_lazy("audit", "Rules removed"),
    "rules_say": pgettext_lazy("audit", "Level by the rules"),
    "satisfaction": pgettext_lazy("audit", "Satisfaction"),
    "source": pgettext_lazy("audit", "Source"),
    "status": pgettext_lazy("audit", "Status"),
    "step": pgettext_lazy("audit", "Step"),
    "steps": pgettext_lazy("audit", "Steps"),
    "subject": pgettext_lazy("audit", "Subject"),
    "summary": pgettext_lazy("audit", "Summary"),
    "supersedes": pgettext_lazy("audit", "Supersedes"),
    "text": pgettext_lazy("audit", "Text"),
    "title": pgettext_lazy("audit", "Title"),
    "to": pgettext_lazy("audit", "To"),
    "to_unit": pgettext_lazy("audit", "Sent to unit"),
    "type": pgettext_lazy("audit", "Type"),
    "unit": pgettext_lazy("audit", "Unit"),
    "url": pgettext_lazy("audit", "Address"),
    "username": pgettext_lazy("audit", "Username"),
    "version": pgettext_lazy("audit", "Version"),
    "warn_days": pgettext_lazy("audit", "Warn days before the period ends"),
    "watch_hours": pgettext_lazy("audit", "Watch (hours)"),
    "watch_until": pgettext_lazy("audit", "Watch until"),
    "withdrawn_at": pgettext_lazy("audit", "Withdrawn at"),
    "work_order": pgettext_lazy("audit", "Work order"),
    "working_days": pgettext_lazy("audit", "Make-up working days"),
    "year": pgettext_lazy("audit", "Year"),
}

# Stored values that are codes of their own, in words.
VALUES: dict[str, Promise] = {
    "chinese-calendar": pgettext_lazy("audit", "State Council notice"),
    "staff": pgettext_lazy("audit", "entered by staff"),
}


# Keys whose value is a person's id or a unit's code: shown as the name, looked up once per page.
PERSON_KEYS = frozenset({"assignee"})
UNIT_KEYS = frozenset({"unit", "to_unit", "parent"})


KIND_KEYS = frozenset({"kind"})


class Names:
    """Names of the people, units and event kinds a page of entries refers to by id or code: at most
    three queries a page."""

    def __init__(self, datas: Iterable[Any]) -> None:
        from yingji.orgs.models import Person, Unit
        from yingji.plans.models import EventKind

        ids: set[int] = set()
        codes: set[str] = set()
        kinds: set[str] = set()
        for data in datas:
            if isinstance(data, dict):
                ids |= {v for k, v in data.items() if k in PERSON_KEYS and isinstance(v, int)}
                codes |= {v for k, v in data.items() if k in UNIT_KEYS and isinstance(v, str)}
                kinds |= {v for k, v in data.items() if k in KIND_KEYS and isinstance(v, str)}
        self.people = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
        self.units = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
        kind_names = EventKind.objects.filter(code__in=kinds).values_list("code", "name")
        self.kinds = dict(kind_names) if kinds else {}

    def of(self, key: str, value: Any) -> str | None:
        if key in PERSON_KEYS:
            return self.people.get(value)
        if key in UNIT_KEYS:
            return self.units.get(value)
        if key in KIND_KEYS:
            return self.kinds.get(value)
        return None


def action_label(code: str) -> str:
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def field_label(key: str) -> str:
    label = FIELDS.get(key)
    return str(label) if label is not None else key


# Entries about something that is not one model's row.
OBJECT_TYPES: dict[str, Promise] = {
    "plans.library": pgettext_lazy("audit", "Plan library"),
    "assessment.weight": pgettext_lazy("audit", "Assessment weights"),
}


def actor_label(actor_id: int | None, actor_name: str) -> str:
    """Who acted: a person's name, or "the system" for a command or job (stored as "system")."""
    if actor_id is None and actor_name in ("", "system"):
        return pgettext("audit", "the system")
    return actor_name


def object_type_label(object_type: str) -> str:
    """`complaints.complaint` → the model's name (投诉); the code itself for a model that is gone."""
    if label := OBJECT_TYPES.get(object_type):
        return str(label)
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def fields(data: Any, names: Names | None = None) -> list[tuple[str, str]]:
    """An entry's data as (label, text) pairs, in the order it was written; never a Python repr."""
    if not isinstance(data, dict):
        return [] if data in (None, "", [], {}) else [("", value_text(data))]
    shown = []
    for key, value in data.items():
        name = names.of(str(key), value) if names is not None else None
        shown.append((field_label(str(key)), name or value_text(value, key=str(key))))
    return shown


def _choices(key: str) -> dict[str, Any]:
    """Values stored as a model's choice code, by the data key that holds them."""
    from yingji.complaints.models import Callback, Category, Kind

    tables: dict[str, Any] = {
        "satisfaction": Callback.Satisfaction,
        "axis": Category.Axis,
        # A complaint's kind (问题型 → 恶意): the event kinds under "kind" are looked up by Names.
        "kind": Kind,
        "from": Kind,
        "to": Kind,
    }
    return dict(tables[key].choices) if key in tables else {}


def value_text(value: Any, *, key: str = "") -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, str) and (label := _choices(key).get(value)) is not None:
        return str(label)
    if isinstance(value, bool):
        return pgettext("audit", "yes") if value else pgettext("audit", "no")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _position_name(value) if key == "position" else _string_text(value)
    if isinstance(value, dict):
        if key == "changed":
            return "；".join(f"{field_label(str(k))}：{_change_text(v)}" for k, v in value.items())
        return "；".join(f"{field_label(str(k))}：{value_text(v, key=str(k))}" for k, v in value.items())
    if isinstance(value, Iterable):
        if key == "positions":
            return "、".join(_position_name(str(code)) for code in value)
        return "、".join(value_text(item) for item in value)
    return str(value)


def _position_name(code: str) -> str:
    english = (get_language() or "").startswith("en")
    names = {c: (en if english else zh) for c, zh, en, _head in POSITIONS}
    return names.get(code, code)


def _change_text(change: Any) -> str:
    """A field's change as stored by the services: [before, after]."""
    if isinstance(change, list | tuple) and len(change) == 2:
        return f"{value_text(change[0])} → {value_text(change[1])}"
    return value_text(change)


def _string_text(text: str) -> str:
    """Dates and times written as ISO strings are shown as the rest of the product shows them."""
    if label := VALUES.get(text):
        return str(label)
    if 10 <= len(text) <= 32 and text[:4].isdigit() and text[4:5] == "-":
        try:
            if len(text) == 10:
                return date.fromisoformat(text).strftime("%Y-%m-%d")
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return text
