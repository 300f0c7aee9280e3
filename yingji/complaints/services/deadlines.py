"""The complaint's clocks. The decision: 15 calendar days from receipt, extended to 30 and then 60,
counted as the law counts a period, moved by paused time and restarted by new facts. The internal times
of seed 001 (投诉应急预案), by kind: 24 hours to pass a suggestion on, 5 working days for the department's
report, then 2 for the administration's review; a problem complaint's proposal 24 hours after the
face-to-face meeting, its solution in 5 working days, carried out 2 working days after approval; a
malicious one's proposal in 24 hours, visit and final opinion in 5 working days, its result to the
general manager 2 working days after that. Each clock says which rule it follows (BASIS)."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import calendar
from yingji.core.clock import SHANGHAI
from yingji.deadlines import services as deadlines
from yingji.deadlines.models import Deadline

from ..models import Complaint, Kind, Pause
from .common import SUBJECT_TYPE, subject

DueFunction = Callable[[str, datetime, int], calendar.Due]

DECISION = "decision"
EXECUTE = "execute"
REVIEW = "review_decision"
REOPENED = "reopened"
PERIODS = (15, 30, 60)
REVIEW_DAYS = 30

# Why each internal clock is due when it is: the rule of seed 001's 投诉应急预案 it follows, shown on the
# complaint's page before the calendar's own account of the count.
BASIS = {
    "pass_on": gettext_lazy("Rule for suggestions: passed on to the party concerned within 24 hours."),
    "dept_report": gettext_lazy(
        "Rule for suggestions: the department reports to the administration within 5 working days."
    ),
    "admin_review": gettext_lazy(
        "Rule for suggestions: the administration reviews the department's report within 2 working days "
        "and reports to the general manager."
    ),
    "problem_proposal": gettext_lazy(
        "Rule for problem complaints: a proposal within 24 hours of the face-to-face meeting."
    ),
    "agreement": gettext_lazy(
        "Rule for problem complaints: a final solution agreed within 5 working days of receipt."
    ),
    EXECUTE: gettext_lazy(
        "Rule for problem complaints: the approved solution carried out within 2 working days."
    ),
    "malicious_proposal": gettext_lazy(
        "Rule for malicious complaints: a proposal to the general manager within 24 hours."
    ),
    "visit": gettext_lazy(
        "Rule for malicious complaints: a visit and a final opinion within 5 working days."
    ),
    "gm_report": gettext_lazy(
        "Rule for malicious complaints: the result and the response plan to the general manager within 2 "
        "working days."
    ),
}

# name, label, how counted, amount, basis — by kind, started when the complaint is registered (or turned
# into a malicious one). The 问题型 proposal is not here: its 24 hours run from the meeting (MEETING).
INTERNAL = {
    Kind.SUGGESTION: [
        ("pass_on", gettext_lazy("Pass the suggestion on (24 hours)"), "hours", 24, "pass_on"),
        (
            "dept_report",
            gettext_lazy("Department's report (5 working days)"),
            "working_days",
            5,
            "dept_report",
        ),
    ],
    Kind.PROBLEM: [
        ("agreement", gettext_lazy("Agreed solution (5 working days)"), "working_days", 5, "agreement"),
    ],
    Kind.MALICIOUS: [
        ("proposal", gettext_lazy("Proposal to the leader (24 hours)"), "hours", 24, "malicious_proposal"),
        ("visit", gettext_lazy("Visit and final opinion (5 working days)"), "working_days", 5, "visit"),
    ],
}
# Started by an action, with the action's time: name, label, how counted, amount, basis.
MEETING = ("proposal", gettext_lazy("Proposal after meeting the customer (24 hours)"), "hours", 24)
ADMIN_REVIEW = ("admin_review", gettext_lazy("Administration's review (2 working days)"), "working_days", 2)
GM_REPORT = (
    "gm_report",
    gettext_lazy("Result to the general manager (2 working days)"),
    "working_days",
    2,
)
# What a submitted proposal satisfies, whatever the kind.
MET_BY_PROPOSAL = ["pass_on", "proposal", "dept_report", "agreement", "visit"]
MET_BY_WORK_ORDER = ["pass_on"]
# What a review of the proposal (approve or send back) satisfies.
MET_BY_REVIEW = ["admin_review"]


def sourced(basis: str, rule: str) -> str:
    """A clock's source as the page shows it: the rule it follows, then how the calendar counted it."""
    return f"{basis} {rule}".strip()


def _due(how: str, start: datetime, amount: int) -> calendar.Due:
    if how == "hours":
        return calendar.clock_hours_end(start, amount)
    if how == "working_days":
        return calendar.working_days_end(start, amount)
    return calendar.legal_period_end(start, amount)


def paused_seconds(complaint: Complaint) -> int:
    """Time the decision clock stood still since it last started: finished pauses only."""
    total = timedelta()
    for pause in Pause.objects.filter(
        complaint=complaint, started_at__gte=complaint.clock_started_at, ended_at__isnull=False
    ):
        total += pause.ended_at - pause.started_at
    return int(total.total_seconds())


def decision_due(
    complaint: Complaint, *, paused: int | None = None, due: DueFunction | None = None
) -> tuple[datetime, str]:
    """When the decision is due, and how that was counted, for the complaint's current period."""
    end = (due or _due)("legal", complaint.clock_started_at, complaint.period_days)
    if paused is None:
        paused = paused_seconds(complaint) if complaint.pk else 0
    rule = end.rule
    if paused:
        rule += _("; moved by %(h).1f hours the clock stood still (appraisal, testing or mediation)") % {
            "h": paused / 3600
        }
    return end.at + timedelta(seconds=paused), rule


def new_clocks(
    complaint: Complaint, *, internal: bool = True, due: DueFunction | None = None
) -> list[Deadline]:
    """The clocks a complaint starts with, unsaved: the decision, and the kind's internal ones."""
    due = due or _due
    clocks = [
        _clock(
            complaint,
            DECISION,
            _("Decision to the customer (%(days)s days)") % {"days": complaint.period_days},
            complaint.decision_due_at,
            complaint.decision_rule,
        )
    ]
    if internal:
        for name, label, how, amount, basis in INTERNAL[Kind(complaint.kind)]:
            end = due(how, complaint.clock_started_at, amount)
            clocks.append(_clock(complaint, name, str(label), end.at, sourced(str(BASIS[basis]), end.rule)))
    return clocks


def _clock(complaint: Complaint, name: str, label: str, due_at: datetime, source: str) -> Deadline:
    return Deadline(
        subject_type=SUBJECT_TYPE,
        subject_id=complaint.pk,
        name=name,
        label=label,
        unit=complaint.handling_unit,
        owner=complaint.owner,
        started_at=complaint.clock_started_at,
        due_at=due_at,
        source=source,
    )


def start_clocks(complaint: Complaint, *, internal: bool = True) -> None:
    """Start (or start again) the decision clock and the kind's internal clocks."""
    for clock in new_clocks(complaint, internal=internal):
        deadlines.start(
            subject=subject(complaint),
            name=clock.name,
            label=clock.label,
            unit=clock.unit,
            owner=clock.owner,
            started_at=clock.started_at,
            due_at=clock.due_at,
            source=clock.source,
        )


class DayCache:
    """A batch's calendar answers, once per kind of period and day of receipt: a period counted in
    days depends on the date alone."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, object, int], calendar.Due] = {}

    def __call__(self, how: str, start: datetime, amount: int) -> calendar.Due:
        if how == "hours":
            return _due(how, start, amount)
        key = (how, start.astimezone(SHANGHAI).date(), amount)
        if key not in self.answers:
            self.answers[key] = _due(how, start, amount)
        return self.answers[key]


def start_internal(
    complaint: Complaint, name: str, label: str, how: str, amount: int, start: datetime, basis: str = ""
) -> None:
    due = _due(how, start, amount)
    deadlines.start(
        subject=subject(complaint),
        name=name,
        label=label,
        unit=complaint.handling_unit,
        owner=complaint.owner,
        started_at=start,
        due_at=due.at,
        source=sourced(basis, due.rule),
    )


def start_step(complaint: Complaint, step: tuple, start: datetime, basis: str) -> None:
    """One of the clocks an action starts (MEETING, ADMIN_REVIEW, GM_REPORT), from the action's time."""
    name, label, how, amount = step
    start_internal(complaint, name, str(label), how, amount, start, str(BASIS[basis]))


def start_kind_clocks(complaint: Complaint, start: datetime) -> None:
    """The kind's internal clocks from `start`: a complaint turned into a malicious one starts them anew."""
    for name, label, how, amount, basis in INTERNAL[Kind(complaint.kind)]:
        start_internal(complaint, name, str(label), how, amount, start, str(BASIS[basis]))


def start_execute(complaint: Complaint, start: datetime) -> None:
    start_internal(
        complaint,
        EXECUTE,
        str(gettext_lazy("Carry out the approved decision (2 working days)")),
        "working_days",
        2,
        start,
        str(BASIS[EXECUTE]),
    )


def review_due(requested_at: datetime) -> calendar.Due:
    return calendar.legal_period_end(requested_at, REVIEW_DAYS)


def review_window_end(decided_at: datetime) -> calendar.Due:
    return calendar.legal_period_end(decided_at, REVIEW_DAYS)
