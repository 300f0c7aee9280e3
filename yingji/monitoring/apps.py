from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "yingji.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and warnings")

    def ready(self) -> None:
        from yingji.notify.subjects import SubjectHooks, register

        from .notices import SUBJECT_TYPE, on_acknowledged

        register(SUBJECT_TYPE, SubjectHooks(on_acknowledged=on_acknowledged))
