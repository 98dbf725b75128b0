from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_seal_pending, audit_verify
from tenants.models import Organization


class Command(BaseCommand):
    help = "Seal pending audit events, then recompute each organization's hash chain."

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="only this organization")

    def handle(self, *args, **options):
        orgs = Organization.objects.order_by("slug")
        if options["org"]:
            orgs = orgs.filter(slug=options["org"])
            if not orgs.exists():
                raise CommandError(f"no organization with slug {options['org']!r}")
        broken = 0
        for org in orgs:
            audit_seal_pending(organization_id=org.pk)
            report = audit_verify(organization_id=org.pk)
            self.stdout.write(f"{org.slug}: {'OK' if report.ok else 'BROKEN'}: {report.message}")
            broken += not report.ok
        if broken:
            raise CommandError(f"{broken} chain(s) broken")
