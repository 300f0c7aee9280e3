"""What the deadlines and notify apps call back for complaints."""

from yingji.deadlines import subjects as deadline_subjects

from .services.common import SUBJECT_TYPE


def register_hooks() -> None:
    from .notices import on_deadline_checkpoint

    deadline_subjects.register(SUBJECT_TYPE, on_deadline_checkpoint)
