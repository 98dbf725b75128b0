"""The record of processing (R31), named in its tests (issue 17).

FRM Art. 9 and PIPL Art. 55 ask for a record of processing; the product keeps it as an
append-only, hash-chained log per organization. These fail if either guarantee is removed.
"""

import pytest
from django.db import DatabaseError, transaction

from audit.actors import Actor
from audit.models import AuditEvent, AuditSeal
from audit.services import audit_record, audit_seal_pending, audit_verify

pytestmark = pytest.mark.django_db


def test_R31_each_event_is_chained_to_the_one_before(world, chain):
    seals = list(AuditSeal.objects.filter(event__in=chain).order_by("seq"))
    assert [s.seq for s in seals] == list(range(seals[0].seq, seals[0].seq + len(chain)))
    for before, after in zip(seals, seals[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit_verify(organization_id=world.org.pk).ok


def test_R31_an_edited_record_is_caught_by_verification(world, chain, tamper):
    tamper("UPDATE audit_auditevent SET action = 'rewritten' WHERE id = %s", [chain[2].pk])
    report = audit_verify(organization_id=world.org.pk)
    assert not report.ok and report.first_broken_seq is not None


def test_R31_the_database_refuses_to_change_a_recorded_event(world):
    pk = audit_record(organization_id=world.org.pk, actor=Actor.system(), action="job.ran")
    audit_seal_pending()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=pk).update(action="nothing happened")
    assert AuditEvent.objects.get(pk=pk).action == "job.ran"
