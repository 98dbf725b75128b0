from django.core.management.base import BaseCommand, CommandError

from tenants.errors import ApplicationError
from tenants.models import Organization
from tenants.services import organization_create


class Command(BaseCommand):
    help = "Create an organization and its first owner (stable interface for scripts)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument(
            "--owner-password",
            help="the password of a new owner account (refused for an existing account)",
        )
        parser.add_argument(
            "--jurisdiction", default="CN", choices=Organization.Jurisdiction.values
        )

    def handle(self, *args, **options):
        try:
            org = organization_create(
                name=options["name"],
                slug=options["slug"],
                owner_email=options["owner_email"],
                owner_password=options["owner_password"],
                jurisdiction=options["jurisdiction"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created organization {org.slug} (id {org.pk})")
        self.stdout.write(org.slug)
