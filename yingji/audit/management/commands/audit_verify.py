from django.core.management.base import BaseCommand, CommandError

from yingji.audit.verify import verify_chain

LATE = 3  # exit status when the chain holds but an entry waited (or waits) beyond the bound


class Command(BaseCommand):
    help = (
        "Walk the audit chain and check every signed checkpoint; exit 1 naming the first entry or "
        "checkpoint that does not hold, 3 when all hold but entries waited longer than the bound to be "
        "chained."
    )

    def handle(self, *args, **options):
        verdict = verify_chain()
        if not verdict.ok:
            raise CommandError(
                f"audit chain broken at entry #{verdict.bad_seq}: {verdict.reason} "
                f"({verdict.verified} entries before it verified)",
                returncode=1,
            )
        self.stdout.write(f"audit chain intact: {verdict.verified} entries verified")
        if verdict.keys_configured:
            self.stdout.write(f"checkpoints: {verdict.checkpoints} signed checkpoints hold")
        else:
            self.stderr.write(
                "checkpoints: NO PUBLIC KEY CONFIGURED (AUDIT_PUBLIC_KEYS_FILE): the chain is only "
                "self-consistent; someone who can write to the database can rewrite it undetected"
            )
        for seq, seconds in verdict.late:
            self.stdout.write(f"late: entry #{seq} waited {seconds:.1f} s to be chained")
        if verdict.late_count > len(verdict.late):
            self.stdout.write(f"late: … {verdict.late_count - len(verdict.late)} more")
        for seq, seconds in verdict.waiting:
            self.stdout.write(f"waiting: entry number {seq} committed, not chained after {seconds:.1f} s")
        if verdict.waiting_count > len(verdict.waiting):
            self.stdout.write(f"waiting: … {verdict.waiting_count - len(verdict.waiting)} more")
        if not verdict.timely:
            raise CommandError(
                f"{verdict.late_count} entries waited, and {verdict.waiting_count} still wait, longer than "
                "the bound (AUDIT_SEQUENCE_BOUND_SECONDS) to be chained: is the job worker running?",
                returncode=LATE,
            )
