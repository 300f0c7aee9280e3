from django.core.management.base import BaseCommand

from yingji.drills import compliance_jobs


class Command(BaseCommand):
    help = (
        "Warn the units that have not drilled in a period ending soon, and head office of plans not drilled "
        "for too long (once per unit and period: safe to run again). --schedule starts the daily run instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="enqueue the daily check unless one is already waiting"
        )

    def handle(self, *args, **options) -> None:
        if options["schedule"]:
            queued = compliance_jobs.schedule()
            self.stdout.write(
                "daily drill compliance check: " + ("enqueued" if queued else "already waiting")
            )
            return
        counts = compliance_jobs.check()
        self.stdout.write(f"drill compliance: {counts['units']} units warned, {counts['plans']} plans warned")
