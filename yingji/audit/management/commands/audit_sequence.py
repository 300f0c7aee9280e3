from django.core.management.base import BaseCommand

from yingji.audit.sequencer import sequence


class Command(BaseCommand):
    help = (
        "Chain the committed audit entries not chained yet and sign a checkpoint when one is due "
        "(the job workers do this every AUDIT_SEQUENCE_EVERY_SECONDS; this is for a one-off run)."
    )

    def handle(self, *args, **options):
        done = sequence()
        if not done.ran:
            self.stdout.write("another sequencer is running; nothing done")
            return
        seq, hash_ = done.head
        self.stdout.write(f"chained {done.chained} entries; head #{seq} {hash_[:16]}")
        if done.checkpoint is not None:
            self.stdout.write(
                f"checkpoint signed at #{done.checkpoint.seq} with key {done.checkpoint.key_id}"
            )
        for warning in done.warnings:
            self.stderr.write(warning)
