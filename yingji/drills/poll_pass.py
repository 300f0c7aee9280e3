"""The pass a run page's poll carries, so that the poll which finds nothing new is answered from the
drill's row alone, before any session or user is read.

Each drawing of the live region (an authenticated, visibility-checked request) hands the viewer a signed
pass naming the drill and the user, good for YINGJI_DRILL_POLL_PASS_SECONDS. With a valid pass a poll
reads the drill's row and answers 204 when the page is current; anything else (a change, a fallen-due
inject, no pass, an expired or forged one) goes the whole way: session, user, visibility, the region.
What a pass can reveal after its holder lost access is only that the drill has not changed, for at most
the pass's life; every page with content is still drawn for a signed-in viewer who sees the drill."""

from django.conf import settings
from django.core import signing

from yingji.core import rows

from .models import Drill

SALT = "yingji.drills.poll-pass"

# Raw, so the database's values are converted as the ORM does (times aware), without compiling a query.
_DRILL_ROW = f"SELECT * FROM {rows.table(Drill)} WHERE id = %s"


def issue(*, drill: Drill, viewer) -> str:
    return signing.dumps([drill.pk, viewer.pk], salt=SALT)


def holds(value: str, pk: int) -> bool:
    """Whether `value` is a pass for drill `pk` that has not expired."""
    if not value or len(value) > 200:
        return False
    try:
        drill_id, _user_id = signing.loads(value, salt=SALT, max_age=settings.YINGJI_DRILL_POLL_PASS_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return drill_id == pk


def drill_row(pk: int) -> Drill | None:
    return next(iter(Drill.objects.raw(_DRILL_ROW, [pk])), None)
