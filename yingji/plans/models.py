from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class EventGroup(models.TextChoices):
    SERVICE = "service", _("Service emergencies")
    SECURITY = "security", _("Security")
    COMPLAINT = "complaint", _("Customer complaints")
    WEALTH = "wealth", _("Wealth management")
    POWER = "power", _("Power outage")
    CASH_TRANSIT = "cash_transit", _("Cash in transit and guarding")
    CALL_CENTRE = "call_centre", _("Call centre")
    DISASTER = "disaster", _("Natural disasters and epidemics")
    IT_SYSTEM = "it_system", _("Information systems")
    REPUTATION = "reputation", _("Reputation and public opinion")


class Level(models.TextChoices):
    """Ⅰ is the most severe. The stored value sorts the wrong way, so compare with `severity`."""

    I = "I", _("Level Ⅰ (especially major)")  # noqa: E741
    II = "II", _("Level Ⅱ (major)")
    III = "III", _("Level Ⅲ (large)")


SEVERITY = {Level.III: 1, Level.II: 2, Level.I: 3}


def severity(level: str) -> int:
    return SEVERITY[Level(level)]


class EventKind(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    group = models.CharField(_("group"), max_length=20, choices=EventGroup.choices, db_index=True)
    default_level = models.CharField(_("default level"), max_length=3, choices=Level.choices)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(default=1000)

    class Meta:
        ordering = ["group", "sort_order", "code"]
        verbose_name = _("event kind")
        verbose_name_plural = _("event kinds")

    def __str__(self) -> str:
        return self.name


class Fact(models.TextChoices):
    """The facts a report can carry, by their JSON keys."""

    OUTLETS_AFFECTED = "outlets_affected", _("Outlets affected")
    INJURED = "injured", _("People injured")
    DEATHS = "deaths", _("Deaths")
    AMOUNT_YUAN = "amount_yuan", _("Amount involved (yuan)")
    CUSTOMERS_GATHERED = "customers_gathered", _("Customers gathered")
    MEDIA_EXPOSURE = "media_exposure", _("Media or self-media exposure")
    SYSTEM_DOWN_MINUTES = "system_down_minutes", _("System down (minutes)")


class LevelRule(models.Model):
    """A rule that raises the level when a fact reaches a threshold. Without a kind it holds for every
    kind; with a group, for every kind of the group."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.ForeignKey(EventKind, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    group = models.CharField(_("group"), max_length=20, choices=EventGroup.choices, blank=True)
    fact = models.CharField(_("fact"), max_length=30, choices=Fact.choices)
    threshold = models.DecimalField(
        _("at least"), max_digits=14, decimal_places=2, help_text=_("For yes/no facts, 1 means yes.")
    )
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    description = models.TextField(_("why"))
    # Where the rule comes from: the passage of a source document that sets this threshold and level, or
    # the bank's own setting where the documents give none (deaths, people injured, amounts…). Pages
    # show bank-own rules as 本行设定 so nobody mistakes them for the sample text's.
    source = models.TextField(_("source passage"), blank=True)
    bank_own = models.BooleanField(
        _("the bank's own rule"),
        default=False,
        help_text=_("The source documents give no such threshold; the bank set it."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("level rule")
        verbose_name_plural = _("level rules")

    def __str__(self) -> str:
        return self.code


class Plan(models.Model):
    """A plan for some event kinds. Its content lives in versions; exactly one version is approved
    (current) once the plan is in force."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    kinds = models.ManyToManyField(EventKind, related_name="plans", verbose_name=_("event kinds"))
    unit_types = models.JSONField(_("unit types"), default=list)
    # Where the plan comes from, as a reader names it: the document's own title and the section in it.
    # `source_file` is the seed file it was transcribed from (for maintainers; pages never show it) and
    # `source_note` says what the transcription did beyond trimming (a gap, a truncation, a passage of
    # another document it draws on).
    source_file = models.CharField(_("source file"), max_length=120)
    source_title = models.CharField(_("source document"), max_length=200, blank=True)
    source_section = models.CharField(_("source section"), max_length=300)
    source_note = models.TextField(_("about the source"), blank=True)
    sort_order = models.PositiveIntegerField(default=1000)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        current = self.current_version
        return current.title if current else self.code

    def get_absolute_url(self) -> str:
        return reverse("plans:plan", kwargs={"code": self.code})

    @property
    def current_version(self) -> "PlanVersion | None":
        return next((v for v in self.versions.all() if v.status == VersionStatus.APPROVED), None)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True
    )
    title = models.CharField(_("title"), max_length=200)
    principles = models.TextField(_("principles"), blank=True)
    contacts = models.JSONField(_("contacts"), default=list)
    termination = models.TextField(_("who approves termination"), blank=True)
    # Who must approve ending the response, as data the product enforces (all of them approve):
    # [{"position": "<orgs.Position code>", "unit": "incident" | "above" | "head_office",
    #   "label": "the source's words, e.g. 大厦安全保卫负责人"}] or {"role": "leader"} for the
    # incident's 组长. Empty: the 组长 and the unit above's 应急管理员 (see incidents.approvals).
    termination_approvers = models.JSONField(_("termination approvers"), default=list, blank=True)
    # The plan's own working groups, pre-filled on activation: [{"name": "综合协调组",
    # "leader_position": "<code or empty>", "duties": "…"}]; a step names its group by `Step.group`.
    groups = models.JSONField(_("working groups"), default=list, blank=True)
    # The plan's leadership group as positions: {"leader": "<code>", "deputies": ["<code>", …],
    # "members": ["<code>", …]}; used to pre-fill 组长/副组长/成员 at activation.
    leadership = models.JSONField(_("leadership group"), default=dict, blank=True)
    change_note = models.TextField(_("what changed"), blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    # Everyone who changed this version's content after it was drafted: with its drafter and its
    # submitter, the people who may not approve it (four eyes are two people).
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("edited by")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_by_name = models.CharField(_("approved by"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_number_per_plan_version"),
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(status="approved"), name="one_approved_version_per_plan"
            ),
        ]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("plans:version", kwargs={"code": self.plan.code, "number": self.number})

    def hands(self) -> set[int]:
        """The users who drafted, edited or submitted this version: none of them may approve it."""
        ids = {self.created_by_id, self.submitted_by_id, *self.editors.values_list("pk", flat=True)}
        return {pk for pk in ids if pk is not None}


class Timing(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    WITHIN = "within", _("Within a time limit")
    ON_CONDITION = "on_condition", _("When a condition holds")
    FOLLOW_UP = "follow_up", _("Afterwards")


class Step(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"))
    action = models.TextField(_("action"))
    position = models.ForeignKey(
        "orgs.Position",
        on_delete=models.PROTECT,
        related_name="plan_steps",
        verbose_name=_("responsible position"),
    )
    position_inferred = models.BooleanField(
        _("position inferred"),
        default=False,
        help_text=_("The source names no role; the bank's structure implies this one."),
    )
    timing = models.CharField(_("when"), max_length=14, choices=Timing.choices, default=Timing.IMMEDIATE)
    minutes = models.PositiveIntegerField(_("within minutes"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    branch = models.CharField(
        _("branch"),
        max_length=60,
        blank=True,
        help_text=_("Steps with different branches are alternatives; pick the one that applies."),
    )
    record = models.TextField(_("what to record"), blank=True)
    group = models.CharField(
        _("working group"),
        max_length=60,
        blank=True,
        help_text=_("The plan's working group that carries out this step."),
    )

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="one_step_per_order")]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.order}. {self.action[:30]}"
