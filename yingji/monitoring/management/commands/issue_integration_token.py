"""`manage.py issue_integration_token --name … --kind acd --units CC --contact cc_manager`: a signal
integration and its token, printed once."""

from django.core.management.base import BaseCommand, CommandError

from yingji.core.errors import InvalidInput
from yingji.monitoring import services
from yingji.monitoring.models import Integration
from yingji.orgs.models import Person, Unit


class Command(BaseCommand):
    help = "Issue a token for a system that reports signals (printed once; only its hash is kept)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=Integration.Kind.values)
        parser.add_argument("--units", required=True, help="Unit codes it reports for, comma-separated.")
        parser.add_argument("--contact", required=True, help="Username of the person responsible for it.")

    def handle(self, *args, name: str, kind: str, units: str, contact: str, **options) -> None:
        codes = [c.strip() for c in units.split(",") if c.strip()]
        found = list(Unit.objects.filter(code__in=codes, is_active=True))
        if len(found) != len(set(codes)):
            raise CommandError(f"unknown units: {sorted(set(codes) - {u.code for u in found})}")
        person = Person.objects.filter(user__username=contact).select_related("user").first()
        if person is None:
            raise CommandError(f"no person {contact!r}")
        try:
            _integration, raw = services.issue_integration(
                actor=None, name=name, kind=kind, units=found, contact=person
            )
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
