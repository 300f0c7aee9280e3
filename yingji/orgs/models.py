from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .validators import validate_code, validate_mobile, validate_phone


class UnitType(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    BRANCH = "branch", _("Branch")
    SUB_BRANCH = "sub_branch", _("Sub-branch")
    OUTLET = "outlet", _("Outlet")
    CALL_CENTRE = "call_centre", _("Call centre")
    DEPARTMENT = "department", _("Department")


class Unit(MP_Node):
    """A unit of the bank. Materialised path: a unit's subtree is one indexed prefix query."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:unit", kwargs={"code": self.code})

    @property
    def acting_unit(self) -> "Unit":
        """A department acts for the unit it belongs to: 总行办公室 sees what 总行 sees."""
        if self.type == UnitType.DEPARTMENT and self.depth > 1:
            return self.parent_unit or self
        return self

    @property
    def parent_unit(self) -> "Unit | None":
        return Unit.objects.get_parent(self) if self.depth > 1 else None


class Position(models.Model):
    """A post a person holds (网点负责人, 大堂经理 …). Data, not code, so plans and later
    issues can add posts with a migration."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=60)
    is_unit_head = models.BooleanField(_("heads the unit"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class PositionCode:
    """Codes of the positions the code itself refers to."""

    EMERGENCY_ADMIN = "emergency_admin"
    OUTLET_HEAD = "outlet_head"
    LOBBY_MANAGER = "lobby_manager"
    CC_FLOOR_SUPERVISOR = "cc_floor_supervisor"
    LEADER = "leader"
    PRESIDENT = "president"


class Person(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile"), max_length=11, validators=[validate_mobile])
    positions = models.ManyToManyField(Position, related_name="holders", verbose_name=_("positions"))

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:person", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    def holds(self, position_code: str) -> bool:
        return any(p.code == position_code for p in self.positions.all())


class DutyRoster(models.Model):
    """Who is 带班领导 (leader on duty) of a unit on a date; it rotates daily."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="duty_days")
    on_date = models.DateField(_("date"))
    leader = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="duty_days", verbose_name=_("leader on duty")
    )

    class Meta:
        ordering = ["unit", "on_date"]
        constraints = [models.UniqueConstraint(fields=["unit", "on_date"], name="one_duty_leader_per_day")]
        verbose_name = _("duty roster day")
        verbose_name_plural = _("duty roster")

    def __str__(self) -> str:
        return f"{self.unit} {self.on_date} {self.leader}"


class ImportRun(models.Model):
    """One Excel import of units or of people. A short file is imported during the request and its
    run is written done; a long one waits here (its bytes in `content`) for `tasks.run_import`,
    which moves it along TRANSITIONS and counts `processed` for the status page's progress bar."""

    class Kind(models.TextChoices):
        UNITS = "units", _("Units")
        PEOPLE = "people", _("People")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    TRANSITIONS = {
        Status.QUEUED: {Status.VALIDATING},
        Status.VALIDATING: {Status.IMPORTING, Status.FAILED},
        Status.IMPORTING: {Status.DONE, Status.FAILED},
    }

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(_("file name"), max_length=200)
    # The uploaded file while it waits for the job; emptied once the run is finished.
    content = models.BinaryField(blank=True, default=b"", editable=False)
    language = models.CharField(max_length=10, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    # Unit codes or person ids of what was created, for the links on the status page.
    created_keys = models.JSONField(default=list, blank=True)
    # [{"row": 3, "column": "上级代码", "reason": "…"}, …], as the import page lists them.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Excel import")
        verbose_name_plural = _("Excel imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("orgs:import_status", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
