"""What an organization's personal information amounts to, table by table (R51).

The termination run counts before it starts and after it ends; the report puts the two side by
side (the labels are stored in English and translated where they are shown), and a run passes
only when every "after" is zero. Pseudonymous records kept as proof (consent events, receipts,
audit events, request rows; R16) are not counted here: the per-subject erasure verification
checks that none of them still names a person.
"""

from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_noop as N_

from consent.models import Consent, Subject
from dsr.models import DataRequest
from dsr.services.verification import EVIDENCE_FIELDS, MEDIA_LABEL
from governance.models import Complaint
from recognition.blobs import blob_files
from recognition.models import (
    Enrollment,
    FaceTemplate,
    ProbeFace,
    ProbeImage,
    RawImage,
    RecognitionResult,
    SubjectKey,
)

BLOB_FOLDERS = ("raw", "pending", "probes", "previews")


def _personal_q() -> Q:
    return (
        ~Q(display_name="")
        | ~Q(email="")
        | ~Q(phone="")
        | ~Q(external_ref="")
        | Q(date_of_birth__isnull=False)
    )


def _evidence_q() -> Q:
    evidence = Q(ip__isnull=False) | ~Q(signed_document="")
    for field in EVIDENCE_FIELDS:
        evidence |= ~Q(**{field: ""})
    return evidence


def _files(organization) -> int:
    blobs = sum(len(blob_files(f"{folder}/{organization.pk}")) for folder in BLOB_FOLDERS)
    media = Path(settings.MEDIA_ROOT)
    documents = Consent.objects.filter(organization=organization).exclude(signed_document="")
    signed = sum(
        1 for name in documents.values_list("signed_document", flat=True) if (media / name).exists()
    )
    return blobs + signed


def organization_personal_counts(*, organization) -> list[dict]:
    """Return one row per table and kind of personal information: {"table", "what", "count"}."""
    org = organization
    consents = Consent.objects.filter(organization=org)
    rows = [
        (
            Subject,
            N_("subjects with personal fields"),
            Subject.objects.filter(Q(organization=org) & _personal_q()),
        ),
        (Consent, N_("consents in force"), consents.in_force()),
        (Consent, N_("identifying consent evidence"), consents.filter(_evidence_q())),
        (
            SubjectKey,
            N_("data keys not destroyed"),
            SubjectKey.objects.filter(organization=org, wrapped__isnull=False),
        ),
        (FaceTemplate, N_("face templates"), FaceTemplate.objects.filter(organization=org)),
        (RawImage, N_("raw images"), RawImage.objects.filter(organization=org)),
        (
            Enrollment,
            N_("pending enrollment uploads"),
            Enrollment.objects.filter(organization=org).exclude(pending_path=""),
        ),
        (
            ProbeImage,
            N_("probe images held"),
            ProbeImage.objects.filter(job__organization=org).exclude(path=""),
        ),
        (ProbeFace, N_("probe faces held"), ProbeFace.objects.filter(job__organization=org)),
        (
            RecognitionResult,
            N_("results naming a subject"),
            RecognitionResult.objects.filter(
                Q(organization=org)
                & (Q(subject__isnull=False) | Q(subject_pseudonym__isnull=False))
            ),
        ),
        (
            DataRequest,
            N_("request messages"),
            DataRequest.objects.filter(organization=org).exclude(message=""),
        ),
        (
            Complaint,
            N_("complainants' names, contacts and messages"),
            Complaint.objects.filter(
                Q(organization=org) & (~Q(contact_name="") | ~Q(contact_email="") | ~Q(message=""))
            ),
        ),
    ]
    counted = [
        {"table": model._meta.db_table, "what": what, "count": queryset.count()}
        for model, what, queryset in rows
    ]
    counted.append({"table": MEDIA_LABEL, "what": N_("files on disk"), "count": _files(org)})
    return counted


def counts_compared(before: list[dict], after: list[dict]) -> list[dict]:
    """Return the rows with "before" and "after" side by side; ``ok`` when nothing is left."""
    earlier = {(row["table"], row["what"]): row["count"] for row in before}
    return [
        {
            "table": row["table"],
            "what": row["what"],
            "before": earlier.get((row["table"], row["what"]), 0),
            "after": row["count"],
            "ok": row["count"] == 0,
        }
        for row in after
    ]
