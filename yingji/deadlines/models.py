"""A running clock on any record (a complaint's decision, a work order's report, later a drill's
corrective action): when it falls due, how much of it has passed, whether it is paused, and which of
its checkpoints (reminders at 50 % and 80 %, overdue, escalation upward) have fired. Firing is
recorded on the row under its lock, so a checkpoint fires once however often its job runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.orgs.models import Person, Unit


class Deadline(models.Model):
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    name = models.CharField(_("deadline"), max_length=40)
    label = models.CharField(_("what is due"), max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owner")
    )
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    source = models.TextField(_("rule"), blank=True)
    # Percentages of the allowed time at which the owner is reminded (催办).
    reminders = models.JSONField(default=list)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    fired = models.JSONField(default=list)
    next_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "name"], name="one_deadline_per_name"
            )
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            # "What is overdue" and "what fires next" are range scans over the running ones.
            models.Index(
                fields=["due_at"],
                condition=models.Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_running_due",
            ),
        ]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.name}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None
