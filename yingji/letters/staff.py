"""New staff get their letter: every Person saved (created by a page, the Excel import, the demo or
anything else, or moved to another unit) passes through `post_save`, the one place all of them pass."""

from .models import Round


def on_person_saved(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    if raw:  # a fixture being loaded
        return
    from yingji.core import clock

    if not Round.objects.filter(year=clock.local_today().year).exists():
        return
    from .services import issue_to_newcomer

    issue_to_newcomer(instance)
