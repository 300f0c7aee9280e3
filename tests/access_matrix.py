"""The access matrix's records and people: one of each kind of record at 和谐支行 (under 江南分行), and who
tries it.

- below: 王大堂 (hexie_lobby), 和谐路营业部, a unit under 和谐支行;
- sibling: 冯城北 (other_manager), 城北营业部, under the sibling branch 江北分行;
- above: 吴分值 (branch_duty), 江南分行's 应急管理员, who sees and manages all of 江南分行;
- hq: 周应急 (hq_duty), head office's 应急管理员 (head-office configuration; someone else's own record);
- owner: the one person a personal record belongs to (a notice's recipient, an import's uploader);
- anonymous, and for the API a revoked token of the person above.

Records are made the way the product makes them (services, the incident factories)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import User

from yingji.api.models import ApiToken
from yingji.api.services import issue_token, revoke_token
from yingji.complaints import services as complaints
from yingji.complaints.models import Category
from yingji.complaints.models import ImportRun as ComplaintImport
from yingji.core import clock
from yingji.incidents import services as incidents
from yingji.notify.models import Notice, NotificationRule, Webhook
from yingji.orgs.models import ImportRun as OrgImport
from yingji.orgs.models import Person, Unit
from yingji.plans import services as plans
from yingji.plans.models import Plan, VersionStatus

from .incidents.factories import ReportFactory, approved

# How a persona must be answered in a cell.
REFUSED = "refused"  # 403 or 404, and a write changes nothing
LOGIN = "login"  # pages: a redirect to the sign-in page; API: 401
SEES = "sees"  # GET: 200
REACHES = "reaches"  # POST: the record was found (no 401/404, no 5xx); a rule of role may still say 403

# What each kind of row expects of each persona.
UNIT = "unit"  # a record of a unit: seen by its unit and the units above, by nobody else
OWN = "own"  # a personal record: its owner alone
LIBRARY = "library"  # the bank's plan library: every signed-in person reads it
LIBRARY_EDIT = "library_edit"  # an edit of the library: 应急管理员 only
HQ = "hq"  # head-office configuration: head office's 应急管理员 only
ADMIN = "admin"  # Django's admin: staff accounts only

EXPECT: dict[str, dict[str, str]] = {
    UNIT: {"anonymous": LOGIN, "sibling": REFUSED, "below": REFUSED, "above": REACHES},
    OWN: {"anonymous": LOGIN, "sibling": REFUSED, "below": REFUSED, "hq": REFUSED, "owner": REACHES},
    LIBRARY: {"anonymous": LOGIN, "sibling": SEES, "below": SEES},
    LIBRARY_EDIT: {"anonymous": LOGIN, "sibling": REFUSED, "below": REFUSED, "above": REACHES},
    HQ: {"anonymous": LOGIN, "sibling": REFUSED, "below": REFUSED, "above": REFUSED, "hq": REACHES},
    ADMIN: {"anonymous": LOGIN, "below": LOGIN, "hq": LOGIN},
}
API_EXPECT = {"anonymous": LOGIN, "revoked": LOGIN, "sibling": REFUSED, "below": REFUSED, "above": REACHES}

PERSONAS = {
    "below": "hexie_lobby",
    "sibling": "other_manager",
    "above": "branch_duty",
    "hq": "hq_duty",
}


@dataclass
class Records:
    """The ids and codes the URLs name, and who owns the personal ones."""

    values: dict[str, object] = field(default_factory=dict)
    owners: dict[str, User] = field(default_factory=dict)


def person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


def build() -> Records:
    """One record of each kind at 和谐支行 (JN01), plus the bank-wide ones the URLs name."""
    president, above = person("hexie_president"), person("branch_duty")
    sub_branch = Unit.objects.get(code="JN01")
    r = Records()

    incident = ReportFactory(reporter=president, unit=sub_branch)
    incidents.activate_plan(
        actor=president,
        incident=incident,
        version=approved("outlet-service-customer-injured"),
        leader=president,
        members=[person("jn_president")],
        groups=["现场处置组"],
    )
    task = incident.tasks.order_by("order").first()
    group = incident.groups.first()
    assert task is not None and group is not None, "the drill plan gives the case a task and a group"
    # A notice the case sent to someone who is none of the personas: theirs alone.
    notice = (
        Notice.objects.exclude(recipient__user__username__in=PERSONAS.values())
        .select_related("recipient__user")
        .order_by("-pk")
        .first()
    )
    assert notice is not None, "the report and the activation told someone"

    complaint = complaints.register_complaint(
        receiver=president,
        unit=sub_branch,
        channel="counter",
        received_at=clock.now() - timedelta(minutes=10),
        customer_name="张三",
        customer_phone="13812345678",
        content="排队一个多小时无人引导，柜员态度生硬。",
        kind="problem",
        business=Category.objects.get(code="counter_service"),
        cause=Category.objects.get(code="service_attitude"),
    )

    token, _raw = issue_token(actor=above.user, person=president)
    plan = Plan.objects.filter(versions__status=VersionStatus.APPROVED).order_by("sort_order").first()
    draft = plans.start_revision(actor=above.user, plan=plan)
    org_import = OrgImport.objects.create(
        kind=OrgImport.Kind.PEOPLE,
        status=OrgImport.Status.DONE,
        file_name="people.xlsx",
        created_by=above.user,
        created_at=clock.now(),
    )
    complaint_import = ComplaintImport.objects.create(
        status=ComplaintImport.Status.DONE,
        file_name="complaints.xlsx",
        created_by=above.user,
        unit=sub_branch,
        created_at=clock.now(),
    )
    robot = Webhook.objects.create(unit=sub_branch, kind="wecom", url="http://127.0.0.1:9/robot")

    r.values = {
        "unit": sub_branch.code,
        "person": president.pk,
        "incident": incident.number,
        "incident_id": incident.pk,
        "task": task.pk,
        "group": group.pk,
        "complaint": complaint.number,
        "complaint_id": complaint.pk,
        "notice": notice.pk,
        "token": token.pk,
        "plan": plan.code,
        "draft": draft.number,
        "approved": plan.versions.get(status=VersionStatus.APPROVED).number,
        "step": draft.steps.order_by("order").first().pk,
        "position": task.position.code,
        "org_import": org_import.pk,
        "complaint_import": complaint_import.pk,
        "level": NotificationRule.objects.order_by("level").first().level,
        "kind": incident.kind.code,
        "branch": "JN",
        "robot": robot.pk,
        "plan_id": plan.pk,
    }
    r.owners = {"notice": notice.recipient.user, "org_import": above.user, "complaint_import": above.user}
    return r


def revoked_token_of(username: str) -> str:
    """A token of a person who would see the record, revoked: it must open nothing."""
    holder = person(username)
    token, raw = issue_token(actor=holder.user, person=holder)
    revoke_token(actor=holder.user, token=ApiToken.objects.get(pk=token.pk))
    return raw


def live_token_of(username: str) -> str:
    holder = person(username)
    return issue_token(actor=holder.user, person=holder)[1]
