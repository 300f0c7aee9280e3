from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearplanConfig(AppConfig):
    name = "yingji.yearplan"
    label = "yearplan"
    verbose_name = _("Annual security work plans")

    def ready(self) -> None:
        from yingji.deadlines import subjects

        from .notices import SUBJECT_TYPE, on_deadline_checkpoint

        subjects.register(SUBJECT_TYPE, on_deadline_checkpoint)
