from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yingji.notify.models import Delivery, Notice


class DeliveryFailed(Exception):
    """The channel could not deliver now; the job retries with back-off."""


class Channel:
    name = ""

    def address(self, notice: "Notice") -> str | None:
        """Where this notice goes on this channel, or None when the person has no address here."""
        raise NotImplementedError

    def send(self, delivery: "Delivery") -> None:
        """Deliver, or raise DeliveryFailed."""
        raise NotImplementedError


def plain_text(notice: "Notice") -> str:
    return f"【应急】{notice.title}\n{notice.body}\n请登录系统确认已收到：{notice.url}".strip()
