"""Rotate organization keys (R33): new key, everything below it re-wrapped, old one wiped."""

import os

from django.core.management.base import BaseCommand, CommandError

from audit.actors import Actor
from recognition import crypto
from recognition.services.galleries import gallery_cache_clear
from recognition.services.keys import organization_key_rotate, organization_keys_rewrap_master
from tenants.models import Organization


class Command(BaseCommand):
    help = (
        "Rotate each organization's key (or one, with --org). After changing MASTER_KEY, run "
        "with --old-master-env NAME (a variable holding the previous master key) to re-wrap."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organization (slug)")
        parser.add_argument("--old-master-env", help="environment variable with the old master key")

    def handle(self, *args, org=None, old_master_env=None, **options):
        actor = Actor.system("rotate_org_keys")
        if old_master_env:
            text = os.environ.get(old_master_env, "")
            if not text:
                raise CommandError(f"{old_master_env} is not set")
            count = organization_keys_rewrap_master(
                old_master=crypto.key_from_text(text), actor=actor
            )
            self.stdout.write(f"re-wrapped {count} organization key(s) under the new master key")
            return
        organizations = Organization.objects.all()
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"no organization {org!r}")
        for organization in organizations.order_by("pk"):
            done = organization_key_rotate(organization=organization, actor=actor)
            self.stdout.write(
                f"{organization.slug}: {done['old_kid']} -> {done['new_kid']}, "
                f"{done['subject_keys']} subject keys, {done['probe_keys']} probe keys, "
                f"{done['webhook_secrets']} webhook secrets re-wrapped"
            )
        gallery_cache_clear()
