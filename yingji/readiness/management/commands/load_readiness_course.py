from django.core.management.base import BaseCommand

from yingji.readiness import course


class Command(BaseCommand):
    help = "Load the course of seed 003 (the eight kinds of outlet emergencies); safe to run again."

    def handle(self, *args, **options):
        created = course.load()
        self.stdout.write(f"course: {created} kinds added, {len(course.shipped()['kinds'])} in the course")
