"""Check an audit export against signed checkpoints without touching the database."""

from django.core.management.base import BaseCommand, CommandError

from audit.offline import main


class Command(BaseCommand):
    help = (
        "Verify an audit export (from the panel, the API or audit_export) against the verifier "
        "key and earlier checkpoints. Reads no database; the same as python -m audit.offline."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--export", required=True)
        parser.add_argument("--key", required=True, help="verifier key, or a file holding it")
        parser.add_argument("--checkpoint", action="append", default=[])
        parser.add_argument("--max-seal-delay", type=int, default=300)

    def handle(self, *args, **options):
        argv = ["--export", options["export"], "--key", options["key"]]
        for path in options["checkpoint"]:
            argv += ["--checkpoint", path]
        argv += ["--max-seal-delay", str(options["max_seal_delay"])]
        if main(argv) != 0:
            raise CommandError("the export does not verify")
