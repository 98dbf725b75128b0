import json

from django.core.management.base import BaseCommand, CommandError

from audit.actors import Actor
from audit.services import audit_verifier_key
from audit.services.exports import audit_export_bundle
from tenants.models import Organization


class Command(BaseCommand):
    help = (
        "Write an organization's audit log as a verifiable export (entries, signed checkpoint, "
        "consistency proofs) for audit_verify_offline; print the verifier key with --key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG")
        parser.add_argument("--out", help="file to write (default: standard output)")
        parser.add_argument(
            "--consistency-from",
            type=int,
            nargs="*",
            default=[],
            metavar="SIZE",
            help="tree sizes of earlier checkpoints to prove consistency from",
        )
        parser.add_argument("--key", action="store_true", help="print the verifier key only")

    def handle(self, *args, **options):
        if options["key"]:
            self.stdout.write(audit_verifier_key())
            return
        org = Organization.objects.filter(slug=options["org"] or "").first()
        if org is None:
            raise CommandError(f"no organization with slug {options['org']!r}")
        bundle = audit_export_bundle(
            organization_id=org.pk,
            consistency_from=options["consistency_from"],
            actor=Actor.system("manage.py audit_export"),
            purpose="command line export",
        )
        text = json.dumps(bundle, ensure_ascii=False)
        if options["out"]:
            with open(options["out"], "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"{len(bundle['events'])} events, tree size {bundle['tree_size']}")
        else:
            self.stdout.write(text)
