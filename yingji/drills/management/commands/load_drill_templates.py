from django.core.management.base import BaseCommand, CommandError

from yingji.drills import compliance_jobs, requirements
from yingji.drills.templates import TemplateError, load_templates


class Command(BaseCommand):
    help = (
        "Load the shipped drill templates (after load_plans: they draw its plans), the default drill "
        "requirement if the bank has none, and start the daily compliance check; safe to run again."
    )

    def handle(self, *args, **options):
        try:
            counts = load_templates()
        except TemplateError as exc:
            raise CommandError("the drill templates have errors:\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(
            f"drill templates: {counts['created']} new, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
        # Seed 000's outlets drill every quarter: the bank starts with that requirement (本行设定) and
        # changes it on the requirements page; the daily check that warns about it starts with the product.
        if requirements.ensure_default() is not None:
            self.stdout.write("drill requirement: outlets every 3 months, warned 15 days before (default)")
        if compliance_jobs.schedule():
            self.stdout.write("daily drill compliance check: enqueued")
