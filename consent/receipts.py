"""Consent receipts: the signed document's content, and checking one that someone holds.

The content joins the Kantara Consent Receipt v1.1 top-level fields with the ISO/IEC TS 27560
record parts (header, processing, PII items, parties, events) and the product's extensions
(REGULATIONS.md section b). It names the subject by pseudonym only: receipts live on in the
subject's hands and in our database after an erasure (R16).
"""

import json
import secrets
import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from consent import signing
from consent.jurisdiction import (
    LAWFUL_BASIS,
    bipa_release_text,
    gdpr_explicit_text,
    grant_jurisdiction,
)
from consent.models import Consent, ConsentEvent, ConsentReceipt, SigningKey
from governance.residency import residency_statement
from governance.selectors import deployments_storing_centrally

KANTARA_VERSION = "KI-CR-v1.1.0"
ISO_SCHEMA = "ISO/IEC TS 27560:2023"
# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12

# ISO/IEC TS 27560 event states for each of our event types.
_ISO_STATE = {
    ConsentEvent.Type.GIVEN: "given",
    ConsentEvent.Type.WITHDRAWN: "withdrawn",
    ConsentEvent.Type.EXPIRED: "lapsed",
    ConsentEvent.Type.RECONSENT_REQUIRED: "invalidated",
    ConsentEvent.Type.RESTRICTED: "terminated by controller",
    ConsentEvent.Type.RESTORED: "given",
}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """Return a typed receipt code in stored form (no dashes or spaces, O→0, I/L→1)."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def public_url(path: str) -> str:
    return getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/") + path


def _epoch(moment) -> int:
    return int(moment.timestamp())


# The receipt's storage phrases are signed in English; pages translate them when they show them.
_DEVICE = "on the recognition device"
_CENTRAL_PREFIX = "the organization's central servers (for "


def _storage(consent: Consent) -> dict:
    """Return where this consent's face data is actually kept (R19), for the receipt.

    On the device always; on the central servers only where the consent grants central storage
    AND a deployment it covers stores centrally: an on-device deployment never holds a central
    template, so a grant there stores nothing centrally and the receipt says so.
    """
    sites = list(
        deployments_storing_centrally(purpose=consent.purpose, deployment=consent.deployment)
    )
    central = consent.central_storage and bool(sites)
    locations = [_DEVICE]
    if central:
        locations.append(_CENTRAL_PREFIX + ", ".join(d.name for d in sites) + ")")
    return {
        "locations": locations,
        "centralStorage": central,
        "centralDeployments": [
            {"deploymentId": d.pk, "name": d.name, "reason": d.central_storage_reason}
            for d in sites
        ]
        if central
        else [],
    }


def build_payload(
    *, consent: Consent, event: ConsentEvent, receipt_id: str, code: str, key: SigningKey
) -> dict:
    """Return the receipt content for ``event`` of ``consent`` (before signing)."""
    org = consent.organization
    version = consent.purpose_version
    purpose = consent.purpose
    notice = consent.notice
    deployment = consent.deployment
    recipients = list(consent.recipients.all())
    granted_recipients = [r for r in recipients if r.granted]
    history = list(consent.events.filter(at__lte=event.at).order_by("at", "pk"))
    notice_url = public_url(
        reverse("consent:notice", kwargs={"org_slug": org.slug, "purpose_id": purpose.pk})
    )
    self_service_url = public_url(reverse("consent:me"))
    pseudonym = str(consent.subject_pseudonym)
    storage = _storage(consent)
    # R26: where the data is stored and processed, and each transfer out of the PRC.
    residency = residency_statement(purpose=purpose, deployment=deployment)
    retention = f"P{version.retention_days}D"
    # R17, R18: the law of the site the consent was given for, not the organization's profile.
    jurisdiction = grant_jurisdiction(organization=org, deployment=deployment)
    controller = {
        "piiController": org.name,
        "onBehalf": False,
        "contact": org.pi_contact_name or org.contact_name,
        "address": org.address,
        "email": org.pi_contact_email or org.contact_email,
        "phone": org.contact_phone,
        "piiControllerUrl": public_url("/"),
    }
    pii_items = [
        {
            "piiType": "facial feature template",
            "piiAttributeId": "face_template",
            "piiOptional": False,
            "sensitivePiiCategory": "biometric",
            "specialPiiCategory": "biometric data for unique identification",
        }
    ]
    if consent.raw_images:
        pii_items.append(
            {
                "piiType": "original face image",
                "piiAttributeId": "raw_face_image",
                "piiOptional": True,
                "sensitivePiiCategory": "biometric",
            }
        )
    parties = [
        {
            "partyId": f"org:{org.pk}",
            "name": org.name,
            "address": org.address,
            "contact": org.pi_contact_name or org.contact_name,
            "partyType": "legal entity",
            "role": "PII controller",
            "email": org.pi_contact_email or org.contact_email,
            "phone": org.contact_phone,
        },
        {"partyId": pseudonym, "partyType": "natural person", "role": "PII principal"},
    ]
    parties += [
        {
            "partyId": f"recipient:{r.name}",
            "name": r.name,
            "address": "",
            "contact": r.contact,
            "partyType": "legal entity",
            "role": "third party",
        }
        for r in granted_recipients
    ]
    events = [
        {
            "eventTime": e.at.isoformat(),
            "validityDuration": retention if e.type == ConsentEvent.Type.GIVEN else None,
            "entityId": f"{e.actor_type}:{e.actor_id}" if e.actor_id else e.actor_type,
            "eventType": "explicit consent",
            "eventState": _ISO_STATE[e.type],
        }
        for e in history
    ]
    return {
        # Kantara Consent Receipt v1.1
        "version": KANTARA_VERSION,
        "jurisdiction": jurisdiction,
        "consentTimestamp": _epoch(event.at),
        "collectionMethod": consent.channel,
        "consentReceiptID": receipt_id,
        "language": consent.language,
        "piiPrincipalId": pseudonym,
        "piiControllers": [controller],
        "policyUrl": notice_url,
        "services": [
            {
                "serviceName": purpose.name,
                "purposes": [
                    {
                        "purpose": version.description,
                        "purposeCategory": [purpose.kind],
                        "consentType": "EXPLICIT",
                        "piiCategory": [item["piiType"] for item in pii_items],
                        "primaryPurpose": True,
                        "termination": (
                            f"Withdrawal at any time ({self_service_url}); data kept at most "
                            f"{version.retention_days} days"
                        ),
                        "thirdPartyDisclosure": bool(granted_recipients),
                        "thirdPartyName": ", ".join(r.name for r in granted_recipients),
                    }
                ],
            }
        ],
        "sensitive": True,
        "spiCat": ["biometric (facial)"],
        "publicKey": key.public_key,
        "receiptCode": code,
        # ISO/IEC TS 27560 record parts
        "iso27560": {
            "header": {
                "schemaVersion": ISO_SCHEMA,
                "recordId": str(consent.public_id),
                "receiptId": receipt_id,
                "piiPrincipalId": pseudonym,
            },
            "processing": {
                "privacyNotice": {
                    "url": notice_url,
                    "noticeId": notice.pk,
                    "contentHash": consent.notice_hash,
                },
                "language": consent.language,
                "purpose": version.description,
                "purposeType": purpose.kind,
                "lawfulBasis": LAWFUL_BASIS.get(jurisdiction, "consent"),
                "piiInformation": [item["piiType"] for item in pii_items],
                "piiControllers": [org.name],
                "collectionMethod": consent.channel,
                "processingMethod": version.method,
                "storageLocations": storage["locations"],
                "processingLocation": residency["processedIn"],
                "geographicRestrictions": residency["storedIn"],
                "retentionPeriod": retention,
                "jurisdiction": jurisdiction,
                "recipientThirdParties": [r.name for r in granted_recipients],
                "withdrawalMethod": self_service_url,
            },
            "piiItems": pii_items,
            "parties": parties,
            "events": events,
        },
        # Product extensions (PIPL, FRM, BIPA)
        "extensions": {
            "tenantId": org.pk,
            "deploymentId": deployment.pk if deployment else None,
            "purposeId": purpose.pk,
            "purposeVersion": version.version,
            "purposeVersionId": version.pk,
            "noticeVersionId": notice.pk,
            "consentUiVersion": consent.consent_ui_version,
            "consentKind": consent.kind,
            "isMinorUnder14": consent.is_minor_under_14,
            "guardian": (
                {
                    "relationship": consent.guardian_relationship,
                    "verificationMethod": consent.guardian_verification,
                }
                if consent.kind == Consent.Kind.GUARDIAN
                else None
            ),
            "items": {
                "faceProcessing": consent.face_processing,
                "centralStorage": consent.central_storage,
                "rawImages": consent.raw_images,
                "crossBorderTransfer": consent.cross_border,
                "thirdPartyRecipients": [
                    {"name": r.name, "granted": r.granted, "location": r.location}
                    for r in recipients
                ],
            },
            # R19: where the face data really is, whatever was granted above.
            "storage": storage,
            "residency": residency,
            "event": event.type,
            "state": event.to_state,
            "retentionDays": version.retention_days,
            # R17, R18: the statement the person affirmed or signed, word for word.
            "consentStatement": _statement(consent),
        },
    }


def _statement(consent: Consent) -> dict | None:
    org, version = consent.organization, consent.purpose_version
    if consent.kind == Consent.Kind.BIPA_WRITTEN_RELEASE:
        return {
            "type": "BIPA written release (740 ILCS 14/15(b))",
            "text": bipa_release_text(
                organization=org, purpose_version=version, deployment=consent.deployment
            ),
            "purpose": version.description,
            "termDays": version.retention_days,
            "signature": consent.e_signature,
            "signedDocumentSha256": consent.signed_document_sha256,
        }
    if consent.kind == Consent.Kind.GDPR_EXPLICIT:
        return {
            "type": "GDPR Art. 9(2)(a) explicit consent",
            "text": gdpr_explicit_text(organization=org, purpose_version=version),
        }
    return None


def receipt_storage_locations(receipt: ConsentReceipt) -> list[str]:
    """Return where the signed receipt says the face data is kept (R19), in the page's language.

    The receipt signs the English phrases; the page reads them in its language, the sites'
    names as signed.
    """
    processing = json.loads(receipt.body).get("iso27560", {}).get("processing", {})
    shown = []
    for location in processing.get("storageLocations") or []:
        if location == _DEVICE:
            shown.append(_("on the recognition device"))
        elif location.startswith(_CENTRAL_PREFIX) and location.endswith(")"):
            sites = location[len(_CENTRAL_PREFIX) : -1]
            shown.append(_("the organization's central servers (for %(sites)s)") % {"sites": sites})
        else:
            shown.append(location)
    return shown


def receipt_document(receipt: ConsentReceipt) -> dict:
    """Return the downloadable document: the signed content and its signature."""
    return {
        "receipt": json.loads(receipt.body),
        "signature": {"alg": signing.ALGORITHM, "kid": receipt.kid, "value": receipt.signature},
    }


def receipt_document_bytes(receipt: ConsentReceipt) -> bytes:
    """Return the document in canonical form, so that any altered byte breaks it."""
    return signing.canonical_json(receipt_document(receipt))


@dataclass
class VerifyResult:
    valid: bool
    reason: str
    kid: str = ""
    organization: str = ""
    receipt_id: str = ""
    consent_id: str = ""
    issued_for: str = ""
    issued_at: str = ""
    current_state: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def receipt_verify(*, document) -> VerifyResult:
    """Check a receipt's signature against our published keys and report its consent's state.

    ``document`` is the downloaded JSON as bytes, text or an already parsed dict. Never raises
    on bad input: the result says what is wrong.
    """
    if isinstance(document, bytes | bytearray):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError:
            return VerifyResult(False, "not_utf8")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return VerifyResult(False, "not_json")
    if not isinstance(document, dict) or set(document) != {"receipt", "signature"}:
        return VerifyResult(False, "not_a_receipt")
    payload, sig = document["receipt"], document["signature"]
    if not isinstance(payload, dict) or not isinstance(sig, dict):
        return VerifyResult(False, "not_a_receipt")
    if sig.get("alg") != signing.ALGORITHM or not isinstance(sig.get("kid"), str):
        return VerifyResult(False, "unsupported_signature")
    key = SigningKey.objects.filter(kid=sig["kid"]).select_related("organization").first()
    if key is None:
        return VerifyResult(False, "unknown_key", kid=sig["kid"])
    ok = signing.verify(
        public_key_b64u=key.public_key,
        message=signing.canonical_json(payload),
        signature_b64u=sig.get("value") if isinstance(sig.get("value"), str) else "",
    )
    if not ok or payload.get("publicKey") != key.public_key:
        return VerifyResult(False, "bad_signature", kid=key.kid)
    receipt = (
        ConsentReceipt.objects.filter(
            receipt_id=_uuid_or_none(payload.get("consentReceiptID")),
            organization_id=key.organization_id,
        )
        .select_related("consent", "event")
        .first()
    )
    if receipt is None:
        return VerifyResult(False, "unknown_receipt", kid=key.kid)
    return VerifyResult(
        True,
        "ok",
        kid=key.kid,
        organization=key.organization.name,
        receipt_id=str(receipt.receipt_id),
        consent_id=str(receipt.consent.public_id),
        issued_for=receipt.event.type,
        issued_at=receipt.event.at.isoformat(),
        current_state=receipt.consent.state,
    )


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
