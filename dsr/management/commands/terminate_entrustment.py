import json

from django.core.management.base import BaseCommand, CommandError

from audit.actors import Actor
from dsr.services.termination import TOPIC, termination_run_execute, termination_start
from outbox.models import OutboxEvent
from tenants.errors import ApplicationError
from tenants.models import Organization


class Command(BaseCommand):
    help = (
        "End an organization's entrustment (R51): queue the termination run its contract "
        "states (return or delete); with --now, carry it out in this process and print the "
        "report. It deletes every subject's data: --confirm is required."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", required=True)
        parser.add_argument("--confirm", action="store_true", help="yes, delete all its data")
        parser.add_argument("--now", action="store_true", help="run here rather than on a worker")

    def handle(self, *args, **options):
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"no organization with slug {options['org']!r}")
        if not options["confirm"]:
            raise CommandError("this deletes all personal data of the organization: add --confirm")
        try:
            run = termination_start(
                organization=org, actor=Actor.system("manage.py terminate_entrustment")
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc}") from None
        if options["now"] and not run.is_finished:
            # The same service the worker runs, on the run's own outbox event (still pending
            # when no worker took it); a worker holding it makes this return "held".
            pending = OutboxEvent.objects.filter(
                topic=TOPIC, organization_id=org.pk, done_at__isnull=True
            ).order_by("-pk")
            for event in pending:
                if event.payload.get("run_id") == run.pk:
                    termination_run_execute(event_id=event.pk, organization_id=org.pk)
                    break
            run.refresh_from_db()
        self.stdout.write(
            json.dumps(
                {"run": run.pk, "mode": run.mode, "status": run.status, "report": run.report},
                ensure_ascii=False,
                indent=1,
            )
        )
