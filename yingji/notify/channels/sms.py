"""SMS behind a small gateway interface. Development and tests use the console gateway; a bank plugs its
SMS platform in with the environment variable SMS_GATEWAY=dotted.path.Gateway: a class with
send(mobile, text), or send(mobile, text, message_id) to be given the delivery's key, the same on every
attempt, which the platform uses as its message id to send a repeat once (after a worker died while
sending, say). A gateway without the argument is called as before."""

import inspect
import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel, DeliveryFailed, plain_text

logger = logging.getLogger("yingji.sms")


# How much of a message the console shows: enough to tell messages apart at a glance.
CONSOLE_PREVIEW = 40


def console_line(mobile: str, text: str, message_id: str = "") -> str:
    """One line per message, its start only: the demo's overdue complaints send dozens at once, and
    their full multi-line text buried everything else on the console."""
    flat = " ".join(text.split())
    preview = flat if len(flat) <= CONSOLE_PREVIEW else flat[:CONSOLE_PREVIEW] + "…"
    return f"SMS to {mobile}{f' ({message_id})' if message_id else ''}: {preview}"


class ConsoleGateway:
    """Writes one line per message to the log and keeps the whole message in `outbox` (what tests read)."""

    outbox: list[tuple[str, str]] = []
    message_ids: list[str] = []

    def send(self, mobile: str, text: str, message_id: str = "") -> None:
        ConsoleGateway.outbox.append((mobile, text))
        ConsoleGateway.message_ids.append(message_id)
        logger.warning("%s", console_line(mobile, text, message_id))


def gateway():
    return import_string(getattr(settings, "SMS_GATEWAY", "yingji.notify.channels.sms.ConsoleGateway"))()


def takes_message_id(send) -> bool:
    parameters = inspect.signature(send).parameters.values()
    return any(p.name == "message_id" or p.kind is p.VAR_KEYWORD for p in parameters)


class SmsChannel(Channel):
    name = "sms"

    def address(self, notice):
        return notice.recipient.mobile or None

    def send(self, delivery):
        notice = delivery.notice
        platform = gateway()
        extra = {"message_id": delivery.key} if takes_message_id(platform.send) else {}
        try:
            platform.send(notice.recipient.mobile, plain_text(notice)[:300], **extra)
        except OSError as exc:
            raise DeliveryFailed(str(exc)) from exc
