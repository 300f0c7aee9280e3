from datetime import date

from django.core.management.base import BaseCommand

from yingji.audit.chain import utc_text
from yingji.audit.models import Checkpoint
from yingji.core import clock, inputs


class Command(BaseCommand):
    help = (
        "List the signed checkpoints of the audit chain; --export prints one line a day (the day's last "
        "checkpoint, Asia/Shanghai days) for the bank's archive, outside the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--export", action="store_true", help="one line a day, for the archive")
        parser.add_argument("--since", type=date.fromisoformat, help="from this day (YYYY-MM-DD) on")

    def handle(self, *args, export=False, since=None, **options):
        checkpoints = Checkpoint.objects.order_by("at", "id")
        if since is not None:
            checkpoints = checkpoints.filter(at__gte=inputs.day_start(since))
        if export:
            last_of_day: dict = {}
            for checkpoint in checkpoints.iterator():
                last_of_day[checkpoint.at.astimezone(clock.SHANGHAI).date()] = checkpoint
            for day, checkpoint in last_of_day.items():
                self.stdout.write(f"{day.isoformat()} {_line(checkpoint)}")
            return
        for checkpoint in checkpoints.iterator():
            self.stdout.write(_line(checkpoint))


def _line(checkpoint: Checkpoint) -> str:
    return (
        f"seq={checkpoint.seq} hash={checkpoint.hash} at={utc_text(checkpoint.at)} "
        f"key={checkpoint.key_id} sig={checkpoint.signature}"
    )
