"""Security education and training (安全教育与培训, seed 001: "全年按季度将员工安全教育、消防教育、拒腐防变
警示教育列入安全保卫工作重点"): sessions of a kind at a unit, given by a trainer (内训师, or an outside
trainer by name), with their materials and the staff expected; attendance signed in on a phone during the
session's time window, or marked by the trainer afterwards with a reason. How often each unit type holds
each kind is the bank's own schedule (`Cadence`, 本行设定)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.orgs.models import Person, Unit, UnitType

QUARTERLY_SAFETY = "quarterly_safety"  # the kind whose attendance the quarterly coverage counts


class SessionKind(models.Model):
    """A kind of session: 季度安全教育, 消防教育, 拒腐防变警示教育 are shipped; the bank adds others."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("session kind")
        verbose_name_plural = _("session kinds")

    def __str__(self) -> str:
        return self.name


class Cadence(models.Model):
    """本行设定: a unit of `unit_type` holds a session of `kind` every `every_months` months (3: each
    quarter). A unit that has not held one is warned before its period ends."""

    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices)
    kind = models.ForeignKey(
        SessionKind, on_delete=models.CASCADE, related_name="cadences", verbose_name=_("kind")
    )
    every_months = models.PositiveSmallIntegerField(_("every (months)"), default=3)

    class Meta:
        ordering = ["unit_type", "kind__sort_order"]
        constraints = [models.UniqueConstraint(fields=["unit_type", "kind"], name="training_cadence_unique")]
        verbose_name = _("training schedule")
        verbose_name_plural = _("training schedules")

    def __str__(self) -> str:
        return f"{self.get_unit_type_display()} · {self.kind} · {self.every_months}"


class Status(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("training", "Planned")
    HELD = "held", pgettext_lazy("training", "Held")
    RECORDED = "recorded", pgettext_lazy("training", "Recorded")
    CANCELLED = "cancelled", pgettext_lazy("training", "Cancelled")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.HELD, Status.CANCELLED}),
    Status.HELD: frozenset({Status.RECORDED}),
}
TOOK_PLACE = (Status.HELD, Status.RECORDED)


class Session(models.Model):
    kind = models.ForeignKey(SessionKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    trainer = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("trainer")
    )
    trainer_name = models.CharField(_("outside trainer"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    planned_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    planned_at = models.DateTimeField(_("planned at"))
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["unit", "starts_at"])]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.kind} · {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("training:session", kwargs={"pk": self.pk})

    @property
    def trainer_display(self) -> str:
        return self.trainer.name if self.trainer_id and self.trainer else self.trainer_name


class How(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in on a phone")
    MARKED = "marked", _("Marked by the trainer")


class Attendance(models.Model):
    """One person expected at a session; `attended_at` set when they signed in or were marked present."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)
    how = models.CharField(_("how"), max_length=12, choices=How.choices, blank=True)
    marked_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["person__unit__path", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_attendance_unique")
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")

    def __str__(self) -> str:
        return f"{self.session_id} · {self.person}"

    @property
    def attended(self) -> bool:
        return self.attended_at is not None


class Material(models.Model):
    """A file of a session (slides, a handout), stored under YINGJI_VAR_DIR/uploads/training/ by a name the
    product chose; its type told by its content."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("file name"), max_length=120)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("training material")
        verbose_name_plural = _("training materials")

    def __str__(self) -> str:
        return self.name
