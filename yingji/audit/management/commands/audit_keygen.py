from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yingji.audit import keys


class Command(BaseCommand):
    help = (
        "Make a new Ed25519 checkpoint key: its private half at AUDIT_SIGNING_KEY_FILE (or --private), "
        "its public half added to AUDIT_PUBLIC_KEYS_FILE (or --public), earlier public keys kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--private", type=Path, help="where to write the private key (PEM, mode 600)")
        parser.add_argument("--public", type=Path, help="the public keys file to add the new key to")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="only when no signing key is configured (what make run and the tests do)",
        )

    def handle(self, *args, private=None, public=None, if_missing=False, **options):
        private = private or Path(settings.AUDIT_SIGNING_KEY_FILE)
        public = public or Path(settings.AUDIT_PUBLIC_KEYS_FILE)
        if if_missing:
            try:
                if keys.signer() is not None:
                    return
            except keys.KeyProblem as problem:
                raise CommandError(str(problem)) from problem
        elif private.exists():
            raise CommandError(
                f"{private} exists: move it away first (see docs/operations.md, rotating the key)"
            )
        key_id = keys.generate(private, public, comment=f"made by audit_keygen for {private}")
        self.stdout.write(
            f"audit: no checkpoint key was configured; made key {key_id}: private {private}, public added "
            f"to {public}."
            if if_missing
            else f"made key {key_id}: private {private}, public added to {public}"
        )
