"""Portability (R46; PIPL Art. 45(3), GDPR Art. 20): one file format, export and import.

The format is a versioned JSON Schema shipped with the app (dsr/schemas/portability-1.schema.json,
documented in docs/compliance.md). The export is what the person gave and what was recorded
about them: profile, consents with purposes and history, requests and, only if they ask, their
face templates. Another organization running this portal imports the file: the subject is
created and their consents are recorded as history, "imported, needs confirmation", never as
consents. A transfer carries the data, not the permission (PIPL Art. 45(3) moves information
to another processor; GDPR Art. 20 likewise; consent under PIPL Art. 14 and 29 is given to one
controller for its purposes), so the person must consent again to the receiving organization
before it may process their face.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

import jsonschema
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from audit.actors import Actor
from audit.services import audit_record
from consent.models import Subject
from consent.services import subject_create
from dsr import selectors
from dsr.models import ImportedConsent, PortabilityImport
from recognition.services.portability import subject_templates_export
from tenants.errors import ApplicationError

FORMAT = "faceconsent-portability"
SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "portability-1.schema.json"
INTEGRITY = "sha256-canonical-json"
# The consent history kept in an import: states at the source, for the person and staff to see.
_HISTORY_FIELDS = ("type", "from", "to", "at", "channel", "reason")
_REQUEST_KINDS = {"portability_transfer": "portability"}


class PortabilityFileInvalid(ApplicationError):
    code = "invalid_portability_file"


@cache
def portability_schema() -> dict:
    """Return the JSON Schema of the file (loaded once)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _digest(document: dict) -> str:
    body = {k: v for k, v in document.items() if k != "integrity"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _consents(subject: Subject) -> list[dict]:
    versions = {}
    for c in subject.consents.select_related("purpose_version"):
        versions[str(c.public_id)] = c.purpose_version.description
    return [
        {
            "purpose": {
                "name": c["purpose"],
                "version": c["purpose_version"],
                "description": versions.get(c["id"], ""),
            },
            "kind": c["kind"],
            "state": c["state"],
            "items": {
                "face_processing": c["items"]["face_processing"],
                "central_storage": c["items"]["central_storage"],
                "raw_images": c["items"]["raw_images"],
            },
            "given_at": c["given_at"],
            "expires_at": c["expires_at"],
            "withdrawn_at": c["withdrawn_at"],
            "language": c["language"] or "",
            "history": [
                {name: event[name] or "" for name in _HISTORY_FIELDS} | {"at": event["at"]}
                for event in c["history"]
            ],
        }
        for c in selectors.subject_consents_export(subject=subject)
    ]


def portability_export(*, subject: Subject, actor: Actor, include_templates: bool = False) -> dict:
    """Return the subject's portable data as a document of the schema; audit the export.

    ``include_templates`` only when the person asked for them (the self-service page); staff
    exports never carry them.
    """
    org = subject.organization
    templates = subject_templates_export(subject=subject, actor=actor) if include_templates else []
    document = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.now().isoformat(),
        "controller": {
            "name": org.name,
            "contact": org.pi_contact_email or org.contact_email or "",
            "jurisdiction": org.jurisdiction or "",
        },
        "subject": {
            "pseudonym": str(subject.pseudonym),
            "external_ref": subject.external_ref,
            "display_name": subject.display_name,
            "email": subject.email,
            "phone": subject.phone,
            "date_of_birth": subject.date_of_birth.isoformat() if subject.date_of_birth else None,
            "age_bracket": subject.age_bracket,
        },
        "consents": _consents(subject),
        "requests": [
            {
                # Schema 1 allows 16 characters: a transfer is written as the portability
                # request it is (GDPR Art. 20), its outcome saying how it was delivered.
                "kind": _REQUEST_KINDS.get(r["kind"], r["kind"]),
                "status": r["status"],
                "received_at": r["received_at"],
                "closed_at": r["closed_at"],
                "outcome": r["outcome"],
            }
            for r in selectors.subject_requests_export(subject=subject)
        ],
        "templates": {"included": include_templates, "items": templates},
    }
    document["integrity"] = {"algorithm": INTEGRITY, "digest": _digest(document)}
    audit_record(
        organization_id=org.pk,
        actor=actor,
        action="portability.exported",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"consents": len(document["consents"]), "with_face_data": include_templates},
    )
    return document


def portability_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _problems(found: list[tuple[str, str]]) -> dict:
    """Return the error's details: where each problem is (a path in the file) and what it is."""
    return {
        "paths": [path for path, _message in found],
        "errors": [f"{path or '(document)'}: {message[:300]}" for path, message in found],
    }


def portability_validate(document) -> dict:
    """Return the document when it follows the schema and its digest; else raise 400.

    The error names every problem found (its path in the file and what is wrong), so the
    sender can repair the file.
    """
    if not isinstance(document, dict):
        raise PortabilityFileInvalid(
            _("The file is not a portability document (a JSON object)."),
            details=_problems([("", "expected a JSON object")]),
        )
    validator = jsonschema.Draft202012Validator(
        portability_schema(), format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise PortabilityFileInvalid(
            _("The file does not follow the portability schema version 1."),
            details=_problems(
                [("/".join(str(p) for p in e.absolute_path), e.message) for e in errors[:20]]
            ),
        )
    if document["integrity"]["digest"] != _digest(document):
        raise PortabilityFileInvalid(
            _("The file was changed after it was exported: its integrity digest does not match."),
            details=_problems([("integrity/digest", "the digest does not match the content")]),
        )
    return document


def portability_parse(raw: bytes) -> dict:
    """Return the JSON object in ``raw``; raise 400 for a file too large or not JSON."""
    if len(raw) > settings.DSR_PORTABILITY_MAX_BYTES:
        raise PortabilityFileInvalid(
            _("The file is larger than the import accepts."),
            details={"max_bytes": settings.DSR_PORTABILITY_MAX_BYTES},
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PortabilityFileInvalid(
            _("The file is not JSON."),
            details=_problems([("", str(exc))]),
        ) from None


def _moment(text):
    return parse_datetime(text) if text else None


@transaction.atomic
def portability_import(*, organization, document, actor: Actor) -> PortabilityImport:
    """Create the subject of a portability file in ``organization``; return the import record.

    The consents become ImportedConsent rows "needs confirmation": nothing may process the
    person's face here until they consent to this organization (see the module docstring).
    Templates and requests in the file are counted, not imported: enrollment needs that new
    consent, and the requests were the other controller's to answer. Raise
    PortabilityFileInvalid (400) for a bad file, Conflict when the reference is taken.
    """
    document = portability_validate(document)
    person = document["subject"]
    born = parse_date(person["date_of_birth"]) if person["date_of_birth"] else None
    subject = subject_create(
        organization=organization,
        actor=actor,
        external_ref=person["external_ref"],
        display_name=person["display_name"],
        email=person["email"],
        phone=person["phone"],
        date_of_birth=born,
        age_bracket=person["age_bracket"],
    )
    record = PortabilityImport.objects.create(
        organization=organization,
        subject=subject,
        subject_pseudonym=subject.pseudonym,
        schema_version=document["schema_version"],
        source_controller=document["controller"]["name"],
        source_pseudonym=person["pseudonym"],
        file_sha256=document["integrity"]["digest"],
        imported_by_label=actor.label[:200],
        summary={
            "consents": len(document["consents"]),
            "requests_not_imported": len(document["requests"]),
            "templates_not_imported": len(document["templates"]["items"]),
        },
    )
    ImportedConsent.objects.bulk_create(
        ImportedConsent(
            organization=organization,
            source=record,
            subject=subject,
            purpose_name=c["purpose"]["name"],
            purpose_description=c["purpose"]["description"],
            state_at_source=c["state"],
            given_at=_moment(c["given_at"]),
            withdrawn_at=_moment(c["withdrawn_at"]),
            history=c["history"],
        )
        for c in document["consents"]
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="portability.imported",
        target_type="subject",
        target_id=subject.pk,
        subject_pseudonym=str(subject.pseudonym),
        details={"source": record.source_controller[:100], **record.summary},
    )
    return record
