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


class ConsoleGateway:
    """Writes each message to the log and keeps it in `outbox` (what tests read)."""

    outbox: list[tuple[str, str]] = []
    message_ids: list[str] = []

    def send(self, mobile: str, text: str, message_id: str = "") -> None:
        ConsoleGateway.outbox.append((mobile, text))
        ConsoleGateway.message_ids.append(message_id)
        logger.warning("SMS %s to %s: %s", message_id, mobile, text)


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
