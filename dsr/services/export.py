"""Access and portability: one package with everything held about a person (R45, R46).

The package is built when it is downloaded, so it is current; the link to it expires and each
download is audited. Templates themselves are never exported (REGULATIONS R45 leaves it open;
a template is only useful to a matcher, and exporting it widens what could leak).
"""

import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditEvent
from audit.services import audit_record
from audit.services.exports import audit_export_bundle
from consent.models import Subject
from dsr import selectors
from dsr.models import DataRequest
from tenants.errors import ApplicationError, Conflict, NotFound

_SALT = "dsr.export"
PACKAGE_FORMAT = "faceconsent-access-package/1"


class LinkExpired(ApplicationError):
    status = 410
    code = "link_expired"


def _biometric_summary(subject: Subject) -> dict:
    """Return recognition's summary (never templates), with names and who ran each job.

    Recognition names deployments and purposes by id in results; the person is owed "where,
    for what, by whom" (R45), so the names and the job's author are added here.
    """
    from governance.models import Deployment, Purpose
    from recognition.models import RecognitionJob
    from recognition.selectors import subject_biometric_summary

    summary = subject_biometric_summary(subject=subject)
    results = summary.get("results", [])
    jobs = {
        str(public_id): label
        for public_id, label in RecognitionJob.objects.filter(
            public_id__in=[r["job"] for r in results]
        ).values_list("public_id", "actor_label")
    }
    org = subject.organization_id
    deployments = dict(Deployment.objects.filter(organization_id=org).values_list("pk", "name"))
    purposes = dict(Purpose.objects.filter(organization_id=org).values_list("pk", "name"))
    for result in results:
        result["where"] = deployments.get(result.get("deployment_id"), "")
        result["for_what"] = purposes.get(result.get("purpose_id"), "")
        result["by"] = jobs.get(result["job"], "")
    return _plain(summary)


def _plain(value):
    """Return ``value`` with datetimes and dates as ISO text (the package is JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _consent_event_proofs(subject: Subject) -> dict:
    """Return the subject's consent events with inclusion proofs in the signed audit log.

    R16/R45: the person can check offline, from the package alone, that their consent events
    are in the log the organization's signed checkpoint vouches for (docs/audit.md).
    """
    event_ids = AuditEvent.objects.filter(
        organization_id=subject.organization_id,
        subject_pseudonym=str(subject.pseudonym),
        action__startswith="consent.",
    ).values_list("pk", flat=True)
    return audit_export_bundle(organization_id=subject.organization_id, event_ids=list(event_ids))


def subject_package(*, subject: Subject) -> dict:
    """Return the access package: profile, consents, biometrics metadata, requests, audit."""
    org = subject.organization
    return {
        "format": PACKAGE_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "controller": {
            "name": org.name,
            "contact": org.pi_contact_email or org.contact_email,
            "jurisdiction": org.jurisdiction,
        },
        "profile": {
            "pseudonym": str(subject.pseudonym),
            "external_ref": subject.external_ref,
            "display_name": subject.display_name,
            "email": subject.email,
            "phone": subject.phone,
            "date_of_birth": subject.date_of_birth.isoformat() if subject.date_of_birth else None,
            "age_bracket": subject.age_bracket,
            "choice": subject.choice,
            "objects_to_automated_decisions": subject.objects_to_automated_decisions,
            "created_at": subject.created_at.isoformat(),
            "erased_at": subject.erased_at.isoformat() if subject.erased_at else None,
        },
        "consents": selectors.subject_consents_export(subject=subject),
        "biometrics": _biometric_summary(subject),
        "requests": selectors.subject_requests_export(subject=subject),
        "audit_events": {
            "columns": selectors.AUDIT_COLUMNS,
            "rows": selectors.subject_audit_export(subject=subject),
        },
        "audit_proofs": _consent_event_proofs(subject),
    }


def package_json(package: dict) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def dsr_export_link_issue(*, data_request: DataRequest, actor: Actor) -> str:
    """Issue a new download link (revoking any earlier one); return its token.

    The caller holds the request's row lock. The token is signed and carries a nonce stored
    on the request, so a new link or the expiry stops the old one working.
    """
    if data_request.kind not in (DataRequest.Kind.ACCESS, DataRequest.Kind.PORTABILITY):
        raise NotFound("Only access and portability requests have a package.", code="no_package")
    data_request.export_nonce = secrets.token_hex(16)
    data_request.export_expires_at = timezone.now() + timedelta(
        hours=settings.DSR_EXPORT_LINK_HOURS
    )
    data_request.save(update_fields=["export_nonce", "export_expires_at"])
    audit_record(
        organization_id=data_request.organization_id,
        actor=actor,
        action="data_request.package_link_issued",
        target_type="data_request",
        target_id=data_request.pk,
        subject_pseudonym=str(data_request.subject_pseudonym),
        details={"expires_at": data_request.export_expires_at.isoformat()},
    )
    return export_token(data_request)


def export_token(data_request: DataRequest) -> str:
    """Return the current link's token (empty when none was issued)."""
    if not data_request.export_nonce:
        return ""
    return signing.dumps({"r": data_request.pk, "n": data_request.export_nonce}, salt=_SALT)


def export_link_check(*, data_request: DataRequest, token: str, now=None) -> None:
    """Raise LinkExpired for an expired or replaced link, NotFound for a forged one."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise NotFound("No such download.") from None
    if data.get("r") != data_request.pk:
        raise NotFound("No such download.")
    if (
        data.get("n") != data_request.export_nonce
        or data_request.export_expires_at is None
        or now >= data_request.export_expires_at
    ):
        raise LinkExpired(
            "This download link has expired. Ask for a new one on your requests page.",
        )


def dsr_package_download(
    *, data_request: DataRequest, actor: Actor, fmt: str, token: str | None = None
) -> dict:
    """Return the package of a completed access or portability request; audit the download.

    The person downloads through the link (``token``); staff of the organization pass none.
    """
    if data_request.kind not in (DataRequest.Kind.ACCESS, DataRequest.Kind.PORTABILITY):
        raise NotFound("Only access and portability requests have a package.", code="no_package")
    if data_request.status != DataRequest.Status.COMPLETED:
        raise Conflict("The package is ready once the request is completed.", code="not_ready")
    if token is not None:
        export_link_check(data_request=data_request, token=token)
    subject = data_request.subject
    if subject is None:
        raise Conflict("The request's subject no longer exists.", code="subject_missing")
    package = subject_package(subject=subject)
    audit_record(
        organization_id=data_request.organization_id,
        actor=actor,
        action="data_request.package_downloaded",
        target_type="data_request",
        target_id=data_request.pk,
        subject_pseudonym=str(data_request.subject_pseudonym),
        details={"format": fmt, "audit_rows": len(package["audit_events"]["rows"])},
    )
    return package
