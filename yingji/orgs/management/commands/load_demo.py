from django.core.management.base import BaseCommand

from yingji.orgs.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo bank and its demo users; safe to run again (adds only what is missing)."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(
            "demo bank: {units} units, {people} people, {roster} roster days added".format(**created)
        )
        # Complaints go through the services, which need the bank above; tests load the bank alone.
        from django.conf import settings
        from django.utils import translation

        from yingji.complaints.demo import load_demo_complaints

        # What the demo's staff "wrote" (records, deadline rules) is in the bank's language, as in the pages.
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(f"demo complaints: {load_demo_complaints()} added")
