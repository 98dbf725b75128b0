from django.core.management.base import BaseCommand, CommandError

from audit.actors import Actor
from tenants.errors import ApplicationError
from tenants.models import Organization
from tenants.roles import Role
from tenants.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key; the key alone is printed on the last line (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, metavar="SLUG")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="command-line key")

    def handle(self, *args, **options):
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organization with slug {options['org']!r}")
        try:
            key, secret = api_key_create(
                organization=org,
                actor=Actor.system("create_api_key command"),
                name=options["name"],
                role=options["role"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created API key {key.prefix} ({key.role}) for {org.slug}")
        self.stdout.write(secret)
