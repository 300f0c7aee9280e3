from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "yingji.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from yingji.core.workers import register_reaper

        from .rulebook import connect
        from .services import take_over_deliveries

        connect()
        register_reaper(take_over_deliveries)
