"""An event from its first report to the closed investigation. Timestamps are written by the services
from the one clock and never edited afterwards, so lateness (缓报) is read off the record itself."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yingji.orgs.models import Person, Position, Unit
from yingji.plans.models import EventKind, Level, PlanVersion, Step


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACTIVATED = "activated", _("Plan activated")
    RESPONDING = "responding", _("Responding")
    TERMINATION_REQUESTED = "termination_requested", _("Termination requested")
    TERMINATED = "terminated", _("Terminated")
    INVESTIGATING = "investigating", _("Under investigation")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.REPORTED, Status.ACTIVATED, Status.RESPONDING, Status.TERMINATION_REQUESTED)

# 示范文本 第三条: what a report says. All optional at first; follow-up reports fill them in.
REPORT_FIELDS = (
    "location",
    "cause",
    "nature",
    "amount_involved",
    "people_involved",
    "main_harm",
    "customer_reaction",
    "trend",
    "measures_taken",
)


class ReportContent(models.Model):
    location = models.CharField(_("location"), max_length=200, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    nature = models.TextField(_("nature"), blank=True)
    amount_involved = models.CharField(_("amount involved"), max_length=100, blank=True)
    people_involved = models.CharField(_("people involved"), max_length=100, blank=True)
    main_harm = models.TextField(_("main harm"), blank=True)
    customer_reaction = models.TextField(_("customer reaction"), blank=True)
    trend = models.TextField(_("how it is developing"), blank=True)
    measures_taken = models.TextField(_("measures already taken"), blank=True)

    class Meta:
        abstract = True


class Incident(ReportContent):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.ForeignKey(
        EventKind, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("kind")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("unit"))
    reporter = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="reported_incidents", verbose_name=_("reported by")
    )
    occurred_at = models.DateTimeField(_("happened at"))
    reported_at = models.DateTimeField(_("first reported at"), db_index=True)
    description = models.TextField(_("what happened"))
    facts = models.JSONField(_("facts"), default=dict)
    level = models.CharField(_("level"), max_length=3, choices=Level.choices, db_index=True)
    classified_level = models.CharField(_("level by the rules"), max_length=3, choices=Level.choices)
    level_reasons = models.JSONField(_("why this level"), default=list)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.REPORTED, db_index=True
    )
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    plan_version = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("plan activated"),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    watch_until = models.DateTimeField(_("watched until"), null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    termination_approvers = models.TextField(_("who approves termination"), blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["unit", "kind", "status"])]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.number} {self.kind.name}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:room", kwargs={"number": self.number})


class YearCounter(models.Model):
    """The last number given in a year: YJ-2026-000123. Locked per report, so numbers never repeat."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("incident number counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class FollowUp(ReportContent):
    """续报: what the reporter or anyone on the case adds as the event develops."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("what is new"))
    facts = models.JSONField(_("facts"), default=dict)
    # A retried report that reopened a watched incident is recognised by its key, like a first report.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.at}"


class TimelineEvent(models.TextChoices):
    REPORTED = "reported", _("First report")
    FOLLOW_UP = "follow_up", _("Follow-up report")
    LEVEL_CHANGED = "level_changed", _("Level changed")
    NOTIFIED = "notified", _("Notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATED = "escalated", _("Escalated for no acknowledgement")
    ACTIVATED = "activated", _("Plan activated")
    STATUS = "status", _("Status changed")
    TASK = "task", _("Task")
    COMMENT = "comment", _("Comment")
    TERMINATION = "termination", _("Termination")
    REOPENED = "reopened", _("Reopened")
    LINKED = "linked", _("Linked")
    INVESTIGATION = "investigation", _("Investigation")


class TimelineEntry(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("at"), db_index=True)
    event = models.CharField(_("event"), max_length=20, choices=TimelineEvent.choices)
    actor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        return f"{self.at} {self.event}"


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Group leader (组长)")
    DEPUTY = "deputy", _("Deputy leader (副组长)")
    MEMBER = "member", _("Member (成员)")


class WorkingGroup(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=60)
    leader = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("group leader"),
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "name"], name="one_group_name_per_incident")
        ]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """The 领导小组 (leading group) of an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="incident_roles")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)

    class Meta:
        ordering = ["role", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "person"], name="one_role_per_person")]
        verbose_name = _("leading group member")
        verbose_name_plural = _("leading group")

    def __str__(self) -> str:
        return f"{self.person} {self.get_role_display()}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLAIMED = "claimed", _("Claimed")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class TaskKind(models.TextChoices):
    PLAN_STEP = "plan_step", _("Plan step")
    REGULATOR_REPORT = "regulator_report", _("Report to the regulator")
    AD_HOC = "ad_hoc", _("Ad hoc")


class Task(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices, default=TaskKind.PLAN_STEP)
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(default=0)
    title = models.TextField(_("action"))
    position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible position"),
    )
    group = models.ForeignKey(
        WorkingGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("working group"),
    )
    candidates = models.ManyToManyField(
        Person, blank=True, related_name="candidate_tasks", verbose_name=_("who may do it")
    )
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tasks",
        verbose_name=_("claimed by"),
    )
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    branch = models.CharField(_("branch"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField(_("created"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    leader_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "order", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=models.Q(status__in=["open", "claimed"]), name="task_due_pending"
            )
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title[:40]


class TerminationRequest(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="termination_requests")
    proposed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    summary = models.TextField(_("why the response can end"))
    decided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("termination request")
        verbose_name_plural = _("termination requests")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.proposed_at}"


class TerminationApproval(models.Model):
    """One approval a termination needs (004 第十六、十七条: 经领导小组和大厦安全保卫负责人批准): a slot the
    plan version names, filled by a holder of that position at that unit (or by the incident's 组长).
    The slots are written when termination is proposed, so what was asked stays on the record even if
    the plan or the people change while it waits."""

    request = models.ForeignKey(TerminationRequest, on_delete=models.CASCADE, related_name="approvals")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("approver"), max_length=200)
    # "leader": the incident's 组长; otherwise a holder of `position` at `unit` (or its departments).
    role = models.CharField(max_length=10, blank=True)
    position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("time of decision"), null=True, blank=True)
    approved = models.BooleanField(null=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["request", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "order"], name="one_approval_per_slot"),
            # One person fills one slot of a request: "all of them approve" means that many people.
            models.UniqueConstraint(
                fields=["request", "decided_by"],
                condition=models.Q(decided_by__isnull=False),
                name="one_slot_per_approver",
            ),
        ]
        verbose_name = _("termination approval")
        verbose_name_plural = _("termination approvals")

    def __str__(self) -> str:
        return f"{self.request_id} {self.label}"


class LevelChangeRequest(models.Model):
    """Lowering a level below what the rules give (理财预案: 按较高一级处理) waits for the unit above's
    应急管理员 or leader; raising needs nobody."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="level_requests")
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    from_level = models.CharField(_("level before"), max_length=3, choices=Level.choices)
    to_level = models.CharField(_("level asked for"), max_length=3, choices=Level.choices)
    rules_level = models.CharField(_("level by the rules"), max_length=3, choices=Level.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("time of decision"), null=True, blank=True)
    approved = models.BooleanField(null=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"], condition=models.Q(decided_at__isnull=True), name="one_pending_lowering"
            )
        ]
        verbose_name = _("request to lower the level")
        verbose_name_plural = _("requests to lower the level")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.from_level}→{self.to_level}"


class Investigation(models.Model):
    """事后调查 (004 第十九–二十一条). Typed findings; the times are computed from the record."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="investigation")
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    cause = models.TextField(_("cause"), blank=True)
    warnings_in_time = models.BooleanField(_("warnings came in time"), null=True)
    warnings_note = models.TextField(_("about the warnings"), blank=True)
    responsibility = models.JSONField(_("responsible people"), default=list)
    consequences = models.TextField(_("consequences"), blank=True)
    preventive_measures = models.TextField(_("preventive measures"), blank=True)
    # 004 第二十一条(一): besides 缓报 (read off the timestamps), whether the report was 隐瞒 (concealed)
    # or 谎报 (false): findings only a person can make, each with what was found.
    concealed = models.BooleanField(_("concealed (隐瞒)"), null=True)
    concealed_note = models.TextField(_("about the concealment"), blank=True)
    false_report = models.BooleanField(_("false report (谎报)"), null=True)
    false_report_note = models.TextField(_("about the false report"), blank=True)
    # 第二十、二十一条: [{"person": "…", "measure": "…", "police": bool, "note": "…"}]: who is held
    # responsible, the measure taken, and whether the case was handed to 公安.
    accountability = models.JSONField(_("accountability measures"), default=list)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")

    def __str__(self) -> str:
        return self.incident.number


class IncidentLink(models.Model):
    """Two reports of one event (two outlets reporting one run), or related events."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "other"], name="one_link_per_pair")]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return f"{self.incident_id}↔{self.other_id}"
