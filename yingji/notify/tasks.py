from yingji.core.jobs import NOW_PRIORITY, job

from .channels import channel_for
from .channels.base import DeliveryFailed
from .models import Delivery, DeliveryStatus

# Sending what is decided goes before deciding more: in a surge, each batch's notices leave as soon as
# its alarm is raised, not after every alarm still waiting.
DELIVERY_PRIORITY = NOW_PRIORITY + 5


@job(priority=DELIVERY_PRIORITY)
def deliver_notices(*, notice_ids: list[int]) -> int:
    """Send every delivery of these notices that is not sent yet. A failure is kept on its delivery and
    the job is retried with back-off; what was already sent is not sent again."""
    from .services import claim, mark

    sent, failures = 0, []
    pending = (
        Delivery.objects.filter(notice_id__in=notice_ids)
        .exclude(status=DeliveryStatus.SENT)
        .select_related("notice__recipient__user", "notice__unit")
    )
    for delivery in pending:
        if not claim(delivery):
            continue
        try:
            channel_for(delivery.channel).send(delivery)
        except Exception as exc:
            # Whatever went wrong, the claimed delivery is marked failed so the retry sends it again;
            # an exception left unmarked would strand it as "sending" and the notice never goes out.
            mark(delivery, sent=False, error=f"{type(exc).__name__}: {exc}"[:500])
            failures.append(f"{delivery.channel}: {exc}")
        else:
            mark(delivery, sent=True)
            sent += 1
    if failures:
        raise DeliveryFailed("; ".join(failures))
    return sent


@job
def check_acknowledgements(*, notice_ids: list[int]) -> int:
    from .services import escalate_overdue

    return escalate_overdue(notice_ids=notice_ids)
