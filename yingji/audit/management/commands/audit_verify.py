from django.core.management.base import BaseCommand, CommandError

from yingji.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Walk the audit chain; exit 1 naming the first entry that was altered, removed or reordered."

    def handle(self, *args, **options):
        verdict = verify_chain()
        if not verdict.ok:
            raise CommandError(
                f"audit chain broken at entry #{verdict.bad_seq}: {verdict.reason} "
                f"({verdict.verified} entries before it verified)",
                returncode=1,
            )
        self.stdout.write(f"audit chain intact: {verdict.verified} entries verified")
