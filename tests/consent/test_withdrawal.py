"""R13: withdrawal is one step, takes effect at commit, and tells recognition to purge (R22)."""

import pytest

from audit.models import AuditEvent
from consent import signals
from consent.models import Consent, ConsentEvent, ConsentReceipt
from consent.selectors import active_subject_ids_for, consent_active_for
from consent.services import consent_restore, consent_restrict, consent_withdraw
from tenants.errors import Conflict

pytestmark = pytest.mark.django_db


def test_r13_withdrawn_consent_is_not_active(cw):
    consent, _ = cw.grant()
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    assert not consent_active_for(subject=cw.subject, purpose=cw.purpose)
    assert active_subject_ids_for(organization=cw.org, purpose=cw.purpose) == set()
    consent.refresh_from_db()
    assert consent.state == "withdrawn" and consent.withdrawal_channel == "api"
    assert [e.type for e in consent.events.all()] == ["given", "withdrawn"]
    audit = AuditEvent.objects.get(action="consent.withdrawn")
    assert audit.subject_pseudonym == str(cw.subject.pseudonym)


def test_r13_withdrawal_signal_is_sent_after_commit_with_the_contract_kwargs(
    cw, django_capture_on_commit_callbacks
):
    consent, _ = cw.grant()
    received = []

    def receiver(sender, **kwargs):
        # By the time recognition hears of it, the withdrawal is visible to every reader.
        received.append((kwargs, Consent.objects.get(pk=kwargs["consent_id"]).state))

    signals.consent_withdrawn.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            consent_withdraw(consent=consent, actor=cw.actor, channel="web")
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        signals.consent_withdrawn.disconnect(receiver)
    assert len(received) == 1
    kwargs, state = received[0]
    assert state == "withdrawn"
    assert kwargs == {
        "signal": signals.consent_withdrawn,
        "organization_id": cw.org.pk,
        "subject_id": cw.subject.pseudonym,
        "consent_id": consent.pk,
        "purpose_version_id": cw.version.pk,
        "purpose_id": cw.purpose.pk,
        "actor": cw.actor,
    }


def test_r13_withdrawing_twice_is_a_conflict_and_adds_nothing(cw):
    consent, _ = cw.grant()
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    events, receipts = ConsentEvent.objects.count(), ConsentReceipt.objects.count()
    with pytest.raises(Conflict, match="already withdrawn"):
        consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    assert (ConsentEvent.objects.count(), ConsentReceipt.objects.count()) == (events, receipts)


def test_r13_withdrawal_issues_a_signed_receipt(cw):
    consent, _ = cw.grant()
    _consent, receipt = consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    assert receipt.event.type == "withdrawn"
    assert '"state":"withdrawn"' in receipt.body


def test_r13_consent_can_be_given_again_after_withdrawal_on_the_same_record(cw):
    consent, _ = cw.grant()
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    again, _ = cw.grant()
    assert again.pk == consent.pk and again.state == "active"
    assert [e.type for e in again.events.all()] == ["given", "withdrawn", "given"]


def test_r14_withdrawal_routes_the_subject_to_the_alternative(cw):
    consent, _ = cw.grant()
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    cw.subject.refresh_from_db()
    assert cw.subject.choice == "alternative"


def test_r22_restricted_consent_is_not_active_and_restore_brings_it_back(
    cw, django_capture_on_commit_callbacks
):
    consent, _ = cw.grant()
    changes = []

    def receiver(sender, **kwargs):
        changes.append((kwargs["from_state"], kwargs["to_state"]))

    signals.consent_state_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            consent_restrict(consent=consent, actor=cw.actor, reason="court order")
        assert not consent_active_for(subject=cw.subject, purpose=cw.purpose)
        with django_capture_on_commit_callbacks(execute=True):
            consent_restore(consent=consent, actor=cw.actor, reason="order lifted")
    finally:
        signals.consent_state_changed.disconnect(receiver)
    assert consent_active_for(subject=cw.subject, purpose=cw.purpose)
    assert changes == [("active", "restricted"), ("restricted", "active")]
    assert [e.type for e in consent.events.all()] == ["given", "restricted", "restored"]


def test_withdrawal_in_the_panel_is_one_click(cw, world, panel_as):
    consent, _ = cw.grant()
    response = panel_as(world.operator).post(f"/o/acme/consents/{consent.public_id}/withdraw/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.state == "withdrawn"


def test_withdrawal_in_the_panel_is_refused_to_auditors(cw, world, panel_as):
    consent, _ = cw.grant()
    response = panel_as(world.auditor).post(f"/o/acme/consents/{consent.public_id}/withdraw/")
    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.state == "active"
