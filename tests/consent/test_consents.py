"""Granting consent: items granted one by one, evidence, and refusals that change nothing."""

import pytest

from audit.models import AuditEvent
from consent.models import Consent, ConsentEvent, ConsentReceipt
from consent.selectors import (
    active_subject_ids_for,
    consent_active_for,
    consent_allows_central_storage,
    consent_allows_raw_images,
)
from consent.services import Recipient
from tenants.errors import ApplicationError, Conflict, RuleViolation, UnknownReference
from tests.factories import NoticeFactory, PublishedNoticeFactory, PurposeVersionFactory

pytestmark = pytest.mark.django_db


def _nothing_written():
    return (
        Consent.objects.count(),
        ConsentEvent.objects.count(),
        ConsentReceipt.objects.count(),
        AuditEvent.objects.filter(action__startswith="consent.").count(),
    )


def test_grant_records_consent_event_receipt_and_audit(cw):
    consent, receipt = cw.grant()
    assert consent.state == "active" and consent.face_processing
    assert consent.subject_pseudonym == cw.subject.pseudonym
    assert consent.notice_hash == cw.notice.content_hash
    assert consent.consent_ui_version == "test-1"
    assert [e.type for e in consent.events.all()] == ["given"]
    assert receipt.event.type == "given"
    event = AuditEvent.objects.get(action="consent.given")
    assert event.subject_pseudonym == str(cw.subject.pseudonym)
    assert consent_active_for(subject=cw.subject, purpose=cw.purpose)
    assert active_subject_ids_for(organization=cw.org, purpose=cw.purpose) == {cw.subject.pseudonym}
    cw.subject.refresh_from_db()
    assert cw.subject.choice == "face"


def test_granting_an_active_consent_again_is_a_conflict(cw):
    cw.grant()
    before = _nothing_written()
    with pytest.raises(Conflict, match="already active"):
        cw.grant()
    assert _nothing_written() == before


def test_consent_for_unpublished_notice_is_refused_and_changes_nothing(cw):
    draft = NoticeFactory(purpose_version=cw.version, language="en")
    before = _nothing_written()
    with pytest.raises(ApplicationError, match="published notice") as exc:
        cw.grant(notice=draft)
    assert exc.value.code == "notice_not_published"
    assert _nothing_written() == before


def test_r33_consent_with_another_organizations_subject_is_refused(cw, other_cw):
    _purpose, _notice, outsider_subject = other_cw
    with pytest.raises(UnknownReference, match="purpose_version"):
        cw.grant(subject=outsider_subject)
    assert Consent.objects.count() == 0


def test_r19_central_storage_needs_its_own_grant(cw):
    cw.grant(central_storage=False)
    assert consent_active_for(subject=cw.subject, purpose=cw.purpose)
    assert not consent_allows_central_storage(subject=cw.subject, purpose=cw.purpose)


def test_r19_central_storage_granted_separately_allows_it(cw):
    cw.grant(central_storage=True)
    assert consent_allows_central_storage(subject=cw.subject, purpose=cw.purpose)


def test_r21_raw_images_refused_when_the_purpose_does_not_allow_them(cw):
    before = _nothing_written()
    with pytest.raises(RuleViolation, match="raw images"):
        cw.grant(raw_images=True)
    assert _nothing_written() == before


def test_r21_raw_images_need_their_own_grant(cw):
    cw.version.keep_raw_images_allowed = True
    cw.version.save()
    cw.grant(raw_images=False)
    assert not consent_allows_raw_images(subject=cw.subject, purpose=cw.purpose)


def test_r21_raw_images_granted_separately_allow_keeping_them(cw):
    cw.version.keep_raw_images_allowed = True
    cw.version.save()
    _consent, receipt = cw.grant(raw_images=True)
    assert consent_allows_raw_images(subject=cw.subject, purpose=cw.purpose)
    assert '"rawImages":true' in receipt.body


def test_r25_each_recipient_is_its_own_yes_or_no(cw):
    from tests.factories import RecipientFactory

    RecipientFactory(organization=cw.org, name="Gate Vendor Ltd")
    RecipientFactory(organization=cw.org, name="Analytics Co")
    consent, receipt = cw.grant(
        recipients=[Recipient("Gate Vendor Ltd", True), Recipient("Analytics Co", False)]
    )
    assert {r.name: r.granted for r in consent.recipients.all()} == {
        "Gate Vendor Ltd": True,
        "Analytics Co": False,
    }
    assert '"thirdPartyName":"Gate Vendor Ltd"' in receipt.body


def test_consent_for_a_superseded_version_is_refused(cw):
    old = cw.version
    new = PurposeVersionFactory(purpose=cw.purpose, version=2)
    cw.purpose.current_version = new
    cw.purpose.save()
    with pytest.raises(Conflict, match="no longer current"):
        cw.grant(purpose_version=old)
    assert Consent.objects.count() == 0


def test_deployment_scoped_consent_covers_only_its_deployment(cw):
    from tests.factories import DeploymentFactory

    cw.grant(deployment=cw.deployment)
    other = DeploymentFactory(organization=cw.org, status="active")
    assert consent_active_for(subject=cw.subject, purpose=cw.purpose, deployment=cw.deployment)
    assert not consent_active_for(subject=cw.subject, purpose=cw.purpose, deployment=other)


def test_eu_organization_requires_explicit_consent_kind(cw):
    cw.org.jurisdiction = "EU"
    cw.org.save()
    with pytest.raises(RuleViolation, match="jurisdiction"):
        cw.grant(kind="separate")
    consent, _receipt = cw.grant(kind="gdpr_explicit")
    assert consent.kind == "gdpr_explicit"


def test_written_consent_needs_the_signed_document(cw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ApplicationError, match="signed document"):
        cw.grant(kind="written")
    doc = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    consent, _receipt = cw.grant(kind="written", signed_document=doc)
    assert consent.signed_document_sha256


def test_r11_material_purpose_change_requires_reconsent_and_tells_the_subject(
    cw, django_capture_on_commit_callbacks
):
    from django.core import mail

    from governance.services.purposes import purpose_update

    consent, _ = cw.grant()
    with django_capture_on_commit_callbacks(execute=True):
        purpose_update(purpose=cw.purpose, actor=cw.actor, retention_days=90)
    consent.refresh_from_db()
    assert consent.state == "reconsent_required"
    assert [e.type for e in consent.events.all()] == ["given", "reconsent_required"]
    cw.purpose.refresh_from_db()
    assert not consent_active_for(subject=cw.subject, purpose=cw.purpose)
    assert active_subject_ids_for(organization=cw.org, purpose=cw.purpose) == set()
    assert AuditEvent.objects.filter(
        action="consent.reconsent_required", subject_pseudonym=str(cw.subject.pseudonym)
    ).exists()
    assert [m.to for m in mail.outbox] == [["ann@example.test"]]
    assert "consent again" in mail.outbox[0].body


def test_r11_consent_to_a_superseded_version_is_not_active_even_before_the_job(cw):
    consent, _ = cw.grant()
    new = PurposeVersionFactory(purpose=cw.purpose, version=2)
    cw.purpose.current_version = new
    cw.purpose.save()
    consent.refresh_from_db()
    assert consent.state == "active"  # no signal was sent in this test
    assert not consent_active_for(subject=cw.subject, purpose=cw.purpose)


def test_r11_reconsent_to_the_new_version_makes_it_active_again(
    cw, django_capture_on_commit_callbacks
):
    from governance.services.purposes import purpose_update

    cw.grant()
    with django_capture_on_commit_callbacks(execute=True):
        purpose_update(purpose=cw.purpose, actor=cw.actor, retention_days=90)
    cw.purpose.refresh_from_db()
    new_notice = PublishedNoticeFactory(purpose_version=cw.purpose.current_version)
    consent, _ = cw.grant(purpose_version=cw.purpose.current_version, notice=new_notice)
    assert consent_active_for(subject=cw.subject, purpose=cw.purpose)
    assert Consent.objects.filter(subject=cw.subject).count() == 2


def test_consent_past_its_term_expires_with_the_scheduled_job(cw):
    import datetime

    import time_machine

    from consent.tasks import expire_due

    consent, _ = cw.grant(term_days=30)
    assert expire_due() == 0
    with time_machine.travel(consent.given_at + datetime.timedelta(days=31)):
        assert expire_due() == 1
    consent.refresh_from_db()
    assert consent.state == "expired"
    assert [e.type for e in consent.events.all()] == ["given", "expired"]
    assert not consent_active_for(subject=cw.subject, purpose=cw.purpose)
