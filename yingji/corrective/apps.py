from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrectiveConfig(AppConfig):
    name = "yingji.corrective"
    label = "corrective"
    verbose_name = _("Corrective actions")

    def ready(self) -> None:
        from yingji.deadlines import subjects

        from .notices import SUBJECT_TYPE, on_deadline_checkpoint

        subjects.register(SUBJECT_TYPE, on_deadline_checkpoint)
