from django.core.management.base import BaseCommand, CommandError

from yingji.drills.templates import TemplateError, load_templates


class Command(BaseCommand):
    help = "Load the shipped drill templates (after load_plans: they draw its plans); safe to run again."

    def handle(self, *args, **options):
        try:
            counts = load_templates()
        except TemplateError as exc:
            raise CommandError("the drill templates have errors:\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(
            f"drill templates: {counts['created']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
