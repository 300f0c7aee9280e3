from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from yingji.api.services import issue_token
from yingji.core.errors import DomainError
from yingji.orgs.models import Person


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (shown once; only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            person = Person.objects.select_related("user", "unit").get(user__username=username)
        except Person.DoesNotExist as exc:
            if User.objects.filter(username=username).exists():
                raise CommandError(f"{username} has no unit: tokens act with a person's visibility") from exc
            raise CommandError(f"no user named {username}") from exc
        try:
            _, raw = issue_token(actor=None, person=person)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
