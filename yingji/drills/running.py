"""The live run of a drill: the controller's clock and injects, the players' acknowledgements and
logged actions. Like the rest of a drill, nothing here calls incidents or notify: a run pages nobody."""

import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.transitions import transition

from .models import (
    TRANSITIONS,
    ActionLog,
    Channel,
    Drill,
    ExpectedAction,
    Inject,
    InjectAck,
    Participant,
    Status,
)


def controller_of(actor, drill: Drill) -> Participant | None:
    return _participant_of(actor, drill, Participant.Role.CONTROLLER)


def player_of(actor, drill: Drill) -> Participant | None:
    return _participant_of(actor, drill, Participant.Role.PLAYER)


def _participant_of(actor, drill: Drill, role: str) -> Participant | None:
    if not actor.is_authenticated:
        return None
    return (
        Participant.objects.filter(drill=drill, role=role, person__user=actor)
        .select_related("position")
        .first()
    )


# ── What a poll reads first ──────────────────────────────────────────────────────────────────────────
# Every phone polls the run page. A poll reads the drill's row and, when its tokens are those of the page
# it shows and nothing fell due, answers "nothing new" without reading injects or logs (selectors.
# run_unchanged). So every write below changes a token in its own transaction. `_changed` is each write's
# first statement: its UPDATE is the drill's row lock, taken before the injects' locks and the audit
# chain's, in the same order as `release_due` takes them, so two writes of one run never deadlock.


def _changed(drill: Drill, *, acks: bool = False) -> None:
    """A new run token; for an acknowledgement only a new `ack_token` (a player's page does not show the
    others' acknowledgements, so 200 players acknowledging do not redraw 200 pages each time). Random, as
    notify's rules token is: a rolled-back write, or another database's drill with the same id, can
    never give back a token a page or a process's cached read already holds."""
    field = "ack_token" if acks else "run_token"
    token = secrets.randbelow(2**31 - 2) + 1
    Drill.objects.filter(pk=drill.pk).update(**{field: token})
    # The row stays locked until the write commits, so a page drawn after it with this token shows it;
    # a later write changes the token again and the page is drawn once more.
    setattr(drill, field, token)


def _reschedule(drill: Drill) -> None:
    """After the pending injects changed: when the next one falls due, in running time."""
    first = Inject.objects.filter(drill_id=drill.pk, status=Inject.State.PENDING).aggregate(
        first=Min("offset_seconds")
    )["first"]
    Drill.objects.filter(pk=drill.pk).update(next_due_seconds=first)
    drill.next_due_seconds = first


def falls_due(drill: Drill, now) -> bool:
    """Whether, by the drill's row alone, the schedule has an inject to release now."""
    return (
        drill.status == Status.RUNNING
        and drill.next_due_seconds is not None
        and drill.running_seconds(now) >= drill.next_due_seconds
    )


def _check_controller(actor, drill: Drill) -> None:
    if controller_of(actor, drill) is None:
        raise NotAllowed(_("Only the drill's controllers run the drill."))


def start_run(*, actor, drill: Drill) -> Drill:
    _check_controller(actor, drill)
    with transaction.atomic():
        transition(drill, Status.RUNNING, table=TRANSITIONS, expect={Status.BRIEFED})
        _changed(drill)
        drill.started_at = clock.now()
        drill.save(update_fields=["started_at"])
        _reschedule(drill)  # the script was editable until now: read it once
        audit.record(actor=actor, action="drill.run_start", obj=drill, data={"title": drill.title})
    return drill


def pause_run(*, actor, drill: Drill) -> Drill:
    _check_controller(actor, drill)
    with transaction.atomic():
        transition(drill, Status.PAUSED, table=TRANSITIONS)
        _changed(drill)
        drill.paused_at = clock.now()
        drill.save(update_fields=["paused_at"])
        audit.record(actor=actor, action="drill.run_pause", obj=drill, data={"title": drill.title})
    return drill


def _close_pause(drill: Drill, now) -> None:
    if drill.paused_at is not None:
        drill.paused_seconds += int((now - drill.paused_at).total_seconds())
        drill.paused_at = None


def resume_run(*, actor, drill: Drill) -> Drill:
    _check_controller(actor, drill)
    with transaction.atomic():
        transition(drill, Status.RUNNING, table=TRANSITIONS, expect={Status.PAUSED})
        _changed(drill)
        _close_pause(drill, clock.now())
        drill.save(update_fields=["paused_at", "paused_seconds"])
        audit.record(actor=actor, action="drill.run_resume", obj=drill, data={"title": drill.title})
    return drill


def end_run(*, actor, drill: Drill) -> Drill:
    _check_controller(actor, drill)
    with transaction.atomic():
        transition(drill, Status.ENDED, table=TRANSITIONS)
        _changed(drill)
        now = clock.now()
        _close_pause(drill, now)
        drill.ended_at = now
        drill.save(update_fields=["paused_at", "paused_seconds", "ended_at"])
        audit.record(actor=actor, action="drill.run_end", obj=drill, data={"title": drill.title})
    return drill


def _release(inject: Inject, *, actor, now) -> None:
    transition(inject, Inject.State.RELEASED, table=Inject.STATES)
    inject.released_at, inject.released_by = now, actor
    inject.save(update_fields=["released_at", "released_by"])
    audit.record(
        actor=actor,
        action="drill.release_inject",
        obj=inject.drill,
        data={"number": inject.number, "text": inject.text},
    )


def _skip(inject: Inject, *, actor, reason: str) -> None:
    transition(inject, Inject.State.SKIPPED, table=Inject.STATES)
    inject.skip_reason = reason
    inject.save(update_fields=["skip_reason"])
    audit.record(
        actor=actor,
        action="drill.skip_inject",
        obj=inject.drill,
        data={"number": inject.number, "text": inject.text, "reason": reason},
    )


def _check_live(drill: Drill) -> None:
    if drill.status not in (Status.RUNNING, Status.PAUSED):
        raise InvalidInput(_("The drill is not running."))


def release_inject(*, actor, inject: Inject) -> Inject:
    """The controller releases an inject now, whatever its time in the script."""
    drill = inject.drill
    _check_controller(actor, drill)
    _check_live(drill)
    with transaction.atomic():
        _changed(drill)
        _release(inject, actor=actor, now=clock.now())
        _reschedule(drill)
    return inject


def skip_inject(*, actor, inject: Inject, reason: str) -> Inject:
    drill = inject.drill
    _check_controller(actor, drill)
    _check_live(drill)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the event is skipped."), fields={"reason": _("This field is required.")}
        )
    with transaction.atomic():
        _changed(drill)
        _skip(inject, actor=actor, reason=reason.strip())
        _reschedule(drill)
    return inject


def release_due(drill: Drill) -> list[Inject]:
    """Release the pending injects whose offset the running time has passed; called whenever the run page
    is polled, so the schedule needs no worker. Paused time does not count. A contingency inject is
    skipped if its expected action was logged by its time, else released. Safe to call from several
    pages at once: the drill row is locked, and each inject moves once under its own lock."""
    if drill.status != Status.RUNNING:
        return []
    # Every player's poll may come here: most find nothing due, and they must not queue on the drill's
    # row lock to learn that. Only a poll that sees a due inject takes the lock and looks again. The
    # row's next due time says so without a query; the query stays for a caller holding an older row.
    now = clock.now()
    pending = Inject.objects.filter(drill=drill, status=Inject.State.PENDING)
    if not (falls_due(drill, now) or pending.filter(offset_seconds__lte=drill.running_seconds(now)).exists()):
        return []
    with transaction.atomic():
        locked = Drill.objects.select_for_update().get(pk=drill.pk)
        drill.run_token, drill.next_due_seconds = locked.run_token, locked.next_due_seconds
        if locked.status != Status.RUNNING:
            return []
        now = clock.now()
        elapsed = locked.running_seconds(now)
        due = list(
            Inject.objects.filter(drill=locked, status=Inject.State.PENDING, offset_seconds__lte=elapsed)
            .select_related("drill")
            .order_by("offset_seconds", "number")
        )
        if not due and not falls_due(locked, now):
            return []  # another poll released them while this one waited for the lock: nothing to write
        if due:
            _changed(drill)
        for inject in due:
            done = (
                inject.contingency_for_id is not None
                and ActionLog.objects.filter(
                    expected_action_id=inject.contingency_for_id, elapsed_seconds__lte=inject.offset_seconds
                ).exists()
            )
            if done:
                with translation.override(settings.LANGUAGE_CODE):  # stored text, in the bank's language
                    reason = str(_("The expected action was done in time."))
                _skip(inject, actor=None, reason=reason)
            else:
                _release(inject, actor=None, now=now)
        _reschedule(drill)
    return due


def add_unscripted_inject(
    *, actor, drill: Drill, text: str, channel: str = Channel.IN_APP, release_now: bool = True
) -> Inject:
    """An event the controller makes up during the run (演练中临时增加), to everyone, released at once."""
    _check_controller(actor, drill)
    _check_live(drill)
    if not text.strip():
        raise InvalidInput(_("Say what happens."), fields={"text": _("This field is required.")})
    if channel not in Channel.values:
        raise InvalidInput(_("Some fields are not valid."), fields={"channel": _("This value is not valid.")})
    with transaction.atomic():
        _changed(drill)  # also holds the drill's row, so two unscripted injects never take one number
        now = clock.now()
        number = (drill.injects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        inject = Inject.objects.create(
            drill=drill,
            number=number,
            offset_seconds=drill.running_seconds(now),
            text=text.strip(),
            channel=channel,
            unscripted=True,
        )
        audit.record(
            actor=actor,
            action="drill.add_live_inject",
            obj=drill,
            data={"number": number, "text": inject.text},
        )
        if release_now:
            _release(inject, actor=actor, now=now)
        else:
            _reschedule(drill)
    return inject


def acknowledge_inject(*, actor, inject: Inject) -> InjectAck:
    """已收到, once per player; a second tap keeps the first time."""
    drill = inject.drill
    player = player_of(actor, drill)
    if player is None:
        raise NotAllowed(_("Only the drill's players acknowledge its events."))
    if inject.status != Inject.State.RELEASED or not inject.addressed_to(player):
        raise InvalidInput(_("This event has not been released to you."))
    with transaction.atomic():
        _changed(drill, acks=True)
        ack, created = InjectAck.objects.get_or_create(
            inject=inject, participant=player, defaults={"at": clock.now()}
        )
        if created:
            audit.record(
                actor=actor,
                action="drill.ack_inject",
                obj=drill,
                data={"number": inject.number, "name": player.name},
            )
    return ack


def log_action(
    *, actor, drill: Drill, expected_action: ExpectedAction | None = None, text: str = ""
) -> ActionLog:
    """A player's record of what they did, with its time: a tap on an expected action or free text."""
    player = player_of(actor, drill)
    if player is None:
        raise NotAllowed(_("Only the drill's players log what they did."))
    if drill.status != Status.RUNNING:
        raise InvalidInput(_("The drill is not running."))
    if expected_action is not None and expected_action.scenario.drill_id != drill.pk:
        raise InvalidInput(
            _("Some fields are not valid."), fields={"expected_action": _("Not this drill's.")}
        )
    if expected_action is None and not text.strip():
        raise InvalidInput(_("Say what you did."), fields={"text": _("This field is required.")})
    with transaction.atomic():
        _changed(drill)
        now = clock.now()
        entry = ActionLog.objects.create(
            drill=drill,
            participant=player,
            expected_action=expected_action,
            text=text.strip() or (expected_action.action if expected_action else ""),
            at=now,
            elapsed_seconds=drill.running_seconds(now),
        )
        audit.record(
            actor=actor,
            action="drill.log_action",
            obj=drill,
            data={"name": player.name, "text": entry.text[:100]},
        )
    return entry
