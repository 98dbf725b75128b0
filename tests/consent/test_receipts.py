"""Signed receipts: they verify, a single altered byte breaks them, keys are published."""

import json

import pytest

from consent import signing
from consent.models import ConsentReceipt
from consent.receipts import receipt_document_bytes, receipt_verify
from consent.services import consent_withdraw, signing_key_rotate

pytestmark = pytest.mark.django_db


def test_receipt_verifies_and_reports_the_active_state(cw):
    _consent, receipt = cw.grant()
    result = receipt_verify(document=receipt_document_bytes(receipt))
    assert result.valid, result.reason
    assert (result.issued_for, result.current_state) == ("given", "active")
    assert result.organization == cw.org.name


def test_receipt_has_kantara_and_iso_27560_fields_and_no_direct_identifier(cw):
    _consent, receipt = cw.grant()
    body = json.loads(receipt.body)
    for field in (
        "version",
        "jurisdiction",
        "consentTimestamp",
        "collectionMethod",
        "consentReceiptID",
        "language",
        "piiPrincipalId",
        "piiControllers",
        "policyUrl",
        "services",
        "sensitive",
        "spiCat",
        "publicKey",
    ):
        assert field in body, field
    assert set(body["iso27560"]) == {"header", "processing", "piiItems", "parties", "events"}
    assert body["piiPrincipalId"] == str(cw.subject.pseudonym)
    assert cw.subject.email not in receipt.body and cw.subject.display_name not in receipt.body
    assert body["extensions"]["items"] == {
        "faceProcessing": True,
        "centralStorage": False,
        "rawImages": False,
        "crossBorderTransfer": False,
        "thirdPartyRecipients": [],
    }


def test_receipt_with_any_single_altered_byte_does_not_verify(cw):
    _consent, receipt = cw.grant()
    original = receipt_document_bytes(receipt)
    assert receipt_verify(document=original).valid
    for position in range(len(original)):
        altered = bytearray(original)
        altered[position] ^= 0x01
        result = receipt_verify(document=bytes(altered))
        assert not result.valid, f"byte {position} altered and still valid"


def test_withdrawn_consents_receipt_verifies_as_withdrawn(cw):
    consent, grant_receipt = cw.grant()
    consent_withdraw(consent=consent, actor=cw.actor, channel="api")
    result = receipt_verify(document=receipt_document_bytes(grant_receipt))
    assert result.valid
    assert (result.issued_for, result.current_state) == ("given", "withdrawn")


def test_rotation_keeps_old_receipts_verifiable_and_old_keys_published(cw, client):
    _consent, old_receipt = cw.grant()
    new_key = signing_key_rotate(organization=cw.org, actor=cw.actor)
    assert new_key.kid != old_receipt.kid
    assert receipt_verify(document=receipt_document_bytes(old_receipt)).valid
    keys = client.get("/.well-known/consent-keys.json").json()["keys"]
    published = {k["kid"]: k for k in keys}
    assert {old_receipt.kid, new_key.kid} <= set(published)
    assert published[old_receipt.kid]["retired_at"] is not None
    assert published[new_key.kid]["crv"] == "Ed25519"


def test_private_key_is_stored_wrapped_and_bound_to_its_organization(cw):
    _consent, receipt = cw.grant()
    key = receipt.organization.signing_keys.get(kid=receipt.kid)
    with pytest.raises(ValueError, match="unwrap"):
        signing.sign(
            organization_id=cw.org.pk + 1000,
            kid=key.kid,
            wrapped=key.private_key_wrapped,
            message=b"x",
        )


def test_a_receipt_signed_with_an_unknown_key_does_not_verify(cw):
    _consent, receipt = cw.grant()
    document = json.loads(receipt_document_bytes(receipt))
    document["signature"]["kid"] = "ck_unknown"
    assert receipt_verify(document=document).reason == "unknown_key"


def test_api_verify_answers_for_a_downloaded_receipt(cw, client):
    _consent, receipt = cw.grant()
    response = client.post(
        "/api/v1/receipts/verify/",
        receipt_document_bytes(receipt),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["valid"] is True and response.json()["current_state"] == "active"


def test_verify_page_checks_an_uploaded_receipt(cw, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _consent, receipt = cw.grant()
    upload = SimpleUploadedFile("r.json", receipt_document_bytes(receipt))
    response = client.post("/receipts/verify/", {"file": upload})
    assert response.status_code == 200
    assert b'data-result="valid"' in response.content
    assert b'data-state="active"' in response.content


def test_verify_page_from_the_printed_qr_code(cw, client):
    _consent, receipt = cw.grant()
    response = client.get(f"/receipts/verify/?receipt={receipt.receipt_id}&code={receipt.code}")
    assert b'data-result="valid"' in response.content
    wrong = client.get(f"/receipts/verify/?receipt={receipt.receipt_id}&code=WRONG")
    assert b'data-result="valid"' not in wrong.content


def test_receipts_are_append_only_in_the_database(cw):
    from django.db import DatabaseError, transaction

    _consent, receipt = cw.grant()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentReceipt.objects.filter(pk=receipt.pk).update(signature="forged")
