from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "yingji.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from .rulebook import connect

        connect()
