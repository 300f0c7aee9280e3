from django.core.management.base import BaseCommand

from yingji.security import checklists, coverage_jobs


class Command(BaseCommand):
    help = (
        "Load the shipped security inspection checklist (seed 001's five areas) and start the daily "
        "check that warns units not yet inspected; safe to run again."
    )

    def handle(self, *args, **options):
        counts = checklists.load()
        self.stdout.write(
            f"security checklist items: {counts['created']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
        if coverage_jobs.schedule():
            self.stdout.write("daily inspection coverage check: enqueued")
