"""A drill (演练) as it is planned, briefed and scripted (DOMAIN.md §6; HSEEP's objectives and MSEL).

A scenario draws an approved plan version and copies its steps into the drill (`snapshot` and the
ExpectedAction rows), so a later revision of the plan never rewrites what this drill tested. The live run
keeps its clock on the Drill and its record in InjectAck and ActionLog (drill data only); its evaluation
and report are in evaluation_models, imported at the end of this module."""

from datetime import time

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BRIEFED = "briefed", _("Briefed")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")
    EVALUATED = "evaluated", _("Evaluated")
    REPORTED = "reported", _("Reported")
    CANCELLED = "cancelled", _("Cancelled")


# The one table of a drill's life. Issuing the briefing moves planned → briefed; the controller's clock
# moves briefed → running ⇄ paused → ended; the lead evaluator's conclusion moves it to evaluated, and the
# report's sign-off (审签) to reported.
TRANSITIONS: dict[str, set[str]] = {
    Status.PLANNED: {Status.BRIEFED, Status.CANCELLED},
    Status.BRIEFED: {Status.RUNNING, Status.CANCELLED},
    Status.RUNNING: {Status.PAUSED, Status.ENDED},
    Status.PAUSED: {Status.RUNNING, Status.ENDED},
    Status.ENDED: {Status.EVALUATED},
    Status.EVALUATED: {Status.REPORTED},
    Status.REPORTED: set(),
    Status.CANCELLED: set(),
}
# While these hold, the drill's plan and script may still be changed.
EDITABLE = frozenset({Status.PLANNED, Status.BRIEFED})


class Form(models.TextChoices):
    TABLETOP = "tabletop", _("Tabletop exercise")
    LIVE = "live", _("Live drill")


class Scope(models.TextChoices):
    SINGLE = "single", _("Single scenario")
    COMBINED = "combined", _("Combined")


class DrillTemplate(models.Model):
    """A ready drill built from a source document, loaded from fixtures/*.json by
    `load_drill_templates`; a new drill copies it and draws the plans it names."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    data = models.JSONField(_("content"), default=dict)
    content_hash = models.CharField(max_length=64, blank=True)
    sort_order = models.PositiveIntegerField(default=1000)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("drill template")
        verbose_name_plural = _("drill templates")

    def __str__(self) -> str:
        return self.title


class Drill(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="drills", verbose_name=_("organising unit")
    )
    units = models.ManyToManyField(
        "orgs.Unit", related_name="drills_taken_part", verbose_name=_("units taking part")
    )
    title = models.CharField(_("title"), max_length=200)
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.LIVE)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.SINGLE)
    starts_at = models.DateTimeField(_("date and time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    purposes = models.TextField(_("purposes"), blank=True)
    principles = models.TextField(_("principles"), blank=True)
    evaluation_criteria = models.TextField(_("evaluation criteria"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The drill's working groups, copied from the plan or the template: [{"name": …, "duties": …}].
    groups = models.JSONField(_("working groups"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    template = models.ForeignKey(
        DrillTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drills",
        verbose_name=_("built from template"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    # The run's clock. Running time is wall time since the start less the time spent paused, so an
    # inject "+0:10" falls ten minutes into the exercise however long the controller paused it.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("seconds paused"), default=0)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # What a poll of the run page reads before anything else (drills/running.py sets them in each run
    # write's transaction): `run_token` changes with every change a run page shows, `ack_token` with each
    # acknowledgement (only a controller's page counts them), both to a random number, so a rolled-back
    # change can never match a page or a cached read; and the running time at which the next pending
    # inject falls due, so a poll knows without reading the script that the schedule has work.
    run_token = models.PositiveIntegerField(default=0, editable=False)
    ack_token = models.PositiveIntegerField(default=0, editable=False)
    next_due_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("drills:drill", kwargs={"pk": self.pk})

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    def running_seconds(self, now) -> int:
        """Seconds of exercise so far: stopped while paused and after the end."""
        if self.started_at is None:
            return 0
        until = self.ended_at or self.paused_at or now
        return max(0, int((until - self.started_at).total_seconds()) - self.paused_seconds)

    def scenario_clock(self, now) -> time | None:
        """The time in the story (11:05 in 002) that the running time has reached."""
        starts = [s.clock_start for s in self.scenarios.all() if s.clock_start is not None]
        if not starts:
            return None
        start = min(starts)
        total = start.hour * 60 + start.minute + self.running_seconds(now) // 60
        return time((total // 60) % 24, total % 60)


class Participant(models.Model):
    class Role(models.TextChoices):
        CONTROLLER = "controller", _("Controller")
        PLAYER = "player", _("Player")
        EVALUATOR = "evaluator", _("Evaluator")
        OBSERVER = "observer", _("Observer")

    class Category(models.TextChoices):
        STAFF = "staff", _("Staff")
        REGULATOR = "regulator", _("Regulator")
        EXPERT = "expert", _("Expert")
        CUSTOMER_REPRESENTATIVE = "customer_representative", _("Customer representative")

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="participants")
    # A member of staff is a person; an outsider (regulator, expert, customer representative) is a name.
    person = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="drill_roles"
    )
    name = models.CharField(_("name"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    category = models.CharField(
        _("category"), max_length=30, choices=Category.choices, default=Category.STAFF
    )
    role = models.CharField(_("drill role"), max_length=12, choices=Role.choices)
    position = models.ForeignKey(
        "orgs.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("real position"),
    )
    group = models.CharField(_("working group"), max_length=60, blank=True)

    class Meta:
        ordering = ["drill", "role", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.name


class Scenario(models.Model):
    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="scenarios")
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    situation = models.TextField(_("situation"), blank=True)
    plan_version = models.ForeignKey(
        "plans.PlanVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drill_scenarios",
        verbose_name=_("plan version"),
    )
    # The plan's steps as they stood when drawn (plan code, version, steps with their positions):
    # what this drill tested, whatever the plan says later.
    snapshot = models.JSONField(_("plan at draw time"), default=dict, blank=True)
    clock_start = models.TimeField(_("scenario clock starts"), null=True, blank=True)

    class Meta:
        ordering = ["drill", "order"]
        constraints = [models.UniqueConstraint(fields=["drill", "order"], name="one_scenario_per_order")]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.title


class ExpectedAction(models.Model):
    """One step of the drawn plan, as the players are expected to carry it out."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="expected_actions")
    order = models.PositiveIntegerField(_("order"))
    action = models.TextField(_("action"))
    position = models.ForeignKey(
        "orgs.Position",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible position"),
    )
    group = models.CharField(_("working group"), max_length=60, blank=True)
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    # Minutes after the scenario starts by which it is expected; empty: at once, as the plan says.
    expected_minutes = models.PositiveIntegerField(_("expected within minutes"), null=True, blank=True)
    source_step_id = models.PositiveIntegerField(_("plan step"), null=True, blank=True)
    # HSEEP's critical task: rated U it proposes a 不足项. Plan steps are critical until the planner
    # unmarks one.
    critical = models.BooleanField(_("critical"), default=True)

    class Meta:
        ordering = ["scenario", "order"]
        verbose_name = _("expected action")
        verbose_name_plural = _("expected actions")

    def __str__(self) -> str:
        return self.action[:40]

    def deadline_on_clock(self) -> time | None:
        """The scenario clock time by which it is expected (11:10 for 成立领导小组 in 002)."""
        start = self.scenario.clock_start
        if start is None or self.expected_minutes is None:
            return None
        total = start.hour * 60 + start.minute + self.expected_minutes
        return time((total // 60) % 24, total % 60)


class Objective(models.Model):
    """What the drill must show, with a measurable target: 报告支行 ≤ 10 分钟 is met when the logged time
    of the linked action is within the target."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveIntegerField(_("order"))
    text = models.CharField(_("objective"), max_length=300)
    target_minutes = models.PositiveIntegerField(_("target (minutes)"), null=True, blank=True)
    # The target is the bank's own setting (本行设定), not a figure from the source documents.
    bank_own = models.BooleanField(_("the bank's own setting"), default=False)
    expected_action = models.ForeignKey(
        ExpectedAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives"
    )

    class Meta:
        ordering = ["drill", "order"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.text

    def met(self, minutes_taken: float | None) -> bool | None:
        """Met or not from a logged time; None while nothing is logged or the objective has no target."""
        if self.target_minutes is None or minutes_taken is None:
            return None
        return minutes_taken <= self.target_minutes


class Channel(models.TextChoices):
    SPOKEN = "spoken", _("Spoken")
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    POSTER = "poster", _("Paper poster")
    SOCIAL_POST = "social_post", _("Simulated social-media post")
    WALK_IN = "walk_in", _("Walk-in actor")
    IN_APP = "in_app", _("In the app")


class Inject(models.Model):
    """An event of the script (MSEL): released on schedule or by the controller."""

    class Recipient(models.TextChoices):
        ALL = "all", _("Everyone")
        POSITION = "position", _("A position")
        GROUP = "group", _("A working group")
        PARTICIPANT = "participant", _("A named player")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RELEASED = "released", _("Released")
        SKIPPED = "skipped", _("Skipped")

    # An inject is released (by the schedule or the controller) or skipped (by the controller, or because
    # the action a contingency inject waits for was done in time), once.
    STATES: dict[str, set[str]] = {
        State.PENDING: {State.RELEASED, State.SKIPPED},
        State.RELEASED: set(),
        State.SKIPPED: set(),
    }

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="injects")
    scenario = models.ForeignKey(
        Scenario, null=True, blank=True, on_delete=models.CASCADE, related_name="injects"
    )
    number = models.PositiveIntegerField(_("number"))
    offset_seconds = models.PositiveIntegerField(_("offset from start (seconds)"))
    clock_time = models.TimeField(_("scenario clock"), null=True, blank=True)
    text = models.TextField(_("what happens"))
    recipient = models.CharField(
        _("who receives it"), max_length=12, choices=Recipient.choices, default=Recipient.ALL
    )
    recipient_position = models.ForeignKey(
        "orgs.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_group = models.CharField(_("working group"), max_length=60, blank=True)
    recipient_participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="injects"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.SPOKEN)
    controller_notes = models.TextField(_("controller notes"), blank=True)
    expected_actions = models.ManyToManyField(
        ExpectedAction, blank=True, related_name="injects", verbose_name=_("expected actions")
    )
    # A contingency inject: released only if this expected action has not happened by then.
    contingency_for = models.ForeignKey(
        ExpectedAction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contingencies",
        verbose_name=_("contingency for"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    skip_reason = models.CharField(_("reason skipped"), max_length=300, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    # Empty for an inject the schedule released when it fell due.
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Added by the controller during the run, not part of the script as briefed.
    unscripted = models.BooleanField(_("added during the run"), default=False)

    class Meta:
        ordering = ["drill", "offset_seconds", "number"]
        constraints = [models.UniqueConstraint(fields=["drill", "number"], name="one_inject_per_number")]
        verbose_name = _("inject")
        verbose_name_plural = _("injects")

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:30]}"

    @property
    def recipient_text(self) -> str:
        if self.recipient == self.Recipient.POSITION and self.recipient_position:
            return str(self.recipient_position)
        if self.recipient == self.Recipient.GROUP:
            return self.recipient_group
        if self.recipient == self.Recipient.PARTICIPANT and self.recipient_participant:
            return self.recipient_participant.name
        return str(self.Recipient.ALL.label)

    def addressed_to(self, participant: Participant) -> bool:
        """Whether this inject is for the player: everyone, their position, their group, or them."""
        if self.recipient == self.Recipient.POSITION:
            return (
                self.recipient_position_id is not None
                and self.recipient_position_id == participant.position_id
            )
        if self.recipient == self.Recipient.GROUP:
            return bool(self.recipient_group) and self.recipient_group == participant.group
        if self.recipient == self.Recipient.PARTICIPANT:
            return self.recipient_participant_id == participant.pk
        return True

    @property
    def offset_text(self) -> str:
        """+H:MM from the start of the drill, as scripts write it."""
        minutes = self.offset_seconds // 60
        return f"+{minutes // 60}:{minutes % 60:02d}"


class InjectAck(models.Model):
    """已收到: a player's acknowledgement of a released inject, once each, with its time."""

    inject = models.ForeignKey(Inject, on_delete=models.CASCADE, related_name="acks")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="acks")
    at = models.DateTimeField(_("acknowledged"))

    class Meta:
        ordering = ["inject", "at"]
        constraints = [models.UniqueConstraint(fields=["inject", "participant"], name="one_ack_per_player")]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self) -> str:
        return f"{self.inject.number} · {self.participant.name}"


class ActionLog(models.Model):
    """What a player did during the run: a tap on an expected action, or free text. Drill data only:
    it never becomes an incident's timeline or a task."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="action_logs")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="action_logs")
    expected_action = models.ForeignKey(
        ExpectedAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    text = models.TextField(_("what was done"), blank=True)
    at = models.DateTimeField(_("time"))
    # Running time when logged: what a contingency inject and an objective's target are measured on.
    elapsed_seconds = models.PositiveIntegerField(_("running time (seconds)"))

    class Meta:
        ordering = ["drill", "at", "pk"]
        verbose_name = _("action log")
        verbose_name_plural = _("action logs")

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def elapsed_text(self) -> str:
        return elapsed_text(self.elapsed_seconds)


def elapsed_text(seconds: int) -> str:
    """+H:MM:SS of running time."""
    return f"+{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Briefing(models.Model):
    """演练前解读: generated from the drill and its plans, edited, then issued (the drill is briefed)."""

    drill = models.OneToOneField(Drill, on_delete=models.CASCADE, related_name="briefing")
    purpose = models.TextField(_("purpose"), blank=True)
    roles = models.TextField(_("division of duties"), blank=True)
    scenarios = models.TextField(_("expected scenarios"), blank=True)
    key_points = models.TextField(_("key points and procedure"), blank=True)
    updated_at = models.DateTimeField(_("updated"))
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")

    def __str__(self) -> str:
        return str(self.drill)


from .evaluation_models import (  # noqa: E402  (models of this app, in a module of their own)
    ActionRating,
    Evaluation,
    FindingLink,
    MeetingAttendee,
    ObjectiveRating,
    Report,
    Requirement,
)

__all__ = [
    "ActionLog",
    "ActionRating",
    "Briefing",
    "Channel",
    "Drill",
    "DrillTemplate",
    "Evaluation",
    "ExpectedAction",
    "FindingLink",
    "Form",
    "Inject",
    "InjectAck",
    "MeetingAttendee",
    "Objective",
    "ObjectiveRating",
    "Participant",
    "Report",
    "Requirement",
    "Scenario",
    "Scope",
    "Status",
]
