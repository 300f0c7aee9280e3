"""Measured signals and the warnings they raise (监测预警, 004 第七–九条).

A point is one measurement a system reported for a unit: unique on (unit, metric, source, at), so a
batch sent twice, late or out of order leaves the same series. A rule (data, edited by head office's
应急管理员) watches one measure per unit type or unit; its instance for one (unit, source) is a
`WarningState`, as an alert instance of Prometheus is: the condition holds since a moment, and once it
has held for the rule's minutes a `SignalWarning` is raised. The warning clears when the condition has
been gone for the clearing minutes, and the same condition coming back within the hold-off reopens it
rather than raising another: a flapping signal is one warning, not a storm."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.orgs.models import Person, Position, Unit, UnitType
from yingji.plans.models import EventKind


class Metric(models.TextChoices):
    CALLS_OFFERED = "calls_offered", _("Calls offered")
    CALLS_ANSWERED = "calls_answered", _("Calls answered")
    CALLS_ANSWERED_20S = "calls_answered_20s", _("Calls answered within 20 s")
    AGENTS_LOGGED_IN = "agents_logged_in", _("Agents logged in")
    SYSTEM_STATUS = "system_status", _("System status (1 up, 0 down)")
    QUEUE_LENGTH = "queue_length", _("People queuing")
    LONGEST_WAIT = "longest_wait_minutes", _("Longest wait (minutes)")
    QUEUE_MACHINE_STATUS = "queue_machine_status", _("Queue machine status (1 up, 0 down)")


# Metrics that count what happened in the minute (or any period) starting at the point's time: an
# interval's figure is their sum. The others are readings at that moment.
COUNTS = {Metric.CALLS_OFFERED, Metric.CALLS_ANSWERED, Metric.CALLS_ANSWERED_20S}
STATUSES = {Metric.SYSTEM_STATUS, Metric.QUEUE_MACHINE_STATUS}


# What people read for a source's code (the code an integration puts on its points): 客服中心ACD, not
# "acd". A code not listed here is shown as sent.
SOURCE_NAMES = {
    "acd": _("Call-centre ACD"),
    "cti": _("CTI platform"),
    "queue": _("Queue system"),
    "queue-system": _("Queue system"),
    "qms": _("Queue system"),
    "core": _("Core banking system"),
    "core-banking": _("Core banking system"),
    "health": _("System health check"),
    "health-check": _("System health check"),
}


def source_name(code: str) -> str:
    return str(SOURCE_NAMES.get(code, code))


class Measure(models.TextChoices):
    """What a rule watches, computed from the points."""

    ANSWER_RATE = "answer_rate", _("Answer rate below (%), over 15 minutes")
    SERVICE_LEVEL = "service_level", _("Service level below (%), over 15 minutes")
    SYSTEM_DOWN = "system_down", _("System down")
    QUEUE_LENGTH = "queue_length", _("People queuing above")
    LONGEST_WAIT = "longest_wait", _("Longest wait above (minutes)")
    QUEUE_MACHINE_DOWN = "queue_machine_down", _("Queue machine down")
    NO_DATA = "no_data", _("No data from the source")


# The metrics each measure reads; a batch is evaluated only against the rules whose metrics it carries.
MEASURE_METRICS: dict[str, set[str]] = {
    Measure.ANSWER_RATE: {Metric.CALLS_OFFERED, Metric.CALLS_ANSWERED},
    Measure.SERVICE_LEVEL: {Metric.CALLS_OFFERED, Metric.CALLS_ANSWERED_20S},
    Measure.SYSTEM_DOWN: {Metric.SYSTEM_STATUS},
    Measure.QUEUE_LENGTH: {Metric.QUEUE_LENGTH},
    Measure.LONGEST_WAIT: {Metric.LONGEST_WAIT},
    Measure.QUEUE_MACHINE_DOWN: {Metric.QUEUE_MACHINE_STATUS},
    Measure.NO_DATA: set(Metric.values),  # any point from the source says it reports again
}
BELOW = {Measure.ANSWER_RATE, Measure.SERVICE_LEVEL}
DOWN = {Measure.SYSTEM_DOWN, Measure.QUEUE_MACHINE_DOWN}


class WarningLevel(models.TextChoices):
    """预警级别 as in national practice: 红 the gravest."""

    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


LEVEL_ORDER = {WarningLevel.RED: 0, WarningLevel.ORANGE: 1, WarningLevel.YELLOW: 2, WarningLevel.BLUE: 3}


class RuleAction(models.TextChoices):
    NOTIFY = "notify", _("Tell the people named")
    PROPOSE = "propose", _("Propose an incident to the leadership group")
    OPEN_INCIDENT = "open_incident", _("Open an incident automatically")


class Integration(models.Model):
    """A system that reports signals (the call centre's ACD, an outlet's queue system, core banking's
    health check) with a token of its own, scoped to the units it may report for and the units below
    them. Its contact is the person in whose name a warning it caused reports an incident."""

    class Kind(models.TextChoices):
        ACD = "acd", _("Call-centre ACD")
        QUEUE_SYSTEM = "queue_system", _("Outlet queue system")
        HEALTH_CHECK = "health_check", _("System health check")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    units = models.ManyToManyField(Unit, related_name="+", verbose_name=_("reports for"))
    contact = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact"))
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("token"), max_length=12)
    created_at = models.DateTimeField(_("issued"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("signal integration")
        verbose_name_plural = _("signal integrations")

    def __str__(self) -> str:
        return self.name


class SignalPoint(models.Model):
    id = models.BigAutoField(primary_key=True)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("metric"), max_length=24, choices=Metric.choices)
    source = models.CharField(_("source"), max_length=40)
    at = models.DateTimeField(_("measured at"))
    value = models.FloatField(_("value"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("signal point")
        verbose_name_plural = _("signal points")
        constraints = [
            models.UniqueConstraint(fields=["unit", "metric", "source", "at"], name="signal_point_once"),
        ]

    def __str__(self) -> str:
        return f"{self.metric}={self.value:g} @ {self.at:%Y-%m-%d %H:%M}"


class WarningRule(models.Model):
    name = models.CharField(_("name"), max_length=80)
    measure = models.CharField(_("measure"), max_length=24, choices=Measure.choices)
    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    threshold = models.FloatField(_("threshold"), default=0)
    for_minutes = models.PositiveIntegerField(_("for at least (minutes)"), default=0)
    level = models.CharField(_("level"), max_length=8, choices=WarningLevel.choices)
    action = models.CharField(_("then"), max_length=16, choices=RuleAction.choices, default=RuleAction.NOTIFY)
    event_kind = models.ForeignKey(
        EventKind,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("event kind"),
    )
    reach = models.CharField(
        _("told up to"), max_length=20, choices=UnitType.choices, default=UnitType.BRANCH
    )
    positions = models.ManyToManyField(Position, blank=True, related_name="+", verbose_name=_("also told"))
    bank_own = models.BooleanField(_("set by the bank"), default=True)
    source_note = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["measure", "unit_type", "pk"]
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(unit__isnull=True) & ~models.Q(unit_type=""))
                | (models.Q(unit__isnull=False) & models.Q(unit_type="")),
                name="warning_rule_type_or_unit",
            )
        ]

    def __str__(self) -> str:
        return self.name


class WarningState(models.Model):
    """A rule's instance for one (unit, source): whether its condition holds, since when, and the value
    last computed. Locked while evaluated, so two batches at once move it once."""

    rule = models.ForeignKey(WarningRule, on_delete=models.CASCADE, related_name="states")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40)
    holds = models.BooleanField(default=False)
    since = models.DateTimeField(null=True)
    value = models.FloatField(null=True)
    evaluated_at = models.DateTimeField()
    # A warning of this instance is raised or acknowledged: read with the state, so a batch of normal
    # readings is judged from this one row and nothing else.
    warning_open = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "unit", "source"], name="warning_state_once")]
        indexes = [models.Index(fields=["unit", "source"], name="warning_state_series")]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.unit_id}/{self.source}"


class WarningStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")


ACTIVE = (WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED)


class Proposal(models.TextChoices):
    NONE = "", _("None")
    PENDING = "pending", _("Waiting for the leadership group")
    ACCEPTED = "accepted", _("Accepted: an incident was reported")
    DISMISSED = "dismissed", _("Dismissed")


class SignalWarning(models.Model):
    """预警. Its times are written by the evaluation and never edited: the investigation reads them."""

    rule = models.ForeignKey(WarningRule, on_delete=models.PROTECT, related_name="warnings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    source = models.CharField(_("source"), max_length=40)
    level = models.CharField(_("level"), max_length=8, choices=WarningLevel.choices)
    title = models.CharField(_("warning"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=WarningStatus.choices)
    threshold = models.FloatField(_("threshold"))
    value = models.FloatField(_("value"), null=True)
    worst = models.FloatField(_("worst value"), null=True)
    condition_since = models.DateTimeField(_("condition since"))
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    flaps = models.PositiveIntegerField(_("times it came back"), default=0)
    proposal = models.CharField(
        _("proposal"), max_length=10, choices=Proposal.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warnings",
        verbose_name=_("incident"),
    )
    integration = models.ForeignKey(
        Integration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised while a silence for planned work covered it: recorded, nobody told, no incident opened.
    silence = models.ForeignKey(
        "Silence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
        verbose_name=_("silenced by"),
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        indexes = [models.Index(fields=["status", "raised_at"], name="warning_status_raised")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:warning", kwargs={"pk": self.pk})

    @property
    def source_name(self) -> str:
        return source_name(self.source)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class WarningEvent(models.Model):
    """The warning's own history, as its page shows it."""

    warning = models.ForeignKey(SignalWarning, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class PendingBatch(models.Model):
    """A batch stored by the API and not evaluated yet: the API answers once the points are stored, and
    a job evaluates every pending batch together (monitoring.tasks.evaluate_pending), within seconds."""

    id = models.BigAutoField(primary_key=True)
    integration = models.ForeignKey(Integration, null=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField()
    # The batch as stored: JSON [[unit id, metric, source, at (ISO 8601), value], …].
    points = models.TextField()

    def __str__(self) -> str:
        return f"{self.integration_id}@{self.received_at:%H:%M:%S}"


class SignalSource(models.Model):
    """A source reporting for a unit (e.g. 和谐支行's queue system): when a point of it was last received,
    and when its 数据中断 check is next due."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=40)
    last_seen = models.DateTimeField(_("last point received"))
    check_due = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "source"], name="signal_source_once")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.source}"


class Silence(models.Model):
    """静默 for planned work: warnings it covers are raised and kept, marked silenced, and nobody is told
    and no incident is opened. Set by an 应急管理员 of head office or a branch for units they manage."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    subtree = models.BooleanField(_("and the units below it"), default=True)
    measure = models.CharField(_("measure"), max_length=24, choices=Measure.choices, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True)
    starts_at = models.DateTimeField(pgettext_lazy("silence", "from"))
    ends_at = models.DateTimeField(pgettext_lazy("silence", "until"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    created_at = models.DateTimeField(_("set at"))
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("ended by")
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("silence")
        verbose_name_plural = _("silences")
        indexes = [models.Index(fields=["ends_at"], name="silence_ends")]

    def __str__(self) -> str:
        return f"{self.unit} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"

    @property
    def source_name(self) -> str:
        return source_name(self.source)

    def until(self):
        return self.ended_at if self.ended_at and self.ended_at < self.ends_at else self.ends_at

    def covers(self, *, unit: Unit, measure: str, source: str, at) -> bool:
        if not (self.starts_at <= at < self.until()):
            return False
        if self.measure and self.measure != measure:
            return False
        if self.source and self.source != source:
            return False
        if self.unit_id == unit.pk:
            return True
        return self.subtree and unit.path.startswith(self.unit.path)
