from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yingji.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from django.conf import settings

        from yingji.core.workers import register_periodic

        from .sequencer import tick

        # Every job worker chains the committed audit entries; the sequencer's lock lets one at a time.
        register_periodic(tick, lambda: settings.AUDIT_SEQUENCE_EVERY_SECONDS)
