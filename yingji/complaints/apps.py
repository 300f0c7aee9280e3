from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "yingji.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from .hooks import register_hooks

        register_hooks()
