from django.core.management.base import BaseCommand

from yingji.yearplan.template import load


class Command(BaseCommand):
    help = "Load the shipped template of the annual security work plan (seed 001); safe to run again."

    def handle(self, *args, **options):
        loaded = load()
        self.stdout.write(
            "annual plan template: {phases} phases, {tasks} tasks ({created} new)".format(**loaded)
        )
