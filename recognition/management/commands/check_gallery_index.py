"""Measure the HNSW index's recall against exact search on one purpose's real templates."""

import json

from django.core.management.base import BaseCommand, CommandError

from audit.actors import Actor
from governance.models import Purpose
from recognition.services.index_check import DEFAULT_BREADTHS, gallery_index_check
from tenants.errors import ApplicationError
from tenants.models import Organization


class Command(BaseCommand):
    help = (
        "Decrypt one purpose's gallery into this process, index it and report recall@1 against "
        "exact search per search breadth, to choose RECOGNITION_INDEX_EXPANSION_SEARCH. "
        "Audited. A gallery of 1M templates takes about 20 minutes to index on 2 cores."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--purpose", required=True, type=int, help="purpose id")
        parser.add_argument(
            "--ef", type=int, nargs="+", default=list(DEFAULT_BREADTHS), help="search breadths"
        )
        parser.add_argument("--sample", type=int, default=1000, help="templates asked per breadth")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the report as JSON"
        )

    def handle(self, *args, org, purpose, ef, sample, as_json=False, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"no organization {org!r}")
        found = Purpose.objects.for_org(organization).filter(pk=purpose).first()
        if found is None:
            raise CommandError(f"organization {org!r} has no purpose {purpose}")
        try:
            report = gallery_index_check(
                purpose=found,
                actor=Actor.system("check_gallery_index"),
                expansion_search=ef,
                sample=sample,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if as_json:
            self.stdout.write(json.dumps(report, indent=1))
            return
        self.stdout.write(
            f"{report['template_count']} templates; workers search them by "
            f"{report['workers_search']} (index from {report['index_threshold']}); "
            f"configured breadth {report['configured_expansion_search']}"
        )
        self.stdout.write("breadth  recall@1  median ms  sample")
        for row in report["results"]:
            self.stdout.write(
                f"{row['expansion_search']:>7}  {row['recall_at_1']:>8.2%}  "
                f"{row['median_ms']:>9.3f}  {row['sample']:>6}"
            )
