from django.conf import settings
from django.core.mail import EmailMessage

from .base import Channel, DeliveryFailed, plain_text


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
        )
        try:
            message.send()
        except OSError as exc:
            raise DeliveryFailed(str(exc)) from exc
