"""An insider who rewrites the database is caught offline by a checkpoint handed out before.

Each case is one of issue 16's: the hash chain alone (``audit_verify``) is fooled by all three,
the offline verifier (``audit.offline``, export + earlier checkpoint + public key) by none.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.actors import Actor
from audit.hashing import chain_hash, content_digest_sql
from audit.offline import verify_export
from audit.services import (
    audit_checkpoint,
    audit_record,
    audit_seal_pending,
    audit_verifier_key,
    audit_verify,
)
from audit.services.exports import audit_export_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_out(chain, world):
    """Return the signed checkpoint of acme's ten events, as a regulator would already hold it."""
    return audit_checkpoint(organization_id=world.org.pk).note


def _as_insider(*statements):
    """Run SQL as someone who controls the database: every trigger off for the session."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET session_replication_role = replica")
        try:
            for sql, params in statements:
                cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def _rechain(org_id):
    """Recompute every seal's hash and the head, as the PL/pgSQL block of the issue does."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.seq, {content_digest_sql('e')} FROM audit_auditseal s "  # noqa: S608
            "JOIN audit_auditevent e ON e.id = s.event_id WHERE s.organization_id = %s "
            "ORDER BY s.seq",
            [org_id],
        )
        rows = cursor.fetchall()
    prev, statements = "0" * 64, []
    for seq, digest in rows:
        new = chain_hash(prev_hash=prev, seq=seq, digest=digest)
        statements.append(
            (
                "UPDATE audit_auditseal SET prev_hash = %s, hash = %s "
                "WHERE organization_id = %s AND seq = %s",
                [prev, new, org_id, seq],
            )
        )
        prev = new
    head = "UPDATE audit_auditchainhead SET last_hash = %s WHERE organization_id = %s"
    statements.append((head, [prev, org_id]))
    _as_insider(*statements)


def _offline(world, earlier):
    bundle = audit_export_bundle(organization_id=world.org.pk)
    return verify_export(bundle, audit_verifier_key(), [earlier])


def test_r31_edited_event_with_recomputed_chain_is_caught_offline(chain, world, handed_out):
    _as_insider(
        (
            'UPDATE audit_auditevent SET details = \'{"i": 9, "note": "forged"}\' WHERE id = %s',
            [chain[9].pk],
        )
    )
    _rechain(world.org.pk)
    assert audit_verify(organization_id=world.org.pk).ok  # the chain alone is fooled

    outcome = _offline(world, handed_out)

    assert not outcome.ok
    assert any("do not hash to the checkpoint's root" in p for p in outcome.problems)
    assert any("inconsistent with the earlier checkpoint of size 10" in p for p in outcome.problems)


def test_r16_forged_backdated_consent_event_is_caught_offline(chain, world, handed_out):
    claimed = timezone.now() - timedelta(days=30)
    _as_insider(
        (
            "WITH e AS (INSERT INTO audit_auditevent (organization_id, created_at, actor_type, "
            "actor_id, actor_label, action, target_type, target_id, subject_pseudonym, "
            "request_id, ip, details) VALUES (%s, %s, 'subject', 'p-1', 'data subject', "
            "'consent.given', 'consent', '1', 'p-1', '', NULL, '{}') RETURNING id) "
            "INSERT INTO audit_auditpending (event_id, organization_id_copy) SELECT id, %s FROM e",
            [world.org.pk, claimed, world.org.pk],
        )
    )
    audit_seal_pending()
    assert audit_verify(organization_id=world.org.pk).ok  # sealed as a normal event

    outcome = _offline(world, handed_out)

    assert not outcome.ok
    assert any("backdated" in p and "index 10" in p for p in outcome.problems)


def test_r52_truncated_log_with_deleted_heads_is_caught_offline(chain, world, handed_out):
    _as_insider(
        (
            "TRUNCATE audit_auditseal, audit_auditpending, audit_audittreenode, "
            "audit_auditcheckpoint, audit_auditevent",
            [],
        ),
        ("DELETE FROM audit_auditchainhead", []),
    )
    for i in range(3):
        audit_record(organization_id=world.org.pk, actor=Actor.system(), action=f"after.{i}")
    audit_seal_pending()
    report = audit_verify(organization_id=world.org.pk)
    assert report.ok and report.checked == 3  # "OK" for a log that lost its history

    outcome = _offline(world, handed_out)

    assert not outcome.ok
    assert any("the log shrank" in p for p in outcome.problems)
