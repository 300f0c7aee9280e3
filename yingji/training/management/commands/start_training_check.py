from django.core.management.base import BaseCommand

from yingji.training import jobs


class Command(BaseCommand):
    help = (
        "Start the daily check that warns units which have not held the training sessions of the bank's "
        "schedule before a period ends; safe to run again (one check waits at a time)."
    )

    def handle(self, *args, **options):
        if jobs.schedule():
            self.stdout.write("daily training coverage check: enqueued")
