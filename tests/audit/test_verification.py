import pytest
from django.core.management import CommandError, call_command

from audit.actors import Actor
from audit.models import AuditChainHead, AuditSeal
from audit.services import audit_record, audit_seal_pending, audit_verify

pytestmark = pytest.mark.django_db


def _seq(event):
    return AuditSeal.objects.get(event=event).seq


def test_intact_chain_verifies(world, chain):
    report = audit_verify(organization_id=world.org.pk)
    # organization creation fixtures record nothing; the ten events are the whole chain
    assert report.ok, report.message
    assert report.checked == 10
    head = AuditChainHead.objects.get(organization=world.org)
    assert head.verified_ok is True


def test_row_altered_with_trigger_disabled_is_caught_by_audit_verify(world, chain, tamper, capsys):
    victim = chain[4]
    tamper("UPDATE audit_auditevent SET details = '{\"i\": 400}' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match="1 chain"):
        call_command("audit_verify", "--org", "acme")
    out = capsys.readouterr().out
    assert f"chain broken at seq {_seq(victim)} (event #{victim.pk})" in out
    assert "no longer matches its hash" in out


def test_other_organizations_chain_is_unaffected_by_tampering(world, chain, tamper):
    tamper("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [chain[0].pk])
    assert not audit_verify(organization_id=world.org.pk).ok
    assert audit_verify(organization_id=world.outsider_org.pk).ok


def test_removed_event_is_named_as_missing_link(world, chain, tamper):
    victim = chain[6]
    seq = _seq(victim)
    tamper("DELETE FROM audit_auditseal WHERE event_id = %s", [victim.pk])
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    report = audit_verify(organization_id=world.org.pk)
    assert not report.ok
    assert report.first_broken_seq == seq
    assert "missing" in report.reason


def test_recomputed_seal_is_caught_through_its_successor(world, chain, tamper):
    """A forger who rewrites an event and its own hash still breaks the next link."""
    from django.db import connection

    from audit.hashing import chain_hash, content_digest_sql

    victim = chain[3]
    tamper("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [victim.pk])
    seal = AuditSeal.objects.get(event=victim)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {content_digest_sql('e')} FROM audit_auditevent e WHERE e.id = %s",
            [victim.pk],
        )
        digest = cursor.fetchone()[0]
    forged = chain_hash(prev_hash=seal.prev_hash, seq=seal.seq, digest=digest)
    tamper("UPDATE audit_auditseal SET hash = %s WHERE event_id = %s", [forged, victim.pk])
    report = audit_verify(organization_id=world.org.pk)
    assert not report.ok
    assert report.first_broken_seq == seal.seq + 1
    assert "predecessor" in report.reason


def test_cut_off_tail_is_detected(world, chain, tamper):
    last = chain[-1]
    tamper("DELETE FROM audit_auditseal WHERE event_id = %s", [last.pk])
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    report = audit_verify(organization_id=world.org.pk)
    assert not report.ok
    assert "head says" in report.reason


def test_unsealed_event_outside_the_queue_is_detected(world, chain, tamper):
    event_id = audit_record(organization_id=world.org.pk, actor=Actor.system(), action="late")
    tamper("DELETE FROM audit_auditpending WHERE event_id = %s", [event_id])
    report = audit_verify(organization_id=world.org.pk)
    assert not report.ok
    assert "carry no seal" in report.reason


def test_pending_events_are_sealed_in_order_after_the_existing_chain(world, chain):
    late = audit_record(organization_id=world.org.pk, actor=Actor.system(), action="late")
    assert audit_seal_pending(organization_id=world.org.pk) == 1
    assert _seq(late) == _seq(chain[-1]) + 1
    assert audit_verify(organization_id=world.org.pk).ok


def test_audit_verify_command_reports_each_organization(world, chain, capsys):
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "acme: OK: chain intact: 10 sealed events verified" in out
    assert "other: OK" in out


def test_audit_verify_command_rejects_unknown_organization(db):
    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        call_command("audit_verify", "--org", "nope")
