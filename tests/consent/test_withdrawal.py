"""R13: withdrawal is one step, takes effect at commit, and tells recognition to purge (R22)."""

import pytest

from audit.models import AuditEvent
from consent.models import ConsentEvent, ConsentReceipt
from consent.selectors import active_subject_ids_for, consent_active_for
from consent.services import consent_restore, consent_restrict, consent_withdraw
from outbox.models import OutboxEvent
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


def test_r13_withdrawal_records_one_event_with_the_change_and_dispatches_after_commit(
    cw, django_capture_on_commit_callbacks, monkeypatch
):
    consent, _ = cw.grant()
    dispatched = []
    monkeypatch.setattr(
        "outbox.services.event_dispatch", lambda *, event_id: dispatched.append(event_id)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        consent_withdraw(consent=consent, actor=cw.actor, channel="web")
    # Written in the withdrawal's own transaction; handed over only after it commits.
    event = OutboxEvent.objects.get(topic="consent.withdrawn")
    assert dispatched == []
    for callback in callbacks:
        callback()
    assert dispatched == [event.pk]
    assert event.organization_id == cw.org.pk
    assert event.payload == {
        "consent_id": consent.pk,
        "consent_event_id": consent.events.get(type="withdrawn").pk,
        "subject_id": cw.subject.pk,
        "subject_pseudonym": str(cw.subject.pseudonym),
        "purpose_id": cw.purpose.pk,
        "purpose_version_id": cw.version.pk,
        "actor_kind": cw.actor.kind,
        "actor_id": "",
    }
    assert event.done_at is None


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


def test_r22_restricted_consent_is_not_active_and_restore_brings_it_back(cw):
    consent, _ = cw.grant()
    consent_restrict(consent=consent, actor=cw.actor, reason="court order")
    assert not consent_active_for(subject=cw.subject, purpose=cw.purpose)
    consent_restore(consent=consent, actor=cw.actor, reason="order lifted")
    assert consent_active_for(subject=cw.subject, purpose=cw.purpose)
    assert [e.type for e in consent.events.all()] == ["given", "restricted", "restored"]
    # One event per transition, in order, through the one reaction path.
    topics = list(OutboxEvent.objects.order_by("pk").values_list("topic", flat=True))
    assert topics == ["consent.given", "consent.restricted", "consent.restored"]


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
