"""The filing pack: what the provincial CAC filing (R38) and a regulator's inspection (R52) need.

A ZIP of JSON files, the evidence files (signage photos, assessment attachments) and one
readable HTML report, with a manifest of SHA-256 digests so the pack can be checked later, and
``audit_proofs.json``: the governance audit events with inclusion proofs in the signed log.
"""

import hashlib
import io
import json
import zipfile
from pathlib import Path

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditEvent
from audit.services import audit_record
from audit.services.exports import audit_export_bundle
from governance.filing import filing_profile_get, filing_threshold, stored_individuals_count
from governance.filing_materials import filing_for_materials, filing_materials
from governance.models import Assessment, Deployment, Filing, Incident, Notice, Purpose
from governance.services.purposes import VERSION_FIELDS

# The report's stylesheet travels in the zip next to it: the report is opened from disk, and the
# portal's content security policy refuses inline style anyway (issue 15).
REPORT_STYLESHEET = "filing_report.css"
_STYLESHEET_SOURCE = Path(__file__).resolve().parent / "static" / "governance" / REPORT_STYLESHEET


def _signage_path(d) -> str:
    return f"evidence/signage/{d.pk}-{d.signage_photo.name.rsplit('/', 1)[-1]}"


def _attachment_path(x) -> str:
    return f"evidence/assessments/{x.assessment_id}/{x.pk}-{x.file.name.rsplit('/', 1)[-1]}"


def _document_path(d) -> str:
    return f"filing_documents/{d.kind}-{d.pk}-{d.file.name.rsplit('/', 1)[-1]}"


def _dt(value):
    return value.isoformat() if value else None


def _organization(org) -> dict:
    fields = (
        "name",
        "slug",
        "jurisdiction",
        "unified_social_credit_code",
        "address",
        "province",
        "contact_name",
        "contact_email",
        "contact_phone",
        "pi_contact_name",
        "pi_contact_email",
    )
    return {f: getattr(org, f) for f in fields}


def _deployments(org) -> list[dict]:
    rows = []
    for d in Deployment.objects.for_org(org).prefetch_related("devices", "purpose_links__purpose"):
        rows.append(
            {
                "id": d.pk,
                "name": d.name,
                "address": d.address,
                "province": d.province,
                "place_type": d.place_type,
                "processing_kind": d.processing_kind,
                "jurisdiction": d.jurisdiction,
                "storage_mode": d.storage_mode,
                "central_storage_reason": d.central_storage_reason,
                "verification_channel": d.verification_channel,
                "status": d.status,
                "public_security_justification": d.public_security_justification,
                "capture_area": d.capture_area,
                "signage": {
                    "file": _signage_path(d) if d.signage_photo else None,
                    "location": d.signage_location,
                    "date": _dt(d.signage_date),
                },
                "devices": [
                    {"identifier": x.identifier, "kind": x.kind, "location": x.location}
                    for x in d.devices.all()
                ],
                "purposes": [
                    {
                        "purpose_id": link.purpose_id,
                        "name": link.purpose.name,
                        "requires_separate_consent": link.requires_separate_consent,
                    }
                    for link in d.purpose_links.all()
                ],
                "activated_at": _dt(d.activated_at),
                "retired_at": _dt(d.retired_at),
            }
        )
    return rows


def _purposes(org) -> list[dict]:
    rows = []
    for p in Purpose.objects.for_org(org).prefetch_related("versions"):
        rows.append(
            {
                "id": p.pk,
                "name": p.name,
                "kind": p.kind,
                "current_version": p.current_version_id,
                "versions": [
                    {"id": v.pk, "version": v.version, "created_at": _dt(v.created_at)}
                    | {f: getattr(v, f) for f in VERSION_FIELDS}
                    for v in p.versions.all()
                ],
            }
        )
    return rows


def _notices(org) -> list[dict]:
    return [
        {"id": n.pk, "purpose_version_id": n.purpose_version_id, "language": n.language}
        | {f: getattr(n, f) for f in Notice.CONTENT_FIELDS}
        | {"published_at": _dt(n.published_at), "content_hash": n.content_hash}
        for n in Notice.objects.for_org(org).published()
    ]


def _assessments(org) -> list[dict]:
    rows = []
    for a in Assessment.objects.for_org(org).prefetch_related("attachments", "purpose_versions"):
        rows.append(
            {
                "id": a.pk,
                "deployment_id": a.deployment_id,
                "title": a.title,
                "status": a.status,
                "purpose_version_ids": [v.pk for v in a.purpose_versions.all()],
                **{f: getattr(a, f) for f in Assessment.SECTION_FIELDS},
                "signed_off_by": a.signed_off_by_label or None,
                "signed_off_at": _dt(a.signed_off_at),
                "stale_reason": a.stale_reason,
                "retain_until": _dt(a.retain_until),
                "attachments": [
                    {
                        "file": _attachment_path(x),
                        "name": x.name,
                        "sha256": x.sha256,
                        "size": x.size,
                    }
                    for x in a.attachments.all()
                ],
            }
        )
    return rows


def _incidents(org) -> list[dict]:
    fields = (
        "title",
        "severity",
        "status",
        "data_types",
        "cause",
        "possible_harm",
        "remedial_measures",
        "individual_steps",
        "contact",
        "affected_count",
    )
    return [
        {"id": i.pk, "deployment_id": i.deployment_id}
        | {f: getattr(i, f) for f in fields}
        | {
            "occurred_at": _dt(i.occurred_at),
            "discovered_at": _dt(i.discovered_at),
            "authorities_notified_at": _dt(i.authorities_notified_at),
            "individuals_notified_at": _dt(i.individuals_notified_at),
        }
        for i in Incident.objects.for_org(org)
    ]


def _filings(org) -> list[dict]:
    return [
        {
            "id": f.pk,
            "kind": f.kind,
            "status": f.status,
            "threshold": f.threshold,
            "stored_count": f.stored_count,
            "reason": f.reason,
            "trigger_date": _dt(f.trigger_date),
            "deadline": _dt(f.deadline),
            "deadline_estimated": f.deadline_estimated,
            "authority": f.authority,
            "filing_number": f.filing_number,
            "submitted_at": _dt(f.submitted_at),
        }
        for f in Filing.objects.for_org(org)
    ]


# The audit events about what the pack holds, each proven included in the signed log (R52).
_PROVEN_ACTIONS = (
    "assessment.",
    "deployment.",
    "filing.",
    "filing_pack.",
    "filing_profile.",
    "incident.",
    "notice.",
    "purpose.",
)
_PROVEN_MAX = 10_000


def _audit_proofs(org) -> dict:
    """Return the newest governance audit events with inclusion proofs (``audit.offline``)."""
    match = Q()
    for prefix in _PROVEN_ACTIONS:
        match |= Q(action__startswith=prefix)
    event_ids = (
        AuditEvent.objects.for_org(org).filter(match).order_by("-id").values_list("pk", flat=True)
    )
    return audit_export_bundle(organization_id=org.pk, event_ids=list(event_ids[:_PROVEN_MAX]))


def filing_pack_build(*, organization, actor: Actor, filing: Filing | None = None) -> bytes:
    """Return the ZIP bytes of the organization's filing pack and record the export."""
    stored = stored_individuals_count(organization=organization)
    profile = filing_profile_get(organization=organization)
    data = {
        "organization.json": _organization(organization),
        "deployments.json": _deployments(organization),
        "purposes.json": _purposes(organization),
        "notices.json": _notices(organization),
        "assessments.json": _assessments(organization),
        "incidents.json": _incidents(organization),
        "filings.json": _filings(organization),
        "counts.json": {
            "stored_individuals": stored,
            "threshold": filing_threshold(),
            "counted_at": timezone.now().isoformat(),
        },
        "security_measures.json": {
            "security_measures": profile.security_measures,
            "processing_rules": profile.processing_rules,
            "operating_procedures": profile.operating_procedures,
            "legal_representative": profile.legal_representative,
            "handling_person": profile.handling_person,
        },
    }
    files: dict[str, bytes] = {
        name: json.dumps(body, ensure_ascii=False, indent=2, default=str).encode()
        for name, body in data.items()
    }
    # Verifiable without our database: python -m audit.offline --export audit_proofs.json.
    files["audit_proofs.json"] = json.dumps(
        _audit_proofs(organization), ensure_ascii=False
    ).encode()
    # R38: the sealed scans of the filing (or of the current one), and what the authority
    # still lacks, so an incomplete pack says so instead of looking complete.
    materials_of = filing or filing_for_materials(organization)
    materials = filing_materials(materials_of)
    files["filing_report.html"] = render_to_string(
        "governance/filing_pack.html",
        {
            "org": data["organization.json"],
            "deployments": data["deployments.json"],
            "purposes": data["purposes.json"],
            "assessments": data["assessments.json"],
            "incidents": data["incidents.json"],
            "filings": data["filings.json"],
            "counts": data["counts.json"],
            "profile": data["security_measures.json"],
            "filing": filing,
            "materials": materials,
            "generated_at": timezone.now(),
            "stylesheet": REPORT_STYLESHEET,
        },
    ).encode()
    files[REPORT_STYLESHEET] = _STYLESHEET_SOURCE.read_bytes()
    for d in Deployment.objects.for_org(organization).exclude(signage_photo=""):
        with d.signage_photo.open("rb") as handle:
            files[_signage_path(d)] = handle.read()
    files["filing_documents.json"] = json.dumps(
        {
            "filing": materials_of.pk if materials_of else None,
            "present": [
                {
                    "kind": d.kind,
                    "label": str(d.get_kind_display()),
                    "name": d.name,
                    "file": _document_path(d),
                    "sha256": d.sha256,
                    "uploaded_at": _dt(d.uploaded_at),
                }
                for d in materials["present"]
            ],
            "missing": [{"kind": kind, "label": label} for kind, label in materials["missing"]],
        },
        ensure_ascii=False,
        indent=2,
    ).encode()
    for d in materials["present"]:
        with d.file.open("rb") as handle:
            files[_document_path(d)] = handle.read()
    for a in Assessment.objects.for_org(organization).prefetch_related("attachments"):
        for x in a.attachments.all():
            with x.file.open("rb") as handle:
                files[_attachment_path(x)] = handle.read()
    manifest = {name: hashlib.sha256(body).hexdigest() for name, body in sorted(files.items())}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action="filing_pack.exported",
        target_type="filing" if filing else "organization",
        target_id=filing.pk if filing else organization.pk,
        details={"files": len(files) + 1, "stored_individuals": stored},
    )
    return buffer.getvalue()
