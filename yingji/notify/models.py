"""Notices and their deliveries. A notice is about a subject (an incident today; a complaint, a drill or a
warning later) at a unit, for one person, and asks for acknowledgement by a deadline; each channel's
delivery is its own row, claimed and recorded once however often its job runs."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.orgs.models import Person, Position, Unit, UnitType


class NotificationRule(models.Model):
    """Who is told of an event of a level: up to which unit of the tree, which positions on the way,
    how long they have to acknowledge, and whether the regulator must be told."""

    level = models.CharField(_("level"), max_length=3, unique=True)
    reach = models.CharField(
        _("told up to"),
        max_length=20,
        choices=[
            (UnitType.SUB_BRANCH, _("Sub-branch")),
            (UnitType.BRANCH, _("Branch")),
            (UnitType.HEAD_OFFICE, _("Head office")),
        ],
    )
    positions = models.ManyToManyField(
        Position,
        related_name="+",
        verbose_name=_("positions told"),
        help_text=_("Besides every unit head and the leader on duty."),
    )
    ack_minutes = models.PositiveIntegerField(_("minutes to acknowledge"))
    regulator_report = models.BooleanField(_("report to the regulator"), default=False)
    late_report_minutes = models.PositiveIntegerField(
        _("first report late after (minutes)"),
        default=30,
        help_text=_("A first report later than this after the event is flagged 缓报."),
    )

    class Meta:
        ordering = ["level"]
        verbose_name = _("notification rule")
        verbose_name_plural = _("notification rules")

    def __str__(self) -> str:
        return self.level

    @property
    def level_label(self) -> str:
        from yingji.plans.models import Level

        return str(Level(self.level).label)


class KindNotificationRule(models.Model):
    """What one kind adds to its level's rule: more positions, and the regulator duty for kinds like
    挤兑, 抢劫, 围堵 whatever their level."""

    kind = models.OneToOneField("plans.EventKind", on_delete=models.CASCADE, related_name="notification_rule")
    positions = models.ManyToManyField(
        Position, blank=True, related_name="+", verbose_name=_("extra positions told")
    )
    regulator_report = models.BooleanField(_("always report to the regulator"), default=False)

    class Meta:
        verbose_name = _("notification rule of a kind")
        verbose_name_plural = _("notification rules of kinds")

    def __str__(self) -> str:
        return str(self.kind)


class RegulatorDeadline(models.Model):
    """Regions differ in how soon the regulator must hear: a branch may set its own deadline."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="regulator_deadline")
    minutes = models.PositiveIntegerField(_("minutes after the first report"))

    class Meta:
        verbose_name = _("regulator reporting deadline")
        verbose_name_plural = _("regulator reporting deadlines")

    def __str__(self) -> str:
        return f"{self.unit}: {self.minutes}"


class Notice(models.Model):
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=200)
    reason = models.CharField(_("why you were told"), max_length=200)
    created_at = models.DateTimeField(_("sent"))
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations"
    )
    # Its subject ended (terminated, cancelled, closed) before anyone acknowledged: it stops asking and
    # is never escalated, but stays on the record with why (services.withdraw).
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why it was withdrawn"), max_length=200, blank=True)
    # One notice per subject, person and round: a retried job or a double submit cannot send it twice.
    key = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["recipient", "acknowledged_at"]),
            # "What is overdue" is a range scan over the unacknowledged ones.
            models.Index(
                fields=["ack_due_at"],
                condition=models.Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
                name="notice_ack_pending",
            ),
        ]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient}"

    @property
    def awaits_acknowledgement(self) -> bool:
        return self.acknowledged_at is None and self.withdrawn_at is None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (no address)")
    # Its worker died while sending: whether the channel took it is not known. It is sent again with
    # the same delivery key by a live worker (yingji.core.workers).
    UNKNOWN = "unknown", _("Outcome unknown: being sent again by another worker")


class Delivery(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The worker sending it (yingji.core.jobs.current_worker); "" when sent outside a worker.
    claimed_by = models.CharField(max_length=64, blank=True)
    # When a live worker took it over from a dead one: the first send's outcome is not known.
    taken_over_at = models.DateTimeField(_("taken over"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "channel"], name="one_delivery_per_channel")]
        indexes = [
            # What the reaper looks at every few seconds: the few deliveries being sent right now.
            models.Index(
                fields=["claimed_at"], condition=models.Q(status="sending"), name="delivery_sending"
            ),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.notice_id} {self.channel} {self.status}"

    @property
    def key(self) -> str:
        """The delivery's own key, the same on every attempt: the message id a channel deduplicates on
        (the SMS gateway's message id, the e-mail's Message-ID), so a copy sent again after a worker
        died shows once where the channel allows it."""
        digest = hashlib.sha256(self.notice.key.encode()).hexdigest()[:12]
        return f"yj-{self.pk}-{digest}"

    @property
    def channel_label(self) -> str:
        if self.channel.startswith("webhook:"):
            return str(pgettext_lazy("channel", "Group robot"))
        labels = {"email": pgettext_lazy("channel", "E-mail"), "sms": pgettext_lazy("channel", "SMS")}
        return str(labels.get(self.channel, self.channel))

    @property
    def outcome(self) -> str:
        """What the notice page says about this copy: a copy taken over from a dead worker says so."""
        if self.status == DeliveryStatus.SENT and self.taken_over_at:
            return str(
                _("Sent (outcome of the first attempt unknown: taken over and sent again by another worker)")
            )
        return str(self.get_status_display())


class Webhook(models.Model):
    """A group robot (企业微信 or 钉钉) a unit's notices are also posted to."""

    KINDS = [("wecom", _("WeCom group robot")), ("dingtalk", _("DingTalk group robot"))]
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="webhooks")
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    url = models.URLField(_("robot address"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")

    def __str__(self) -> str:
        return f"{self.unit} {self.kind}"


class RulesVersion(models.Model):
    """One row whose token changes whenever anything a report reads from the rules changes (event kinds,
    level rules, notification rules, positions, regulator deadlines, group robots), so every process
    reads its cached copy again at its next report (see `rulebook`)."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("rules version")
        verbose_name_plural = _("rules versions")

    def __str__(self) -> str:
        return self.token
