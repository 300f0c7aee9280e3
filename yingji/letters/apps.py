from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "yingji.letters"
    label = "letters"
    verbose_name = _("Responsibility letters")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from yingji.deadlines import subjects
        from yingji.orgs.models import Person

        from .reminders import SUBJECT_TYPE, on_deadline_checkpoint
        from .staff import on_person_saved

        subjects.register(SUBJECT_TYPE, on_deadline_checkpoint)
        post_save.connect(on_person_saved, sender=Person, dispatch_uid="letters.person_saved")
