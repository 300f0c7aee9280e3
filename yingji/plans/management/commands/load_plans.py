from django.core.management.base import BaseCommand, CommandError

from yingji.plans.loader import LibraryError, load_library


class Command(BaseCommand):
    help = "Load the shipped plan library (kinds, level rules, plans); safe to run again."

    def handle(self, *args, **options):
        try:
            s = load_library()
        except LibraryError as exc:
            raise CommandError("the plan library has errors:\n" + "\n".join(exc.errors)) from exc
        # The kinds exist now: give the ones with a standing regulator duty their default rule.
        from yingji.notify.defaults import ensure_defaults

        ensure_defaults()
        self.stdout.write(
            f"plan library: {s.kinds} kinds, {s.rules} rules; plans {s.plans_created} new, "
            f"{s.plans_revised} revised, {s.plans_unchanged} unchanged; "
            f"{s.steps} steps in {len(s.files)} files"
        )
        for line in s.plans_renamed:
            self.stdout.write(f"plan renamed: {line}")
        if s.rules_removed:
            self.stdout.write(f"level rules no longer shipped, removed: {', '.join(s.rules_removed)}")
