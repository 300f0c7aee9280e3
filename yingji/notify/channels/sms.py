"""SMS behind a small gateway interface. Development and tests use the console gateway; a bank plugs its
SMS platform in with the environment variable SMS_GATEWAY=dotted.path.Gateway (a class with
send(mobile, text))."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel, DeliveryFailed, plain_text

logger = logging.getLogger("yingji.sms")


class ConsoleGateway:
    """Writes each message to the log and keeps it in `outbox` (what tests read)."""

    outbox: list[tuple[str, str]] = []

    def send(self, mobile: str, text: str) -> None:
        ConsoleGateway.outbox.append((mobile, text))
        logger.warning("SMS to %s: %s", mobile, text)


def gateway():
    return import_string(getattr(settings, "SMS_GATEWAY", "yingji.notify.channels.sms.ConsoleGateway"))()


class SmsChannel(Channel):
    name = "sms"

    def address(self, notice):
        return notice.recipient.mobile or None

    def send(self, delivery):
        notice = delivery.notice
        try:
            gateway().send(notice.recipient.mobile, plain_text(notice)[:300])
        except OSError as exc:
            raise DeliveryFailed(str(exc)) from exc
