"""Plan readiness: each person's acknowledgement of their role card in a plan version, their quiz
attempts, and the course of seed 003 (the eight kinds of outlet emergencies).

An acknowledgement belongs to one plan version: once a newer version is approved, the old one no longer
counts, because every read asks for the plan's current (approved) version. Nothing has to hook into
publishing, so no publication can be missed."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Acknowledgement(models.Model):
    """A person read their card — their position's steps in one plan version — and confirmed it."""

    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.CASCADE,
        related_name="plan_acknowledgements",
        verbose_name=_("person"),
    )
    version = models.ForeignKey(
        "plans.PlanVersion",
        on_delete=models.CASCADE,
        related_name="acknowledgements",
        verbose_name=_("version"),
    )
    position = models.ForeignKey(
        "orgs.Position", on_delete=models.PROTECT, related_name="+", verbose_name=_("position")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"))

    class Meta:
        ordering = ["-acknowledged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "version", "position"], name="one_ack_per_card"),
        ]
        verbose_name = _("role card acknowledgement")
        verbose_name_plural = _("role card acknowledgements")

    def __str__(self) -> str:
        return f"{self.person} · {self.version} · {self.position}"


class Subject(models.TextChoices):
    PLAN = "plan", _("Plan")
    COURSE = "course", _("Course")


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("Being answered")
    SUBMITTED = "submitted", _("Submitted")


class QuizAttempt(models.Model):
    """One try at a quiz. The questions (with their answers) are generated from a seed when it starts and
    kept, so the score is always against what the person was shown; attempts are never deleted."""

    person = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="quiz_attempts", verbose_name=_("person")
    )
    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices, default=Subject.PLAN)
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("plan"),
    )
    version = models.ForeignKey(
        "plans.PlanVersion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("version"),
    )
    seed = models.PositiveIntegerField(_("seed"))
    questions = models.JSONField(_("questions"), default=list)
    answers = models.JSONField(_("answers"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.OPEN
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"))
    passed = models.BooleanField(_("passed"), default=False)
    started_at = models.DateTimeField(_("started"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["person", "plan", "passed"], name="quiz_person_plan_passed")]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")

    def __str__(self) -> str:
        return f"{self.person} · {self.plan or self.get_subject_display()} · {self.started_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("readiness:attempt", kwargs={"pk": self.pk})

    @property
    def unit(self):
        return self.person.unit


class CourseKind(models.Model):
    """One of the eight kinds of outlet emergencies the course of seed 003 teaches: its causes and the
    response points, linked to the event kinds whose plans cover it. Shipped data, editable in the admin;
    `load_readiness_course` brings the shipped text back without duplicating anything."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    summary = models.TextField(_("what it is"), blank=True)
    causes = models.JSONField(_("causes"), default=list)
    points = models.JSONField(_("response points"), default=list)
    event_kinds = models.ManyToManyField(
        "plans.EventKind", blank=True, related_name="course_kinds", verbose_name=_("event kinds")
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("course: kind of outlet emergency")
        verbose_name_plural = _("course: kinds of outlet emergencies")

    def __str__(self) -> str:
        return self.name
