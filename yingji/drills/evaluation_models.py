"""A drill's evaluation, report and the bank's drill requirements (HSEEP: exercise evaluation guides,
hot wash, after-action report; seed 002's 评估会议 with regulators, experts and customer representatives).

Ratings are append-only: re-rating during the run adds a row and the latest counts; once the drill has
ended a new row is a correction that says why, so what the evaluators saw on the day is never rewritten."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.corrective.models import Rating
from yingji.orgs.models import UnitType


class ActionRating(models.Model):
    """An evaluator's rating of one expected action, P/S/M/U with notes."""

    expected_action = models.ForeignKey(
        "drills.ExpectedAction", on_delete=models.CASCADE, related_name="ratings"
    )
    evaluator = models.ForeignKey("drills.Participant", on_delete=models.CASCADE, related_name="ratings")
    rating = models.CharField(_("rating"), max_length=1, choices=Rating.choices)
    note = models.TextField(_("notes"), blank=True)
    at = models.DateTimeField(_("rated at"))
    # Set on a rating given after the drill ended: it corrects the evaluator's earlier one, and says why.
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["expected_action", "at", "pk"]
        verbose_name = _("action rating")
        verbose_name_plural = _("action ratings")

    def __str__(self) -> str:
        return f"{self.expected_action_id} {self.rating}"


class Evaluation(models.Model):
    """The hot wash (现场点评) right after the run and the evaluation meeting (评估会议) after it."""

    drill = models.OneToOneField("drills.Drill", on_delete=models.CASCADE, related_name="evaluation")
    hot_wash = models.TextField(_("hot wash"), blank=True)
    hot_wash_at = models.DateTimeField(_("hot wash held"), null=True, blank=True)
    meeting_at = models.DateTimeField(_("evaluation meeting"), null=True, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    lead_evaluator = models.ForeignKey(
        "drills.Participant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead evaluator"),
    )
    strengths = models.TextField(_("strengths"), blank=True)
    # Fixed when the lead evaluator concludes: the score, the table it was converted by (本行设定 at
    # that moment) and the pass mark, so a later change of the settings does not rewrite a concluded drill.
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    score_table = models.JSONField(_("score table"), default=dict, blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return str(self.drill)


class MeetingAttendee(models.Model):
    """Who sat in the evaluation meeting, by category (staff, regulator, expert, customer representative)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="attendees")
    participant = models.ForeignKey(
        "drills.Participant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=30)

    class Meta:
        ordering = ["evaluation", "category", "pk"]
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")

    def __str__(self) -> str:
        return self.name


class ObjectiveRating(models.Model):
    """The lead evaluator's final rating of an objective, reconciled from the evaluators' ratings.
    Append-only like ActionRating."""

    objective = models.ForeignKey("drills.Objective", on_delete=models.CASCADE, related_name="ratings")
    rating = models.CharField(_("rating"), max_length=1, choices=Rating.choices)
    note = models.TextField(_("notes"), blank=True)
    at = models.DateTimeField(_("rated at"))
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["objective", "at", "pk"]
        verbose_name = _("objective rating")
        verbose_name_plural = _("objective ratings")

    def __str__(self) -> str:
        return f"{self.objective_id} {self.rating}"


class FindingLink(models.Model):
    """Ties a finding of the corrective register (which knows no drills) to the drill, and to the expected
    action or objective it is about, so the drill shows its findings and a U is not proposed twice."""

    drill = models.ForeignKey("drills.Drill", on_delete=models.CASCADE, related_name="finding_links")
    finding = models.OneToOneField("corrective.Finding", on_delete=models.CASCADE, related_name="drill_link")
    expected_action = models.ForeignKey(
        "drills.ExpectedAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="finding_links",
    )

    class Meta:
        verbose_name = _("drill finding")
        verbose_name_plural = _("drill findings")

    def __str__(self) -> str:
        return f"{self.drill_id} · {self.finding_id}"


class Report(models.Model):
    """The drill report in the shape of the seeds, written (撰稿) and signed off (审签) by another person
    before it is issued."""

    drill = models.OneToOneField("drills.Drill", on_delete=models.CASCADE, related_name="report")
    background = models.TextField(_("background"), blank=True)
    purposes = models.TextField(_("purposes"), blank=True)
    content = models.TextField(_("content"), blank=True)
    process = models.TextField(_("process"), blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    improvements = models.TextField(_("improvements"), blank=True)
    author = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    updated_at = models.DateTimeField(_("updated"))
    submitted_at = models.DateTimeField(_("submitted for sign-off"), null=True, blank=True)
    approver = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    approved_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    returned_reason = models.TextField(_("reason returned"), blank=True)

    class Meta:
        verbose_name = _("drill report")
        verbose_name_plural = _("drill reports")

    def __str__(self) -> str:
        return str(self.drill)


class Requirement(models.Model):
    """How often units of a type must drill (本行设定; seed 000's outlets drill every quarter): for any
    plan, or for one plan."""

    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices)
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("plan"),
    )
    every_months = models.PositiveSmallIntegerField(_("every (months)"), default=3)
    warn_days = models.PositiveSmallIntegerField(_("warn days before the period ends"), default=15)
    active = models.BooleanField(_("in force"), default=True)
    note = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        ordering = ["unit_type", "plan"]
        constraints = [
            models.UniqueConstraint(fields=["unit_type", "plan"], name="one_requirement_per_type_and_plan"),
        ]
        verbose_name = _("drill requirement")
        verbose_name_plural = _("drill requirements")

    def __str__(self) -> str:
        return f"{self.get_unit_type_display()} · {self.every_months}"
