"""One module per channel on one base class. The in-app channel is the Notice row itself (the bell);
these deliver a copy elsewhere."""

from .base import Channel
from .email import EmailChannel
from .sms import SmsChannel
from .webhook import WebhookChannel

PERSONAL: list[Channel] = [EmailChannel(), SmsChannel()]


def channel_for(name: str) -> Channel:
    if name.startswith(WebhookChannel.name + ":"):
        return WebhookChannel()
    for channel in PERSONAL:
        if channel.name == name:
            return channel
    raise LookupError(name)
