"""Checkpoints reach the organization and the command line (issue 16)."""

import pytest
from django.core import mail
from django.core.management import call_command

from audit.actors import Actor
from audit.services import audit_checkpoint, audit_record, audit_seal_pending
from portal.tasks import audit_checkpoint_digest

pytestmark = pytest.mark.django_db


def test_daily_digest_mails_the_latest_checkpoint_to_owners_and_dpos(world):
    audit_record(organization_id=world.org.pk, actor=Actor.system(), action="t.one")
    audit_seal_pending()
    checkpoint = audit_checkpoint(organization_id=world.org.pk)

    assert audit_checkpoint_digest() == 1

    (message,) = [m for m in mail.outbox if checkpoint.note.splitlines()[0] in m.body]
    assert checkpoint.note in message.body
    assert set(message.to) >= {world.owner.email, world.dpo.email}


def test_audit_export_command_output_verifies_with_the_offline_command(world, tmp_path):
    audit_record(organization_id=world.org.pk, actor=Actor.system(), action="t.one")
    export, key = tmp_path / "export.json", tmp_path / "verifier.key"

    call_command("audit_export", org=world.org.slug, out=str(export))
    call_command("audit_export", key=True, stdout=key.open("w"))

    call_command("audit_verify_offline", export=str(export), key=str(key))
