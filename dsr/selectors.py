"""Reads of the requests workflow: the queue, figures, and everything held about a person."""

import json
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import Consent
from consent.selectors import consents_for_subject
from dsr.models import (
    DataRequest,
    ImportedConsent,
    LegalHold,
    PortabilityImport,
    PortabilityTransfer,
)
from dsr.services.deadlines import dsr_settings_for


def data_requests_queue(*, organization, status: str = "open"):
    """Return the organization's requests for the DPO's queue, soonest deadline first."""
    requests = DataRequest.objects.for_org(organization).select_related("subject", "duplicate_of")
    if status == "open":
        requests = requests.open()
    elif status:
        requests = requests.filter(status=status)
    return requests.order_by(F("due_at").asc(nulls_last=True), "pk")


def data_requests_for_subject(*, subject):
    """Return the subject's requests, newest first (/me/ and the panel's subject page)."""
    return DataRequest.objects.filter(subject=subject).order_by("-created_at", "-pk")


def data_request_for_org(*, organization, pk) -> DataRequest | None:
    """Return the organization's request with this id, or None (never another's)."""
    return (
        DataRequest.objects.for_org(organization)
        .select_related("organization", "subject", "duplicate_of")
        .filter(pk=pk)
        .first()
    )


def dsr_figures(*, organization, now=None) -> dict:
    """Return the dashboard's figures: open requests, due soon, overdue (R50)."""
    now = now or timezone.now()
    soon = now + timedelta(days=dsr_settings_for(organization=organization)["due_soon_days"])
    open_requests = DataRequest.objects.for_org(organization).open()
    return {
        "dsr_open": open_requests.count(),
        "dsr_due_soon": open_requests.filter(due_at__gt=now, due_at__lte=soon).count(),
        "dsr_overdue": open_requests.filter(due_at__lte=now).count(),
    }


def oldest_overdue_request_id(*, organization, now=None) -> int | None:
    """Return the id of the open request whose deadline passed first, None when none has."""
    overdue = (
        DataRequest.objects.for_org(organization).open().filter(due_at__lte=now or timezone.now())
    )
    return overdue.order_by("due_at", "pk").values_list("pk", flat=True).first()


def legal_hold_active(*, subject) -> LegalHold | None:
    return LegalHold.objects.active().filter(subject=subject).first()


def legal_holds_for_org(*, organization):
    return LegalHold.objects.for_org(organization).select_related("subject")


def _iso(moment):
    return moment.isoformat() if moment else None


def subject_consents_export(*, subject) -> list[dict]:
    """Return every consent of the subject with its history and signed receipts."""
    consents = consents_for_subject(subject=subject).prefetch_related("events")
    out = []
    for c in consents:
        receipts = {r.event_id: r for r in c.receipts.all()}
        out.append(
            {
                "id": str(c.public_id),
                "purpose": c.purpose.name,
                "purpose_version": c.purpose_version.version,
                "deployment": c.deployment.name if c.deployment else None,
                "kind": c.kind,
                "state": c.state,
                "items": {
                    "face_processing": c.face_processing,
                    "central_storage": c.central_storage,
                    "raw_images": c.raw_images,
                    "recipients": [
                        {"name": r.name, "purpose": r.purpose, "granted": r.granted}
                        for r in c.recipients.all()
                    ],
                },
                "channel": c.channel,
                "language": c.language,
                "given_at": _iso(c.given_at),
                "expires_at": _iso(c.expires_at),
                "withdrawn_at": _iso(c.withdrawn_at),
                "retain_until": _iso(c.retain_until),
                "history": [
                    {
                        "type": e.type,
                        "from": e.from_state,
                        "to": e.to_state,
                        "at": _iso(e.at),
                        "channel": e.channel,
                        "reason": e.reason,
                        "receipt": _receipt(receipts.get(e.pk)),
                    }
                    for e in c.events.all()
                ],
            }
        )
    return out


def _receipt(receipt) -> dict | None:
    if receipt is None:
        return None
    try:
        body = json.loads(receipt.body)
    except ValueError:
        body = receipt.body
    return {"receipt": body, "signature": receipt.signature, "kid": receipt.kid}


def subject_requests_export(*, subject) -> list[dict]:
    rows = DataRequest.objects.filter(subject=subject).order_by("created_at", "pk")
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "status": r.status,
            "channel": r.channel,
            "received_at": _iso(r.created_at),
            "due_at": _iso(r.due_at),
            "extended_at": _iso(r.extended_at),
            "extension_reason": r.extension_reason,
            "closed_at": _iso(r.closed_at),
            "rejection_reason": r.rejection_reason,
            "outcome": r.outcome,
        }
        for r in rows
    ]


def subject_audit_export(*, subject) -> list[list]:
    """Return the audit events about the subject, oldest first, as compact rows.

    A panel listing or export records one event naming every subject it showed (R31,
    ``details.subjects``), not one per row: those count as reads of this person's data too.
    """
    pseudonym = str(subject.pseudonym)
    about = Q(subject_pseudonym=pseudonym)
    # Scans the organization's events by their index: fine for an access request, which is rare.
    if connection.features.supports_json_field_contains:  # not SQLite (the demo)
        about |= Q(details__subjects__contains=[pseudonym])
    rows = (
        AuditEvent.objects.filter(Q(organization_id=subject.organization_id) & about)
        .order_by("id")
        .values_list(
            "created_at",
            "action",
            "actor_type",
            "actor_label",
            "target_type",
            "target_id",
            "details",
        )
    )
    return [[_iso(r[0]), *r[1:-1], _own_details(r[-1], pseudonym)] for r in rows]


def _own_details(details, pseudonym: str):
    # A listing named other people too: the person gets their own pseudonym, never theirs.
    if isinstance(details, dict) and isinstance(details.get("subjects"), list):
        return {**details, "subjects": [p for p in details["subjects"] if p == pseudonym]}
    return details


AUDIT_COLUMNS = ["at", "action", "actor_type", "actor", "target_type", "target_id", "details"]


def imported_consents_for(queryset):
    """Annotate imported consents with ``confirmed``: a usable consent here for that purpose.

    Matched by the purpose's name, the one thing both organizations share; consent's own rule
    (``usable``) decides, so a later withdrawal makes the import "needs confirmation" again.
    """
    usable_here = Consent.objects.filter(
        subject=OuterRef("subject"), purpose__name__iexact=OuterRef("purpose_name")
    ).usable()
    return queryset.annotate(confirmed=Exists(usable_here))


def _per_import(consents):
    """Count ``consents`` (imported consents) of the outer import, 0 when it has none."""
    counted = consents.order_by().values("source").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def portability_imports_for_org(*, organization):
    """Return the organization's portability imports (R46), newest first, each annotated with
    ``consents_carried`` and ``consents_to_confirm`` (those not confirmed here yet, by the rule
    of ``imported_consents_for``)."""
    carried = ImportedConsent.objects.filter(source=OuterRef("pk"))
    to_confirm = imported_consents_for(carried).filter(confirmed=False)
    return (
        PortabilityImport.objects.for_org(organization)
        .select_related("subject")
        .annotate(
            consents_carried=_per_import(carried), consents_to_confirm=_per_import(to_confirm)
        )
    )


def portability_import_for_org(*, organization, pk) -> PortabilityImport | None:
    """Return the organization's portability import with this id, or None (never another's)."""
    return portability_imports_for_org(organization=organization).filter(pk=pk).first()


def portability_import_of_subject(*, subject) -> PortabilityImport | None:
    """Return the import that created ``subject``, or None when it was not imported."""
    return PortabilityImport.objects.filter(subject=subject).order_by("-pk").first()


def transfer_for_request(*, data_request):
    """Return the request's portability transfer (R46), or None for other kinds."""
    return PortabilityTransfer.objects.filter(data_request=data_request).first()
