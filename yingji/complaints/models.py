"""The complaint register (投诉台账): one row per complaint from any channel, its work orders, the
decision and its notice to the customer, extensions, pauses, callbacks and the knowledge base. The
15/30/60-day decision deadline is stored on the row and indexed, so "overdue now" is a range scan."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.orgs.models import Person, Unit


class Channel(models.TextChoices):
    COUNTER = "counter", _("Counter (in person)")
    HOTLINE = "hotline", _("Customer-service hotline")
    AID_PHONE = "aid_phone", _("Customer-aid phone")
    SUPERVISION_PHONE = "supervision_phone", _("Service-supervision phone")
    OPINION_BOOK = "opinion_book", _("Customer opinion book")
    QUALITY_SUPERVISOR = "quality_supervisor", _("Service-quality supervisor")
    LETTER = "letter", pgettext_lazy("complaint channel", "Letter")
    WEBSITE = "website", _("Website")
    EBANKING = "ebanking", _("E-banking")
    EMAIL = "email", _("E-mail")
    REGULATOR = "regulator", _("Regulator or consumer association referral")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestion")
    PROBLEM = "problem", _("Problem")
    MALICIOUS = "malicious", _("Malicious")


class MajorCause(models.TextChoices):
    NONE = "", _("None")
    DISASTER = "disaster", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    PUBLIC_HEALTH = "public_health", _("Public-health event")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    HANDLING = "handling", _("Being handled")
    PAUSED = "paused", _("Paused")
    PENDING_REVIEW = "pending_review", _("Awaiting review")
    RETURNED = "returned", _("Sent back")
    APPROVED = "approved", _("Approved, to reply")
    REPLIED = "replied", _("Replied")
    CALLED_BACK = "called_back", _("Called back")
    ARCHIVED = "archived", _("Archived")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVIEWING = "reviewing", _("Under review")


S = Status
# The one table of allowed moves. Withdrawal ends the procedure from any state before the decision.
TRANSITIONS = {
    S.REGISTERED: {S.ASSIGNED, S.HANDLING, S.WITHDRAWN},
    S.ASSIGNED: {S.HANDLING, S.ASSIGNED, S.WITHDRAWN},
    S.HANDLING: {S.PAUSED, S.PENDING_REVIEW, S.ASSIGNED, S.WITHDRAWN},
    S.PAUSED: {S.HANDLING, S.WITHDRAWN},
    S.PENDING_REVIEW: {S.APPROVED, S.RETURNED, S.WITHDRAWN},
    S.RETURNED: {S.PENDING_REVIEW, S.PAUSED, S.ASSIGNED, S.WITHDRAWN},
    S.APPROVED: {S.REPLIED, S.RETURNED, S.WITHDRAWN},
    S.REPLIED: {S.CALLED_BACK, S.REVIEWING, S.ARCHIVED},
    S.CALLED_BACK: {S.ARCHIVED, S.HANDLING, S.REVIEWING},
    S.ARCHIVED: {S.REVIEWING},
    S.REVIEWING: {S.REPLIED},
    S.WITHDRAWN: set(),
}
# Before the decision the 15/30/60-day clock runs; these are the states it runs in.
OPEN_STATUSES = (S.REGISTERED, S.ASSIGNED, S.HANDLING, S.PAUSED, S.PENDING_REVIEW, S.RETURNED, S.APPROVED)
DONE_STATUSES = (S.REPLIED, S.CALLED_BACK, S.ARCHIVED, S.WITHDRAWN)


class Category(models.Model):
    """JR/T 0169-2018's axes: the business the complaint is about, and its cause. The standard's
    entries ship; staff add their own under them."""

    class Axis(models.TextChoices):
        BUSINESS = "business", _("Business type")
        CAUSE = "cause", _("Cause")

    axis = models.CharField(_("axis"), max_length=10, choices=Axis.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_standard = models.BooleanField(_("from the standard"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["axis", "sort_order", "code"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self) -> str:
        return self.name


class Complaint(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    registered_at = models.DateTimeField(_("registered at"))
    # The unit that registered it and answers for it; visibility follows this unit.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("unit")
    )
    # 首问负责: the first receiver owns it until a work order hands it on.
    receiver = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="complaints_received", verbose_name=_("received by")
    )
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="complaints_owned", verbose_name=_("responsible")
    )
    handling_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="complaints_handled", verbose_name=_("handled by")
    )
    customer_name = models.CharField(pgettext_lazy("person", "Name"), max_length=50, db_index=True)
    customer_phone = models.CharField(_("customer phone"), max_length=20, blank=True, db_index=True)
    customer_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    subject_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
        verbose_name=_("institution complained about"),
    )
    staff_complained = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
        verbose_name=_("staff complained about"),
    )
    staff_complained_name = models.CharField(_("staff complained about (as told)"), max_length=50, blank=True)
    business = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"axis": Category.Axis.BUSINESS},
        verbose_name=_("business type"),
    )
    cause = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"axis": Category.Axis.CAUSE},
        verbose_name=_("cause"),
    )
    request = models.TextField(_("what the customer asks"), blank=True)
    content = models.TextField(_("facts"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PROBLEM)
    joint_count = models.PositiveIntegerField(_("complainants"), default=1)
    major_cause = models.CharField(
        _("caused by"), max_length=15, choices=MajorCause.choices, blank=True, default=""
    )
    is_major = models.BooleanField(_("major complaint"), default=False)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("incident"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    # The decision clock: started at receipt (or at new facts), 15 days, extended to 30 and 60.
    clock_started_at = models.DateTimeField(_("period counted from"))
    period_days = models.PositiveSmallIntegerField(_("days allowed"), default=15)
    decision_due_at = models.DateTimeField(_("decision due"))
    decision_rule = models.TextField(_("how the deadline was counted"), blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    replied_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    review_due_at = models.DateTimeField(_("review decision due"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, blank=True)
    # Seed 001's internal steps that are actions with their own time: the 问题型 proposal's 24 hours run
    # from the face-to-face meeting, the 恶意 result goes to the general manager within 2 working days.
    met_customer_at = models.DateTimeField(_("met the customer at"), null=True, blank=True)
    reported_to_leader_at = models.DateTimeField(_("result reported to the leader at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats"
    )
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            # "Overdue now": open complaints by due time, for the whole bank or one unit.
            models.Index(
                fields=["decision_due_at"],
                condition=models.Q(status__in=list(OPEN_STATUSES)),
                name="complaint_open_due",
            ),
            models.Index(
                fields=["unit", "decision_due_at"],
                condition=models.Q(status__in=list(OPEN_STATUSES)),
                name="complaint_unit_open_due",
            ),
            # "Overdue now" as the selectors ask it (not merged): counted from the index alone, the units
            # in it so a branch's scope is tested without reading the rows.
            models.Index(
                fields=["decision_due_at", "unit", "handling_unit"],
                condition=models.Q(status__in=list(OPEN_STATUSES), merged_into__isnull=True),
                name="complaint_listed_open_due",
            ),
            # The same for the unit a work order handed it to (selectors.scope tests both).
            models.Index(
                fields=["handling_unit", "decision_due_at"],
                condition=models.Q(status__in=list(OPEN_STATUSES)),
                name="complaint_handling_open_due",
            ),
            models.Index(fields=["unit", "-received_at"], name="complaint_unit_received"),
            models.Index(fields=["-received_at", "-id"], name="complaint_received"),
            # The list filtered by status (and channel, kind) and its count: on PostgreSQL an index-only
            # scan; the units are in it so a branch's scope is tested without reading the rows.
            models.Index(
                fields=["status", "-received_at", "channel", "kind", "unit", "handling_unit"],
                condition=models.Q(merged_into__isnull=True),
                name="complaint_status_received",
            ),
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", kwargs={"number": self.number})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class YearCounter(models.Model):
    """The last complaint number of a year: TS-2026-000123."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Event(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Work order issued")
    ACCEPTED = "accepted", _("Work order accepted")
    PAUSED = "paused", _("Clock paused")
    RESUMED = "resumed", _("Clock resumed")
    NEW_FACTS = "new_facts", _("New facts; clock restarted")
    EXTENDED = "extended", _("Deadline extended")
    PROPOSED = "proposed", _("Proposal submitted")
    RETURNED = "returned", _("Sent back")
    APPROVED = "approved", _("Approved")
    REPLIED = "replied", _("Decision delivered")
    CALLED_BACK = "called_back", _("Called back")
    REOPENED = "reopened", _("Reopened")
    ARCHIVED = "archived", _("Archived")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVIEW = "review", _("Review requested")
    MERGED = "merged", _("Repeat merged")
    REMINDED = "reminded", _("Reminder")
    OVERDUE = "overdue", _("Overdue")
    MAJOR = "major", _("Major complaint: incident opened")
    MET = "met", _("Met the customer face to face")
    RECLASSIFIED = "reclassified", _("Turned into a malicious complaint")
    REPORTED = "reported", _("Result reported to the general manager")
    ESCALATED = "escalated", _("Escalated to a reputation incident")
    NOTE = "note", _("Note")


class ComplaintEvent(models.Model):
    """The complaint's record, in order. Written by the services only."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    event = models.CharField(_("event"), max_length=16, choices=Event.choices)
    actor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("what happened"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.event}"


class WorkOrder(models.Model):
    """对口处理: the complaint handed to the department or outlet responsible; it accepts,
    investigates and proposes."""

    class State(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("work order", "Issued")
        ACCEPTED = "accepted", pgettext_lazy("work order", "Accepted")
        PROPOSED = "proposed", pgettext_lazy("work order", "Proposed")
        CLOSED = "closed", pgettext_lazy("work order", "Superseded")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="work_orders")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    assignee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("handler")
    )
    issued_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued"))
    instructions = models.TextField(_("instructions"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ISSUED)
    accepted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    proposal = models.TextField(_("proposal"), blank=True)
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.to_unit_id}"


class Extension(models.Model):
    """A complex complaint's extension: to 30 days, then (especially complex) 30 more with a
    superior's approval; each says who approved, why, and when the customer was told."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="extensions")
    to_days = models.PositiveSmallIntegerField(_("days allowed after"))
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"))
    customer_told_at = models.DateTimeField(_("customer told at"))
    customer_told_how = models.CharField(_("customer told by"), max_length=100)
    new_due_at = models.DateTimeField(_("new deadline"))

    class Meta:
        ordering = ["approved_at", "pk"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.to_days}"


class Pause(models.Model):
    class Reason(models.TextChoices):
        APPRAISAL = "appraisal", _("Appraisal (鉴定)")
        TESTING = "testing", _("Testing (检测)")
        ASSESSMENT = "assessment", _("Assessment (评估)")
        MEDIATION = "mediation", _("Mediation")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.reason}"


class Decision(models.Model):
    """The decision notice (处理决定): findings, basis, remedy, and how and when the customer got it.
    A review's decision is a second row."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="decisions")
    is_review = models.BooleanField(_("review decision"), default=False)
    findings = models.TextField(_("findings"))
    basis = models.TextField(_("basis"))
    remedy = models.TextField(_("remedy"), blank=True)
    delivered_how = models.CharField(_("delivered by"), max_length=20)
    delivered_at = models.DateTimeField(_("delivered at"))
    decided_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    on_time = models.BooleanField(_("on time"))

    class Meta:
        ordering = ["delivered_at", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.delivered_at:%Y-%m-%d}"


class Callback(models.Model):
    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        FAIRLY = "fairly", _("Fairly satisfied")
        UNSATISFIED = "unsatisfied", _("Not satisfied")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="callbacks")
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    note = models.TextField(_("what the customer said"), blank=True)
    called_at = models.DateTimeField(_("called at"))
    called_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["called_at", "pk"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.satisfaction}"


class KnowledgeEntry(models.Model):
    """What front-line staff search on the phone: a question, the approved answer, its category."""

    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("approved answer"))
    business = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("business type"),
    )
    source = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("from")
    )
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    created_at = models.DateTimeField(_("created"))
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge base")

    def __str__(self) -> str:
        return self.question


class ImportRun(models.Model):
    """One Excel batch of complaints: all rows or none; the errors by row; progress for the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.DONE, Status.FAILED},
    }

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(blank=True, default=b"", editable=False)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("complaints created"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("complaint import")
        verbose_name_plural = _("complaint imports")

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("complaints:import_status", kwargs={"pk": self.pk})
