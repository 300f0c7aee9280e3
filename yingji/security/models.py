"""Security inspections (安全检查, seed 001): checklists as data in the seed's five areas, an inspection
of one unit by one inspector, each item passed, failed or not applicable, signed by the inspector and
the unit's head. A failed item is a finding in the one corrective register (yingji/corrective), linked
back here by `FindingLink`, as drills link theirs."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.orgs.models import Person, Unit, UnitType


class Area(models.Model):
    """One of the five areas of seed 001 (查规章制度的健全性 …); `category` is the corrective register's
    category its failures are filed under."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=16)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("inspection area")
        verbose_name_plural = _("inspection areas")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="items", verbose_name=_("area"))
    text = models.CharField(_("item"), max_length=300)
    sort_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(_("in use"), default=True)
    # A shipped item is kept up to date by `load_security_checklists`; an item staff added is theirs.
    shipped_key = models.CharField(max_length=40, blank=True, db_index=True)
    added_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )

    class Meta:
        ordering = ["area__sort_order", "sort_order", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text


class Status(models.TextChoices):
    CONDUCTING = "conducting", _("Being conducted")
    AWAITING_HEAD = "awaiting_head", _("Signed by the inspector, awaiting the unit head")
    SIGNED = "signed", _("Signed by both, locked")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.CONDUCTING: frozenset({Status.AWAITING_HEAD}),
    Status.AWAITING_HEAD: frozenset({Status.SIGNED}),
}


class Inspection(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    inspector = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CONDUCTING, db_index=True
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    inspector_signed_at = models.DateTimeField(_("signed by the inspector at"), null=True, blank=True)
    head = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed for the unit by"),
    )
    head_signed_at = models.DateTimeField(_("signed for the unit at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["unit", "started_at"])]
        verbose_name = _("security inspection")
        verbose_name_plural = _("security inspections")

    def __str__(self) -> str:
        return f"{self.unit} {self.started_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("security:inspection", kwargs={"pk": self.pk})


class Result(models.TextChoices):
    PENDING = "", _("Not yet checked")
    PASS = "pass", pgettext_lazy("inspection", "Passed")
    FAIL = "fail", pgettext_lazy("inspection", "Failed")
    NOT_APPLICABLE = "na", pgettext_lazy("inspection", "Not applicable")


class ItemResult(models.Model):
    """One item of one inspection, its words copied so an edited checklist never rewrites a record."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    area_name = models.CharField(_("area"), max_length=60)
    text = models.CharField(_("item"), max_length=300)
    sort_order = models.PositiveIntegerField(default=0)
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True, default="")
    note = models.TextField(_("notes"), blank=True)
    major_hazard = models.BooleanField(_("major safety hazard (重大安全隐患)"), default=False)
    responsible = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")

    def __str__(self) -> str:
        return self.text[:60]


class Photo(models.Model):
    """A photo of an item, stored under YINGJI_VAR_DIR/uploads/security/ by a name the product chose."""

    result = models.ForeignKey(ItemResult, on_delete=models.CASCADE, related_name="photos")
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.stored_name


class FindingLink(models.Model):
    """Ties a finding of the corrective register (which knows no inspections) to the failed item."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="finding_links")
    result = models.OneToOneField(ItemResult, on_delete=models.CASCADE, related_name="finding_link")
    finding = models.OneToOneField(
        "corrective.Finding", on_delete=models.CASCADE, related_name="inspection_link"
    )

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")

    def __str__(self) -> str:
        return f"{self.inspection_id} · {self.finding_id}"


class InspectionSchedule(models.Model):
    """本行设定: how often units of a type are inspected (seed 001: 每季度、每月), set by head office's
    应急管理员. A type without a row keeps the default of YINGJI_INSPECTION_EVERY_MONTHS; 0 months: the type
    is not scheduled."""

    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices, unique=True)
    every_months = models.PositiveSmallIntegerField(_("every (months)"))
    set_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        ordering = ["unit_type"]
        verbose_name = _("inspection schedule")
        verbose_name_plural = _("inspection schedules")

    def __str__(self) -> str:
        return f"{self.get_unit_type_display()} · {self.every_months}"


class Outcome(models.Model):
    """A decision on an accountability record (处理决定): 通报批评, 经济处罚, 纪律处分 and 免责 are shipped;
    the bank adds others."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("accountability outcome")
        verbose_name_plural = _("accountability outcomes")

    def __str__(self) -> str:
        return self.name


class AccountabilityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("accountability", "Awaiting a decision")
    DECIDED = "decided", pgettext_lazy("accountability", "Decided")


ACCOUNTABILITY_TRANSITIONS: dict[str, frozenset[str]] = {
    AccountabilityStatus.OPEN: frozenset({AccountabilityStatus.DECIDED}),
}


class Accountability(models.Model):
    """对重大安全隐患的责任人及时进行处罚 (seed 001): opened with a major hazard, decided later."""

    result = models.OneToOneField(ItemResult, on_delete=models.CASCADE, related_name="accountability")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person responsible")
    )
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AccountabilityStatus.choices,
        default=AccountabilityStatus.OPEN,
        db_index=True,
    )
    outcome = models.ForeignKey(
        Outcome,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("accountability", "Decision"),
    )
    decision = models.TextField(_("reasons"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")

    def __str__(self) -> str:
        return f"{self.person} · {self.result}"

    def get_absolute_url(self) -> str:
        return reverse("security:accountability", kwargs={"pk": self.pk})
