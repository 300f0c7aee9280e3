from django.core.management.base import BaseCommand

from yingji.monitoring.defaults import ensure_rules


class Command(BaseCommand):
    help = "Add the shipped warning rules that are missing (safe to run again)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"warning rules added: {ensure_rules()}")
