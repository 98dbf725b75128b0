"""Consent history retention (R16): kept three years after the last event, then purged."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from audit.models import AuditEvent
from consent.models import Consent, ConsentEvent, ConsentReceipt
from consent.services import consent_history_purge_expired, consent_withdraw
from consent.tasks import purge_expired_history
from tests.factories import SubjectFactory

# A real transaction per call: SET LOCAL must end with the purge's own transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def _backdate(consent: Consent, *, days: int) -> None:
    """Move a consent's whole history ``days`` into the past (the trigger is off meanwhile)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE consent_consentevent DISABLE TRIGGER consent_event_append_only")
        cursor.execute(
            "UPDATE consent_consentevent SET at = at - %s * interval '1 day', "
            "retain_until = retain_until - %s * interval '1 day' WHERE consent_id = %s",
            [days, days, consent.pk],
        )
        cursor.execute("ALTER TABLE consent_consentevent ENABLE TRIGGER consent_event_append_only")
    Consent.objects.filter(pk=consent.pk).update(
        retain_until=F("retain_until") - timedelta(days=days)
    )


def test_r16_consent_history_is_purged_only_after_three_years(cw):
    expired, _receipt = cw.grant(subject=SubjectFactory(organization=cw.org))
    consent_withdraw(consent=expired, actor=cw.actor, channel="api")
    _backdate(expired, days=3 * 365 + 2)

    # An old grant, withdrawn a year ago: the last event is what counts.
    changed, _receipt = cw.grant(subject=SubjectFactory(organization=cw.org))
    _backdate(changed, days=5 * 365)
    consent_withdraw(consent=changed, actor=cw.actor, channel="api")
    _backdate(changed, days=365)

    # Three years less a day since its only event.
    young, _receipt = cw.grant(subject=SubjectFactory(organization=cw.org))
    _backdate(young, days=3 * 365)

    result = purge_expired_history()

    assert result == {"events": 2, "receipts": 2}
    assert not ConsentEvent.objects.filter(consent=expired).exists()
    assert not ConsentReceipt.objects.filter(consent=expired).exists()
    assert Consent.objects.filter(pk=expired.pk).exists()
    assert ConsentEvent.objects.filter(consent=changed).count() == 2
    assert ConsentReceipt.objects.filter(consent=changed).count() == 2
    assert ConsentEvent.objects.filter(consent=young).count() == 1

    audit = AuditEvent.objects.get(action="consent_history.purged")
    assert audit.organization_id == cw.org.pk
    assert audit.details["events"] == 2 and audit.details["receipts"] == 2
    assert not audit.subject_pseudonym

    # The purge setting ended with the purge's transaction: history is append-only again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('consent.purge', true)")
        assert cursor.fetchone()[0] in (None, "", "off")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM consent_consentevent WHERE consent_id = %s", [young.pk])
    # A caller's clock in the future cannot purge what the database clock still keeps.
    future = consent_history_purge_expired(now=young.given_at + timedelta(days=10 * 365))
    assert future == {"events": 0, "receipts": 0}
    assert consent_history_purge_expired() == {"events": 0, "receipts": 0}
