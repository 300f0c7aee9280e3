"""One register of corrective actions (整改), whatever found the weakness: a drill's evaluation, an
inspection, an incident's investigation. A finding says what is wrong; a corrective action says who
fixes it by when. They are many-to-many (as CISO Assistant links applied controls to findings): one
measure may answer findings of several drills, and a finding may need several measures."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.orgs.models import Person, Unit


class SourceType(models.TextChoices):
    DRILL = "drill", _("Drill")
    INSPECTION = "inspection", _("Inspection")
    INVESTIGATION = "investigation", _("Incident investigation")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    """The kinds of problem a drill evaluation names (seed 000: 预案针对性和可操作性不够强 …)."""

    PLAN = "plan", _("Plan relevance and practicability")
    FREQUENCY = "frequency", _("Drill frequency and scope")
    PROCEDURE = "procedure", _("Handling procedure and standards")
    COORDINATION = "coordination", _("Coordination")
    SKILLS = "skills", _("Staff skills")
    FACILITIES = "facilities", _("Facilities and equipment")
    SYSTEMS = "systems", _("Information systems")
    OTHER = "other", _("Other problem")


class Grade(models.TextChoices):
    DEFICIENCY = "deficiency", _("Deficiency")
    RECTIFICATION = "rectification", _("Rectification item")
    IMPROVEMENT = "improvement", _("Improvement item")


# Most severe first: an action answering several findings takes the deadline of the gravest.
GRADE_ORDER = [Grade.DEFICIENCY, Grade.RECTIFICATION, Grade.IMPROVEMENT]


class Finding(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    # What found it, without a foreign key to each app that may: a drill, an inspection, an incident.
    source_type = models.CharField(_("source"), max_length=16, choices=SourceType.choices)
    source_id = models.CharField(_("source number"), max_length=64, blank=True)
    source_label = models.CharField(_("found in"), max_length=200)
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("plan"),
    )
    plan_step = models.ForeignKey(
        "plans.Step",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("plan step"),
    )
    # The draft version of the plan this finding opened, so the plan's next version answers it.
    plan_draft = models.ForeignKey(
        "plans.PlanVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
        verbose_name=_("plan draft opened"),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    text = models.TextField(_("finding"))
    found_at = models.DateTimeField(_("found at"))
    recorded_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    # Findings with the same key are one weakness seen again (in another drill, at another unit).
    recurrence_key = models.CharField(_("recurrence key"), max_length=120, db_index=True)

    class Meta:
        ordering = ["-found_at", "-pk"]
        indexes = [models.Index(fields=["source_type", "source_id"])]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("corrective:finding", kwargs={"pk": self.pk})


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("corrective", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done, to verify")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", pgettext_lazy("corrective", "Cancelled")


# The one table of moves. "done → open" is a failed verification: a later drill rated it M or U.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.DONE, Status.CANCELLED}),
    Status.DONE: frozenset({Status.VERIFIED, Status.OPEN}),
}
RUNNING = frozenset({Status.OPEN, Status.IN_PROGRESS})


class Rating(models.TextChoices):
    """HSEEP's ratings of a critical task; P and S verify a corrective action, M and U do not."""

    P = "P", _("P: performed without challenges")
    S = "S", _("S: performed with some challenges")
    M = "M", _("M: performed with major challenges")
    U = "U", _("U: unable to be performed")


VERIFYING = frozenset({Rating.P, Rating.S})


class CorrectiveAction(models.Model):
    findings = models.ManyToManyField(Finding, related_name="actions", verbose_name=_("findings"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    text = models.TextField(_("corrective action"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    due_at = models.DateTimeField(_("due"), db_index=True)
    due_rule = models.CharField(_("deadline rule"), max_length=200, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    created_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    created_at = models.DateTimeField(_("opened at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_by_source = models.CharField(_("verified in"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("corrective:action", kwargs={"pk": self.pk})


class ActionEvent(models.Model):
    """What happened to an action, for its page: each move, each reminder and escalation."""

    action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("acted by")
    )
    text = models.TextField(_("what happened"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("corrective action event")
        verbose_name_plural = _("corrective action events")

    def __str__(self) -> str:
        return self.text[:60]
