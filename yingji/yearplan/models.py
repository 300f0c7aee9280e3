"""The annual security work plan (年度工作计划, seed 001): a shipped template of phases and dated tasks,
and each unit's plan for a year built from it. A plan is edited while a draft, submitted, and approved by
someone else (a head or leader of the unit or above) before its tasks' clocks start. Each task has an
owner (a person, or a position at a unit), a due date, a status and its evidence: files uploaded or links
to records of the product (an inspection, a drill). A task cannot be done without the evidence its
template requires."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.orgs.models import Person, Position, Unit, UnitType


class EvidenceKind(models.TextChoices):
    FILE = "file", _("An uploaded file")
    INSPECTION = "inspection", _("Security inspections done")
    DRILL = "drill", _("A drill held")


class TemplatePhase(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40)
    start_month = models.PositiveSmallIntegerField(null=True, blank=True)
    start_day = models.PositiveSmallIntegerField(null=True, blank=True)
    end_month = models.PositiveSmallIntegerField()
    end_day = models.PositiveSmallIntegerField()
    source_text = models.CharField(_("in the seed"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("template phase")
        verbose_name_plural = _("template phases")

    def __str__(self) -> str:
        return self.name


class TemplateTask(models.Model):
    """One dated task of the shipped template; `load_yearplan_template` keeps it as the data file says."""

    key = models.SlugField(_("code"), max_length=40, unique=True)
    phase = models.ForeignKey(TemplatePhase, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("in the seed"))
    due_month = models.PositiveSmallIntegerField()
    due_day = models.PositiveSmallIntegerField()
    owner_unit_type = models.CharField(_("owner's unit type"), max_length=20, choices=UnitType.choices)
    owner_position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_kind = models.CharField(_("evidence required"), max_length=12, choices=EvidenceKind.choices)
    evidence_note = models.CharField(_("what evidence"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "key"]
        verbose_name = _("template task")
        verbose_name_plural = _("template tasks")

    def __str__(self) -> str:
        return self.title


class PlanStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("yearplan", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("yearplan", "Submitted for approval")
    APPROVED = "approved", pgettext_lazy("yearplan", "Approved, in force")


# The one table of the plan's moves; "submitted → draft" is a plan sent back for changes.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.SUBMITTED}),
    PlanStatus.SUBMITTED: frozenset({PlanStatus.APPROVED, PlanStatus.DRAFT}),
}


class AnnualPlan(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    # Days before a task's due date its owner is reminded (本行设定, editable while a draft).
    reminder_days = models.PositiveSmallIntegerField(_("reminder lead time (days)"))
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    submitted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    return_note = models.TextField(_("sent back because"), blank=True)

    class Meta:
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_annual_plan_per_unit_year")]
        verbose_name = _("annual security work plan")
        verbose_name_plural = _("annual security work plans")

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("yearplan:plan", kwargs={"pk": self.pk})


class PlanPhase(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="phases")
    code = models.SlugField(max_length=20)
    name = models.CharField(_("phase"), max_length=40)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"))
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="one_phase_per_code")]
        verbose_name = _("plan phase")
        verbose_name_plural = _("plan phases")

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("yearplan", "To do")
    DONE = "done", pgettext_lazy("yearplan", "Done")


# The one table of a task's moves: done with its evidence, or opened again by a leader when the
# evidence does not hold.
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.DONE}),
    TaskStatus.DONE: frozenset({TaskStatus.OPEN}),
}


class PlanTask(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(
        PlanPhase, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("phase")
    )
    template = models.ForeignKey(
        TemplateTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("task"), max_length=100)
    text = models.TextField(_("what the plan says"), blank=True)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner unit")
    )
    owner_position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner position"),
    )
    owner_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner person"),
    )
    due_on = models.DateField(_("due date"))
    # The end of `due_on` in Asia/Shanghai (00:00 of the next day), stored so "overdue" is a range scan.
    due_at = models.DateTimeField(db_index=True)
    evidence_kind = models.CharField(_("evidence required"), max_length=12, choices=EvidenceKind.choices)
    evidence_note = models.CharField(_("what evidence"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(_("what was done"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["due_on", "sort_order", "pk"]
        verbose_name = _("annual plan task")
        verbose_name_plural = _("annual plan tasks")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("yearplan:task", kwargs={"pk": self.plan_id, "task_id": self.pk})

    @property
    def done_late(self) -> bool:
        return self.done_at is not None and self.done_at > self.due_at


class EvidenceFile(models.Model):
    """A file kept under YINGJI_VAR_DIR/uploads/yearplan/ by a name the product chose."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="files")
    stored_name = models.CharField(max_length=80, unique=True)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class EvidenceLink(models.Model):
    """A record of the product the task points to (an inspection, a drill), by kind and id."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=12, choices=EvidenceKind.choices)
    record_id = models.BigIntegerField()
    label = models.CharField(_("record"), max_length=200)
    url = models.CharField(max_length=200)
    linked_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "record_id"], name="one_link_per_record")
        ]
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")

    def __str__(self) -> str:
        return self.label
