"""The access matrix: every page and API operation that names a record is tried by a sibling unit's
user, a user below, an anonymous visitor (and for the API a revoked token), who must be refused, and by
a user above, who must get the record. A refused write changes nothing. A URL or operation that is in
neither the matrix nor the list of those that name no record fails `test_every_url_is_in_the_matrix`,
so a new app's pages join the matrix the day they are added.

Cost: one request per cell; see `test_the_matrix` for the count."""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from yingji.api.api import api
from yingji.complaints.views_actions import ACTIONS as COMPLAINT_ACTIONS
from yingji.core.testing import footprint
from yingji.incidents.views_actions import TASK_ACTIONS

from . import access_matrix as m


@dataclass(frozen=True)
class Row:
    kind: str
    methods: tuple[str, ...]
    kwargs: dict[str, str]  # URL kwarg → the record (key of Records.values) it names
    actions: tuple[str, ...] = ()  # the values of an <action> kwarg, each tried
    data: dict | None = None  # what a POST sends
    query: dict[str, str] | None = None  # query parameter → the record it names
    # Actions whose form names a second record that a fresh case does not have (a work order to accept):
    # the person above is not tried on them.
    above_skips: tuple[str, ...] = ()


GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
UNIT_ = {"code": "unit"}
PERSON = {"pk": "person"}
INCIDENT = {"number": "incident"}
COMPLAINT = {"number": "complaint"}
PLAN = {"code": "plan"}
DRAFT = {"code": "plan", "number": "draft"}
APPROVED = {"code": "plan", "number": "approved"}
STEP = {**DRAFT, "step_id": "step"}

PAGES: dict[str, Row | list[Row]] = {
    # orgs
    "orgs:unit": Row(m.UNIT, GET, UNIT_),
    "orgs:unit_edit": Row(m.UNIT, BOTH, UNIT_, data={"name": "和谐支行", "phone": "027-86661000"}),
    "orgs:unit_new": Row(m.UNIT, BOTH, UNIT_, data={"code": "JN0199", "name": "新网点", "type": "outlet"}),
    "orgs:person_new": Row(
        m.UNIT,
        BOTH,
        UNIT_,
        data={"username": "new_one", "name": "新人", "mobile": "13811112222", "positions": ["teller"]},
    ),
    "orgs:roster": Row(m.UNIT, BOTH, UNIT_, data={"on_date": "2026-12-31", "leader": ""}),
    "orgs:person": Row(m.UNIT, GET, PERSON),
    "orgs:person_edit": Row(
        m.UNIT, BOTH, PERSON, data={"name": "刘和谐", "mobile": "13900000014", "positions": ["president"]}
    ),
    "orgs:person_active": Row(m.UNIT, POST, PERSON, data={"active": "0"}),
    "orgs:person_password": Row(m.UNIT, BOTH, PERSON, data={"password": "Another#Pass-2026"}),
    "orgs:person_token_issue": Row(m.UNIT, POST, PERSON),
    "orgs:import_status": Row(m.OWN, GET, {"pk": "org_import"}),
    "api_token_revoke": Row(m.UNIT, POST, {"pk": "token"}),
    # plans: the library is the bank's; its edits are 应急管理员's
    "plans:role_card": Row(m.LIBRARY, GET, {"code": "position"}),
    "plans:role_card_docx": Row(m.LIBRARY, GET, {"code": "position"}),
    "plans:plan": Row(m.LIBRARY, GET, PLAN),
    # The version in force is the bank's; a draft is shown to 应急管理员 only.
    "plans:version": [Row(m.LIBRARY, GET, APPROVED), Row(m.LIBRARY_EDIT, GET, DRAFT)],
    "plans:version_docx": [Row(m.LIBRARY, GET, APPROVED), Row(m.LIBRARY_EDIT, GET, DRAFT)],
    "plans:diff": Row(m.LIBRARY_EDIT, GET, PLAN, query={"old": "approved", "new": "draft"}),
    "plans:revise": Row(m.LIBRARY_EDIT, POST, PLAN),
    "plans:edit_version": Row(m.LIBRARY_EDIT, BOTH, DRAFT, data={"title": "修订稿", "change_note": "试改"}),
    "plans:add_step": Row(
        m.LIBRARY_EDIT, BOTH, DRAFT, data={"action": "报告", "position": "outlet_head", "timing": "immediate"}
    ),
    "plans:edit_step": Row(
        m.LIBRARY_EDIT, BOTH, STEP, data={"action": "报告", "position": "outlet_head", "timing": "immediate"}
    ),
    "plans:delete_step": Row(m.LIBRARY_EDIT, POST, STEP),
    "plans:move_step": Row(m.LIBRARY_EDIT, POST, STEP, data={"direction": "down"}),
    "plans:version_action": Row(
        m.LIBRARY_EDIT, POST, DRAFT, actions=("submit", "approve", "return"), data={"reason": "再改"}
    ),
    # incidents
    "incidents:room": Row(m.UNIT, GET, INCIDENT),
    "incidents:room_live": Row(m.UNIT, GET, INCIDENT),
    "incidents:special_report_docx": Row(m.UNIT, GET, INCIDENT),
    "incidents:follow_up": Row(m.UNIT, POST, INCIDENT, data={"text": "客户已送医"}),
    "incidents:comment": Row(m.UNIT, POST, INCIDENT, data={"text": "收到"}),
    "incidents:level": Row(m.UNIT, POST, INCIDENT, data={"level": "II", "reason": "媒体关注"}),
    "incidents:decide_level": Row(m.UNIT, POST, INCIDENT, data={"decision": "approve"}),
    "incidents:activate": Row(m.UNIT, BOTH, INCIDENT),
    "incidents:task_group": Row(m.UNIT, POST, {**INCIDENT, "task_id": "task"}, data={"group": ""}),
    "incidents:task_action": Row(
        m.UNIT, POST, {**INCIDENT, "task_id": "task"}, actions=tuple(TASK_ACTIONS), data={"reason": "不适用"}
    ),
    "incidents:group_leader": Row(m.UNIT, POST, {**INCIDENT, "group_id": "group"}, data={"leader": ""}),
    "incidents:request_termination": Row(m.UNIT, POST, INCIDENT, data={"summary": "已恢复"}),
    "incidents:decide_termination": Row(m.UNIT, POST, INCIDENT, data={"approve": "1"}),
    "incidents:cancel": Row(m.UNIT, POST, INCIDENT, data={"reason": "误报，客户未受伤"}),
    "incidents:link": Row(m.UNIT, POST, INCIDENT, data={"other": "YJ-2026-999999"}),
    "incidents:investigation": Row(m.UNIT, POST, INCIDENT, data={"cause": "地面湿滑"}),
    "incidents:accountability": Row(m.UNIT, POST, INCIDENT, data={"concealed": "no"}),
    # complaints
    "complaints:import_status": Row(m.OWN, GET, {"pk": "complaint_import"}),
    "complaints:detail": Row(m.UNIT, GET, COMPLAINT),
    "complaints:reveal": Row(m.UNIT, POST, COMPLAINT),
    "complaints:act": Row(m.UNIT, POST, COMPLAINT, actions=tuple(COMPLAINT_ACTIONS), above_skips=("accept",)),
    # drills: a drill of 和谐支行 that only 和谐支行 takes part in (tests/drills/matrix.py)
    "drills:drill": Row(m.UNIT, GET, {"pk": "drill"}),
    "drills:edit": Row(
        m.UNIT, BOTH, {"pk": "drill"}, data={"title": "演练", "form": "live", "scope": "single"}
    ),
    "drills:add_participant": Row(m.UNIT, BOTH, {"pk": "drill"}, data={"role": "observer", "name": "观摩者"}),
    "drills:remove_participant": Row(m.UNIT, POST, {"pk": "drill", "participant_id": "drill_participant"}),
    "drills:add_scenario": Row(m.UNIT, BOTH, {"pk": "drill"}, data={"plan": ""}),
    "drills:add_objective": Row(m.UNIT, BOTH, {"pk": "drill"}, data={"text": "报告支行"}),
    "drills:remove_inject": Row(m.UNIT, POST, {"pk": "drill", "inject_id": "drill_inject"}),
    "drills:add_inject": Row(
        m.UNIT, BOTH, {"pk": "drill"}, data={"offset": "+0:05", "text": "客户摔倒", "channel": "spoken"}
    ),
    "drills:briefing": Row(m.UNIT, BOTH, {"pk": "drill"}, data={"purpose": "检验预案"}),
    "drills:briefing_docx": Row(m.UNIT, GET, {"pk": "drill"}),
    "drills:issue_briefing": Row(m.UNIT, POST, {"pk": "drill"}),
    "drills:regenerate_briefing": Row(m.UNIT, POST, {"pk": "drill"}),
    "drills:run": Row(m.UNIT, GET, {"pk": "drill"}),
    "drills:run_live": Row(m.UNIT, GET, {"pk": "drill"}),
    "drills:run_control": Row(m.UNIT, POST, {"pk": "drill"}, actions=("start", "pause", "resume", "end")),
    "drills:run_inject": Row(
        m.UNIT, POST, {"pk": "drill", "inject_id": "drill_inject"}, actions=("release", "skip", "ack")
    ),
    "drills:run_add_inject": Row(m.UNIT, POST, {"pk": "drill"}, data={"text": "突然停电"}),
    "drills:run_log": Row(m.UNIT, POST, {"pk": "drill"}, data={"text": "已报告支行"}),
    # the drill report: written by the planners, signed off by another leader (yingji/drills/reporting.py)
    "drills:report": Row(m.UNIT, BOTH, {"pk": "drill"}, data={"background": "背景"}),
    "drills:report_docx": Row(m.UNIT, GET, {"pk": "drill"}),
    "drills:draft_report": Row(m.UNIT, POST, {"pk": "drill"}),
    "drills:submit_report": Row(m.UNIT, POST, {"pk": "drill"}),
    "drills:return_report": Row(m.UNIT, POST, {"pk": "drill"}, data={"reason": "请补充过程"}),
    "drills:sign_off_report": Row(m.UNIT, POST, {"pk": "drill"}),
    # the bank's drill requirements: head office's 应急管理员 change them
    "drills:requirement_edit": Row(
        m.HQ, BOTH, {"pk": "drill_requirement"}, data={"every_months": "3", "warn_days": "10", "active": "on"}
    ),
    "drills:requirement_switch": Row(m.HQ, POST, {"pk": "drill_requirement"}, data={"active": "0"}),
    "drills:evaluation": Row(m.UNIT, GET, {"pk": "drill"}),
    "drills:rate_action": Row(
        m.UNIT, POST, {"pk": "drill", "action_id": "drill_action"}, data={"rating": "P"}
    ),
    "drills:rate_objective": Row(
        m.UNIT, POST, {"pk": "drill", "objective_id": "drill_objective"}, data={"rating": "P"}
    ),
    "drills:hot_wash": Row(m.UNIT, POST, {"pk": "drill"}, data={"hot_wash": "总体良好"}),
    "drills:meeting": Row(m.UNIT, POST, {"pk": "drill"}, data={"place": "会议室"}),
    "drills:add_attendee": Row(m.UNIT, POST, {"pk": "drill"}, data={"name": "专家", "category": "expert"}),
    "drills:remove_attendee": Row(m.UNIT, POST, {"pk": "drill", "attendee_id": "drill_attendee"}),
    "drills:add_finding": Row(
        m.UNIT, POST, {"pk": "drill"}, data={"category": "skills", "grade": "improvement", "text": "不熟练"}
    ),
    "drills:conclude": Row(m.UNIT, POST, {"pk": "drill"}),
    "drills:mark_critical": Row(
        m.UNIT, POST, {"pk": "drill", "action_id": "drill_action"}, data={"critical": "0"}
    ),
    # corrective actions (整改): a finding and its action at 和谐支行 (tests/corrective/matrix.py)
    "corrective:finding": Row(m.UNIT, GET, {"pk": "finding"}),
    "corrective:open_action": Row(m.UNIT, POST, {"pk": "finding"}, data={"action_text": "培训", "owner": ""}),
    "corrective:action": Row(m.UNIT, GET, {"pk": "corrective_action"}),
    "corrective:act": Row(
        m.UNIT,
        POST,
        {"pk": "corrective_action"},
        actions=("start", "complete", "verify", "cancel"),
        data={
            "complete-evidence": "已整改",
            "verify-by_source": "演练",
            "verify-rating": "P",
            "cancel-reason": "重复",
        },
    ),
    # annual plans: 和谐支行's plan of the year, approved, minutes uploaded (tests/yearplan/matrix.py)
    "yearplan:plan": Row(m.UNIT, GET, {"pk": "annual_plan"}),
    "yearplan:reminders": Row(m.UNIT, POST, {"pk": "annual_plan"}, data={"reminder_days": "5"}),
    "yearplan:decide": Row(
        m.UNIT, POST, {"pk": "annual_plan"}, actions=("submit", "approve", "return"), data={"note": "请修改"}
    ),
    "yearplan:task": Row(m.UNIT, GET, {"pk": "annual_plan", "task_id": "annual_plan_task"}),
    "yearplan:edit_task": Row(
        m.UNIT,
        POST,
        {"pk": "annual_plan", "task_id": "annual_plan_task"},
        data={"due_on": "2026-05-20", "evidence_kind": "file"},
    ),
    "yearplan:add_file": Row(m.UNIT, POST, {"pk": "annual_plan", "task_id": "annual_plan_task"}),
    "yearplan:file": Row(
        m.UNIT, GET, {"pk": "annual_plan", "task_id": "annual_plan_task", "file_id": "annual_plan_file"}
    ),
    "yearplan:link": Row(
        m.UNIT, POST, {"pk": "annual_plan", "task_id": "annual_plan_task"}, data={"record": "1"}
    ),
    "yearplan:complete": Row(
        m.UNIT, POST, {"pk": "annual_plan", "task_id": "annual_plan_task"}, data={"note": "已召开"}
    ),
    "yearplan:reopen": Row(
        m.UNIT, POST, {"pk": "annual_plan", "task_id": "annual_plan_task"}, data={"reason": "纪要不全"}
    ),
    # security inspections: 和谐支行 inspected, a failed item and its rectification (tests/security/matrix.py)
    "security:inspection": Row(m.UNIT, GET, {"pk": "inspection"}),
    "security:record_item": Row(
        m.UNIT, POST, {"pk": "inspection", "item_id": "inspection_item"}, data={"outcome": "pass"}
    ),
    "security:add_photo": Row(m.UNIT, POST, {"pk": "inspection", "item_id": "inspection_item"}),
    "security:photo": Row(m.UNIT, GET, {"pk": "inspection", "photo_id": "inspection_photo"}),
    "security:sign": Row(m.UNIT, POST, {"pk": "inspection"}),
    "security:recheck": Row(
        m.UNIT, POST, {"pk": "inspection", "action_id": "rectification"}, data={"passed": "1", "note": "合格"}
    ),
    # its accountability record (重大安全隐患): decided by a leader above (yingji/security/accountability.py)
    "security:accountability": Row(
        m.UNIT, BOTH, {"pk": "accountability"}, data={"outcome": "1", "reasons": "未按规定检查灭火器"}
    ),
    # responsibility letters: 和谐支行's president's letter, signed on paper (tests/letters/matrix.py)
    "letters:letter": Row(m.UNIT, GET, {"pk": "letter"}),
    "letters:sign": Row(m.UNIT, POST, {"pk": "letter"}),
    "letters:upload_scan": Row(m.UNIT, POST, {"pk": "letter"}),
    "letters:scan_file": Row(m.UNIT, GET, {"pk": "letter"}),
    "letters:docx": Row(m.UNIT, GET, {"pk": "letter"}),
    # training: a session of 和谐支行 for its own staff, with a handout (tests/training/matrix.py)
    "training:session": Row(m.UNIT, GET, {"pk": "training_session"}),
    "training:sign_in": Row(m.UNIT, POST, {"pk": "training_session"}),
    "training:transition": Row(
        m.UNIT,
        POST,
        {"pk": "training_session"},
        actions=("hold", "record", "cancel"),
        data={"c-reason": "停课"},
    ),
    "training:mark": Row(
        m.UNIT,
        POST,
        {"pk": "training_session", "attendance_id": "training_attendance"},
        data={"present": "1"},
    ),
    "training:add_material": Row(m.UNIT, POST, {"pk": "training_session"}),
    "training:material": Row(m.UNIT, GET, {"pk": "training_session", "material_id": "training_material"}),
    "training:person": Row(m.UNIT, GET, PERSON),
    # the year's summary of 和谐支行, a draft (tests/assessment/matrix.py): written by 应急管理员 and leaders,
    # approved by another who heads or leads it or a unit above (yingji/assessment/services.py)
    "assessment:summary": Row(m.UNIT, BOTH, {"pk": "summary"}, data={"overview": "全年开展检查"}),
    "assessment:summary_docx": Row(m.UNIT, GET, {"pk": "summary"}),
    "assessment:summary_action": Row(
        m.UNIT,
        POST,
        {"pk": "summary"},
        actions=("regenerate", "submit", "return", "approve"),
        data={"reason": "补充"},
    ),
    # warnings: a queue warning at 和谐支行 (tests/monitoring/matrix.py); the rules are head office's
    "monitoring:warning": Row(m.UNIT, GET, {"pk": "warning"}),
    "monitoring:acknowledge": Row(m.UNIT, POST, {"pk": "warning"}),
    "monitoring:decide": Row(m.UNIT, POST, {"pk": "warning"}, data={"accept": "0", "note": "已分流"}),
    "monitoring:rule_edit": Row(m.HQ, BOTH, {"pk": "warning_rule"}, data={"name": "排队超过30人"}),
    "monitoring:silence_end": Row(m.UNIT, POST, {"pk": "silence"}),
    "monitoring:integration_revoke": Row(m.HQ, POST, {"pk": "integration"}),
    # notices: one's own; the rules: head office's
    "notify:acknowledge": Row(m.OWN, POST, {"pk": "notice"}),
    "notify:save_level_rule": Row(m.HQ, POST, {"level": "level"}),
    "notify:save_kind_rule": Row(m.HQ, POST, {"code": "kind"}),
    "notify:save_deadline": Row(m.HQ, POST, {"code": "branch"}, data={"minutes": "45"}),
    "notify:switch_robot": Row(m.HQ, POST, {"pk": "robot"}, data={"on": "0"}),
    # the situation board of a unit: seen by the unit and the units above (yingji/reports)
    "reports:board": Row(m.UNIT, GET, UNIT_),
    # plan readiness: 和谐支行's readiness; a quiz attempt is its person's own (tests/readiness/matrix.py)
    "readiness:unit": Row(m.UNIT, GET, UNIT_),
    "readiness:attempt": Row(m.OWN, BOTH, {"pk": "quiz_attempt"}, data={"q1": "0"}),
    "reports:board_live": Row(m.UNIT, GET, UNIT_),
}

# What names no record, and why it is not in the matrix.
NOT_RECORDS: dict[str, str] = {
    "home": "the signed-in person's own start page",
    "login": "signing in",
    "logout": "signing out",
    "password_change": "the signed-in person's own password",
    "password_change_done": "a confirmation",
    "jobs": "the job failures list (emergency administrators; names no record)",
    "calendar": "the bank's holiday calendar, the same for everyone",
    "calendar_add": "adds a day to the bank's calendar (head office)",
    "healthz": "liveness probe",
    "orgs:tree": "a list scoped by visibility.scope (tests/orgs/test_visibility.py)",
    "orgs:import": "starts an import (a form)",
    "orgs:import_template": "an empty workbook; <kind> is units or people, not a record",
    "plans:library": "the plan library list, the same for everyone",
    "plans:roles": "the list of role cards, the same for everyone",
    "incidents:list": "a list scoped by visibility.scope",
    "incidents:report": "a new report (its unit is checked by the service)",
    "complaints:import": "starts an import (a form)",
    "complaints:import_template": "an empty workbook",
    "complaints:ledger": "an export scoped by the complaint selectors",
    "complaints:stats": "statistics scoped by the complaint selectors",
    "complaints:list": "a list scoped by the complaint selectors",
    "complaints:register": "a new complaint (its unit is checked by the service)",
    "complaints:knowledge": "the knowledge base, the same for everyone",
    "complaints:categories": "the category tree, the same for everyone",
    "corrective:list": "a list scoped by the corrective selectors",
    "corrective:new": "a new finding (its unit is checked by the service)",
    "monitoring:list": "a list scoped by the monitoring selectors",
    "monitoring:rules": "the bank's warning rules, read by everyone; editing is head office's",
    "monitoring:rule_new": "adds a warning rule (head office; names no record)",
    "monitoring:silences": "silences scoped by visibility; setting one checks the unit in the service",
    "monitoring:integrations": "head office's list of integration tokens (its 应急管理员 only)",
    "monitoring:integration_new": "issues an integration token (head office's 应急管理员; names no record)",
    "drills:list": "a list scoped by the drill selectors",
    "drills:create": "a new drill (its units are checked by the service)",
    "drills:compliance": "matrices scoped by visibility.scope and the drill selectors",
    "drills:requirements": "the bank's drill requirements, read by everyone; adding is head office's",
    "security:list": "a list scoped by the security selectors",
    "yearplan:list": "plans and their progress, scoped by the yearplan selectors",
    "yearplan:create": "a new plan (its unit is checked by the service)",
    "security:start": "a new inspection (its unit is checked by the service)",
    "security:coverage": "a matrix scoped by visibility.scope",
    "security:checklist": "the bank's checklist, read by everyone; adding is head office's",
    "letters:coverage": "a matrix scoped by the letters selectors",
    "letters:coverage_xlsx": "the same matrix as Excel, scoped by the letters selectors",
    "letters:mine": "the signed-in person's own letters to sign",
    "letters:generate": "issues a unit's letters (its unit is checked by the service)",
    "letters:template": "the bank's wording of a kind of letter (no record); editing is head office's",
    "security:schedule": "the bank's inspection schedule, read by everyone; setting it is head office's",
    "security:accountabilities": "a list scoped by visibility.scope",
    "training:list": "a list scoped by the training selectors",
    "training:new": "a new session (its unit is checked by the service)",
    "training:coverage": "a matrix scoped by visibility.scope",
    "training:mine": "the signed-in person's own training record",
    "training:schedule": "the bank's training schedule, read by everyone; setting it is head office's",
    "assessment:list": "a list scoped by the assessment selectors",
    "assessment:generate": "a new summary (its unit is one the writer may write for, checked by the service)",
    "assessment:ranking": "a ranking of the units scoped by visibility.scope",
    "assessment:weights": "the bank's weights, read by everyone; editing is head office's",
    "readiness:mine": "the signed-in person's own role cards",
    "readiness:acknowledge": "confirms one's own card; a position one does not hold is refused",
    "readiness:start_quiz": "starts one's own quiz of a plan that concerns one; others are refused",
    "readiness:course": "the course of seed 003, the same for everyone",
    "readiness:start_course_quiz": "starts the signed-in person's own course quiz",
    "notify:inbox": "the signed-in person's own notices",
    "notify:badge": "the signed-in person's own count",
    "notify:rules": "the rules page (head office; names no record)",
    "notify:add_robot": "adds a robot (head office; the unit is checked by the service)",
    "reports:dashboards": "charts scoped by visibility.scope; a ?unit= not seen is 404 (tests/reports)",
    "reports:chart_xlsx": "a chart's numbers, scoped as the dashboards; <key> names a chart, not a record",
    "reports:summary_docx": "the monthly summary, scoped as the dashboards (tests/reports)",
    "audit:log": "a list scoped by the audit selectors",
    "set_language": "the language cookie",
    "api:openapi-json": "the API's schema",
    "api:openapi-view": "the API's documentation",
    "api:api-root": "the API's root",
    "api/docs": "a redirect to the API's documentation",
}

# API operations that name a record, by method and OpenAPI path, with what they send.
INCIDENT_OPS = "/api/v1/incidents/{incident_id}"
API: dict[tuple[str, str], dict | None] = {
    ("GET", "/api/v1/units/{code}"): None,
    ("GET", "/api/v1/incidents/{incident_id}"): None,
    ("POST", f"{INCIDENT_OPS}/follow-ups"): {"text": "客户已送医"},
    ("POST", f"{INCIDENT_OPS}/comments"): {"text": "收到"},
    ("POST", f"{INCIDENT_OPS}/level"): {"level": "II", "reason": "媒体关注"},
    ("POST", f"{INCIDENT_OPS}/level-decision"): {"approve": True},
    ("POST", f"{INCIDENT_OPS}/activate"): {"plan_version": 0, "leader": "hexie_president"},
    ("POST", f"{INCIDENT_OPS}/tasks/{{task_id}}/claim"): {},
    ("POST", f"{INCIDENT_OPS}/tasks/{{task_id}}/done"): {"note": "完成"},
    ("POST", f"{INCIDENT_OPS}/tasks/{{task_id}}/not-applicable"): {"reason": "不适用"},
    ("POST", f"{INCIDENT_OPS}/tasks/{{task_id}}/group"): {"group": None},
    ("POST", f"{INCIDENT_OPS}/groups/{{group_id}}/leader"): {"leader": "hexie_president"},
    ("POST", f"{INCIDENT_OPS}/termination-requests"): {"summary": "已恢复"},
    ("POST", f"{INCIDENT_OPS}/termination-decision"): {"approve": True},
    ("GET", f"{INCIDENT_OPS}/termination"): None,
    ("POST", f"{INCIDENT_OPS}/cancel"): {"reason": "误报，客户未受伤"},
    ("POST", f"{INCIDENT_OPS}/link"): {"other": "YJ-2026-999999"},
    ("POST", f"{INCIDENT_OPS}/merge"): {"into": "YJ-2026-999999", "reason": "重复"},
    ("POST", f"{INCIDENT_OPS}/investigation"): {},
    ("PUT", f"{INCIDENT_OPS}/investigation"): {"cause": "地面湿滑"},
    ("POST", f"{INCIDENT_OPS}/investigation/close"): {},
    ("GET", "/api/v1/complaints/{complaint_id}"): None,
    ("POST", "/api/v1/complaints/{complaint_id}/withdraw"): {"note": "客户撤回"},
    ("POST", "/api/v1/complaints/{complaint_id}/new-facts"): {"facts": "客户补充了录像"},
    ("POST", "/api/v1/complaints/{complaint_id}/meeting"): {"note": "客户要求赔偿"},
    ("POST", "/api/v1/complaints/{complaint_id}/malicious"): {"reason": "协商失败"},
    ("POST", "/api/v1/complaints/{complaint_id}/leader-report"): {"note": "已报总经理"},
    ("POST", "/api/v1/complaints/{complaint_id}/escalate"): {"spread": "门口张贴大字报，朋友圈转发"},
    ("GET", "/api/v1/corrective/findings/{finding_id}"): None,
    ("GET", "/api/v1/corrective/actions/{action_id}"): None,
    ("GET", "/api/v1/drills/{drill_id}"): None,
    ("GET", "/api/v1/drills/{drill_id}/run"): None,
    ("GET", "/api/v1/drills/{drill_id}/ratings"): None,
    ("GET", "/api/v1/drills/{drill_id}/findings"): None,
    ("GET", "/api/v1/drills/{drill_id}/report"): None,
    ("GET", "/api/v1/security/inspections/{inspection_id}"): None,
    ("GET", "/api/v1/yearplan/plans/{annual_plan_id}"): None,
    ("GET", "/api/v1/yearplan/tasks/{annual_task_id}"): None,
    ("GET", "/api/v1/security/rectifications/{rectification_id}"): None,
    ("GET", "/api/v1/readiness/units/{code}"): None,
    ("GET", "/api/v1/readiness/people/{person_id}"): None,
    ("GET", "/api/v1/letters/{letter_id}"): None,
    ("GET", "/api/v1/training/sessions/{session_id}"): None,
    ("GET", "/api/v1/assessment/summaries/{summary_id}"): None,
}
# Operations on one's own records, or on the bank-wide library: every signed-in holder of a token gets
# what is theirs.
API_OWN: dict[tuple[str, str], dict | None] = {
    ("POST", "/api/v1/notices/{notice_id}/ack"): {},
}
API_LIBRARY: dict[tuple[str, str], dict | None] = {
    ("GET", "/api/v1/plans/{plan_id}"): None,
}
API_NOT_RECORDS: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/units"): "a list scoped by visibility.scope",
    ("GET", "/api/v1/me"): "the token holder's own person",
    ("GET", "/api/v1/event-kinds"): "the bank's event kinds, the same for everyone",
    ("POST", "/api/v1/classify"): "a computation on the rules, no record",
    ("GET", "/api/v1/plans"): "the plan library list, the same for everyone",
    ("POST", "/api/v1/incidents"): "a new report (its unit is checked by the service)",
    ("GET", "/api/v1/incidents"): "a list scoped by visibility.scope",
    ("GET", "/api/v1/notices"): "the token holder's own notices",
    ("POST", "/api/v1/complaints"): "a new complaint (its unit is checked by the service)",
    ("GET", "/api/v1/complaints"): "a list scoped by the complaint selectors",
    ("GET", "/api/v1/corrective/findings"): "a list scoped by the corrective selectors",
    ("GET", "/api/v1/corrective/actions"): "a list scoped by the corrective selectors",
    ("GET", "/api/v1/drills"): "a list scoped by the drill selectors",
    ("GET", "/api/v1/security/inspections"): "a list scoped by the security selectors",
    ("GET", "/api/v1/letters"): "a list scoped by the letters selectors",
    ("GET", "/api/v1/yearplan/plans"): "a list scoped by the yearplan selectors",
    ("GET", "/api/v1/yearplan/tasks"): "a list scoped by the yearplan selectors",
    ("GET", "/api/v1/security/rectifications"): "a list scoped by the security selectors",
    ("GET", "/api/v1/training/sessions"): "a list scoped by the training selectors",
    ("GET", "/api/v1/training/attendance"): "a list scoped by the training selectors",
    ("GET", "/api/v1/assessment/summaries"): "a list scoped by the assessment selectors",
    ("GET", "/api/v1/assessment/scores"): "a ranking of the units scoped by visibility.scope",
    ("GET", "/api/v1/readiness/me"): "the token holder's own role cards",
    ("POST", "/api/v1/signals"): "an integration's batch: its token names the units it may report for",
}
API_PARAMS = {
    "code": "unit",
    "incident_id": "incident_id",
    "task_id": "task",
    "group_id": "group",
    "complaint_id": "complaint_id",
    "notice_id": "notice",
    "plan_id": "plan_id",
    "finding_id": "finding",
    "action_id": "corrective_action",
    "drill_id": "drill",
    "inspection_id": "inspection",
    "letter_id": "letter",
    "rectification_id": "rectification",
    "person_id": "person",
    "annual_plan_id": "annual_plan",
    "annual_task_id": "annual_plan_task",
    "session_id": "training_session",
    "summary_id": "summary",
}


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """(name, route) of every URL the project answers."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{namespace}{p.name}" if p.name else route
            yield name, route


def api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return [
        (method.upper(), path.rstrip("/"))
        for path, ops in schema["paths"].items()
        for method in ops
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_url_is_in_the_matrix():
    missing = []
    for name, route in url_patterns():
        if name.startswith("admin:") or route.startswith("django-admin/"):
            continue  # Django's admin: tried as a whole in test_the_admin_is_for_staff_only
        if name not in PAGES and name not in NOT_RECORDS and not name.startswith("api:"):
            missing.append(f"{name} ({route})")
    ops = set(API) | set(API_OWN) | set(API_LIBRARY) | set(API_NOT_RECORDS)
    missing += [f"{method} {path}" for method, path in api_operations() if (method, path) not in ops]
    assert not missing, "not in the access matrix (test it, or say why it names no record): " + ", ".join(
        missing
    )


def test_nothing_in_the_matrix_is_stale():
    names = {name for name, _ in url_patterns()}
    assert set(PAGES) - names == set() and set(NOT_RECORDS) - names - {"api/docs"} == set()
    ops = set(api_operations())
    assert (set(API) | set(API_OWN) | set(API_LIBRARY) | set(API_NOT_RECORDS)) - ops == set()


REFUSALS = {m.REFUSED, m.LOGIN}


def _within_a_savepoint(refusal: bool, send, *args, **kwargs):
    """Send one cell's request and undo what it did, so every cell starts from the same records; for a
    refusal, count every table before and after."""
    with transaction.atomic():
        before = footprint() if refusal else {}
        response = send(*args, **kwargs)
        after = footprint() if refusal else {}
        transaction.set_rollback(True)
    return response, before, after


def _judge(expect: str, response, before, after, *, api_call: bool) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if expect == m.LOGIN:
        ok = status == 401 if api_call else status == 302 and "login" in urlsplit(response["Location"]).path
    elif expect == m.REFUSED:
        ok = status in (403, 404)
    elif expect == m.SEES:
        ok = status == 200
    else:  # REACHES: the record was found; a rule of role may still refuse the write (403)
        ok = status not in (401, 404, 405) and not (
            status == 302 and "login" in urlsplit(response.get("Location", "")).path
        )
    if not ok:
        return f"answered {status}, expected {expect}"
    if expect != m.REACHES and before != after:
        changed = {k: (before[k], after[k]) for k in before if before[k] != after.get(k)}
        return f"refused but changed {changed}"
    return None


@pytest.fixture
def records(library, now):
    from .corrective.matrix import records as corrective_records

    built = m.build()
    built.values |= corrective_records()
    from .drills.matrix import records as drill_records

    built.values |= drill_records()
    from .monitoring.matrix import records as monitoring_records

    built.values |= monitoring_records()
    from .security.matrix import records as security_records

    built.values |= security_records()
    from .yearplan.matrix import records as yearplan_records

    built.values |= yearplan_records()
    from .training.matrix import records as training_records

    built.values |= training_records()
    from .assessment.matrix import records as assessment_records

    built.values |= assessment_records()
    from .letters.matrix import records as letter_records

    built.values |= letter_records()
    from .readiness.matrix import records as readiness_records

    values, owners = readiness_records()
    built.values |= values
    built.owners |= owners
    return built


@pytest.fixture
def now():
    from django.utils import timezone

    from yingji.core import clock

    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


def _clients() -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for persona, username in m.PERSONAS.items():
        clients[persona] = Client()
        clients[persona].force_login(m.person(username).user)
    return clients


def test_the_matrix(records):
    clients = _clients()
    failures, cells = [], 0
    for name, row in (
        (n, r) for n, rows in PAGES.items() for r in (rows if isinstance(rows, list) else [rows])
    ):
        kwargs = {arg: records.values[key] for arg, key in row.kwargs.items()}
        query = "&".join(f"{k}={records.values[v]}" for k, v in (row.query or {}).items())
        for action in row.actions or (None,):
            path = reverse(name, kwargs=kwargs | ({"action": action} if action else {}))
            path += f"?{query}" if query else ""
            expect = dict(m.EXPECT[row.kind])
            if action in row.above_skips:
                expect.pop("above")
            owner_key = next(iter(row.kwargs.values()))
            if row.kind == m.OWN:
                owner = Client()
                owner.force_login(records.owners[owner_key])
                clients_here = {**clients, "owner": owner}
            else:
                clients_here = clients
            for method in row.methods:
                for persona, wanted in expect.items():
                    if method == "GET" and wanted == m.REACHES:
                        wanted = m.SEES
                    client = clients_here[persona]
                    response, before, after = (
                        _within_a_savepoint(wanted in REFUSALS, client.get, path)
                        if method == "GET"
                        else _within_a_savepoint(wanted in REFUSALS, client.post, path, row.data or {})
                    )
                    cells += 1
                    problem = _judge(wanted, response, before, after, api_call=False)
                    if problem:
                        failures.append(f"{persona} {method} {path}: {problem}")
    api_failures, api_cells = _api_matrix(records)
    print(f"access matrix: {cells} page cells, {api_cells} API cells")
    failures += api_failures
    assert not failures, "\n".join(failures)


def _api_matrix(records) -> tuple[list[str], int]:
    tokens = {
        "revoked": m.revoked_token_of("branch_duty"),
        **{persona: m.live_token_of(m.PERSONAS[persona]) for persona in ("sibling", "below", "above")},
        "owner": m.live_token_of(records.owners["notice"].username),
    }
    client, failures, cells = Client(), [], 0
    tables = [(API, m.API_EXPECT), (API_LIBRARY, _api_library_expect()), (API_OWN, _api_own_expect())]
    for table, expect in tables:
        for (method, template), body in table.items():
            path = template
            for param, key in API_PARAMS.items():
                path = path.replace("{" + param + "}", str(records.values[key]))
            for persona, wanted in expect.items():
                if method == "GET" and wanted == m.REACHES:
                    wanted = m.SEES
                headers = {"Authorization": f"Bearer {tokens[persona]}"} if persona in tokens else {}
                response, before, after = _within_a_savepoint(
                    wanted in REFUSALS,
                    client.generic,
                    method,
                    path,
                    data=_json(body),
                    content_type="application/json",
                    headers=headers,
                )
                cells += 1
                problem = _judge(wanted, response, before, after, api_call=True)
                if problem:
                    failures.append(f"API {persona} {method} {path}: {problem}")
    return failures, cells


def _api_library_expect() -> dict[str, str]:
    return {"anonymous": m.LOGIN, "revoked": m.LOGIN, "sibling": m.SEES, "below": m.SEES}


def _api_own_expect() -> dict[str, str]:
    return {
        "anonymous": m.LOGIN,
        "revoked": m.LOGIN,
        "sibling": m.REFUSED,
        "below": m.REFUSED,
        "above": m.REFUSED,
        "owner": m.REACHES,
    }


def _json(body: dict | None) -> str:
    import json

    return json.dumps(body) if body is not None else ""


def test_the_admin_is_for_staff_only(records):
    """Django's admin names records by object id; only staff accounts enter it, everyone else is sent to
    the admin's sign-in page."""
    clients = _clients()
    failures = []
    for name, route in url_patterns():
        if not name.startswith("admin:") or "(?P" in route or name in ("admin:login", "admin:logout"):
            continue
        path = "/" + route.replace("<path:object_id>", "1").replace("<path:content_type_id>", "1").replace(
            "<id>", "1"
        )
        for persona in ("anonymous", "below", "hq"):
            response = clients[persona].get(path)
            if not (response.status_code == 302 and "login" in response["Location"]):
                failures.append(f"{persona} GET {path}: answered {response.status_code}")
    assert not failures, "\n".join(failures)
