from django.core.management.base import BaseCommand
from django.db import transaction

from yingji.core.calendar_data import package_years, sync_calendar_from_package


class Command(BaseCommand):
    help = (
        "Load the statutory holidays and make-up working days of every year the installed chinese-calendar "
        "package covers; safe to run again (adds and updates, never touches what staff entered)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            changed = sync_calendar_from_package(force=True)
        years = package_years()
        self.stdout.write(
            f"calendar: {years[0]}–{years[-1]} from chinese-calendar, {changed} rows added or changed"
        )
