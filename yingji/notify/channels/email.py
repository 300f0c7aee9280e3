from django.conf import settings
from django.core.mail import EmailMessage

from .base import Channel, DeliveryFailed, plain_text


def message_id(key: str) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "yingji.localhost"
    return f"<{key}@{domain}>"


class EmailChannel(Channel):
    name = "email"

    def address(self, notice):
        return notice.recipient.user.email or None

    def send(self, delivery):
        notice = delivery.notice
        message = EmailMessage(
            subject=f"【应急】{notice.title}",
            body=plain_text(notice),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notice.recipient.user.email],
            # The same Message-ID on every attempt: a mail system that sees it twice (a copy sent again
            # after its worker died) keeps one.
            headers={"Message-ID": message_id(delivery.key)},
        )
        try:
            message.send()
        except OSError as exc:
            raise DeliveryFailed(str(exc)) from exc
