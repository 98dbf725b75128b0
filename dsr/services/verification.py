"""After an erasure: look in every table and store that can hold the subject's data.

Each check is a query (or a look at the disk) with its count; all must be zero. The report is
attached to the request, so the erasure is proven rather than asserted. Audit events, consent
events and receipts are kept three years (R16): they are checked to carry the pseudonym only,
none of the identifiers the subject had before the erasure.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import Consent, ConsentEvent, ConsentReceipt, Subject
from dsr.models import DataRequest
from recognition.models import (
    Enrollment,
    FaceTemplate,
    ProbeFace,
    ProbeImage,
    RawImage,
    RecognitionResult,
    SubjectKey,
)

PERSONAL_FIELDS = ("external_ref", "display_name", "email", "phone")
# Reports name the file store by this label, never by its path on the server: a report is
# handed to people and exported, and a server path tells an attacker the layout (issue 18).
MEDIA_LABEL = "media:"
EVIDENCE_FIELDS = ("user_agent", "e_signature", "guardian_name", "guardian_evidence")


@dataclass(frozen=True)
class Traces:
    """What the subject had before the erasure: identifiers and file paths to look for."""

    identifiers: tuple[str, ...]
    files: tuple[str, ...]


def traces_before_erasure(*, subject: Subject) -> Traces:
    """Collect the identifiers and files to look for afterwards (read before erasing)."""
    identifiers = [getattr(subject, f) for f in PERSONAL_FIELDS]
    if subject.date_of_birth:
        identifiers.append(subject.date_of_birth.isoformat())
    # Short values (a two-letter name) would match unrelated text: only distinctive ones count.
    identifiers = tuple(sorted({v.strip() for v in identifiers if v and len(v.strip()) >= 4}))
    media = Path(settings.MEDIA_ROOT)
    files = [
        str(media / "recognition" / p)
        for p in RawImage.objects.filter(subject=subject).values_list("path", flat=True)
    ]
    files += [
        str(media / "recognition" / p)
        for p in Enrollment.objects.filter(subject=subject)
        .exclude(pending_path="")
        .values_list("pending_path", flat=True)
    ]
    files += [
        str(media / "recognition" / p)
        for p in ProbeImage.objects.filter(job__claimed_subject=subject)
        .exclude(path="")
        .values_list("path", flat=True)
    ]
    files += [
        str(media / name)
        for name in Consent.objects.filter(subject=subject)
        .exclude(signed_document="")
        .values_list("signed_document", flat=True)
    ]
    return Traces(identifiers=identifiers, files=tuple(sorted(set(files))))


def _text_mentions(queryset, fields, identifiers) -> int:
    if not identifiers:
        return 0
    annotations = {f"_t_{f}": Cast(f, TextField()) for f in fields}
    query = Q()
    for name in annotations:
        for value in identifiers:
            query |= Q(**{f"{name}__icontains": value})
    return queryset.annotate(**annotations).filter(query).count()


def verify_erasure(*, subject: Subject, traces: Traces) -> dict:
    """Return the verification report: every check with its table and count; passed if all 0."""
    subject = Subject.objects.get(pk=subject.pk)
    pseudonym = subject.pseudonym
    checks = []

    def check(name: str, table: str, count: int) -> None:
        checks.append({"check": name, "table": table, "count": int(count), "ok": count == 0})

    check(
        "personal fields of the subject",
        Subject._meta.db_table,
        sum(1 for f in PERSONAL_FIELDS if getattr(subject, f))
        + (subject.date_of_birth is not None),
    )
    consents = Consent.objects.filter(subject=subject)
    evidence = Q(ip__isnull=False) | ~Q(signed_document="")
    for field in EVIDENCE_FIELDS:
        evidence |= ~Q(**{field: ""})
    check("identifying consent evidence", Consent._meta.db_table, consents.filter(evidence).count())
    check("consents in force", Consent._meta.db_table, consents.in_force().count())
    check(
        "data key not destroyed",
        SubjectKey._meta.db_table,
        SubjectKey.objects.filter(subject=subject, wrapped__isnull=False).count(),
    )
    check(
        "face templates",
        FaceTemplate._meta.db_table,
        FaceTemplate.objects.filter(Q(subject=subject) | Q(subject_pseudonym=pseudonym)).count(),
    )
    check("raw images", RawImage._meta.db_table, RawImage.objects.filter(subject=subject).count())
    enrollments = Enrollment.objects.filter(subject=subject)
    check(
        "pending enrollment uploads",
        Enrollment._meta.db_table,
        enrollments.exclude(pending_path="").count(),
    )
    check(
        "unfinished enrollments",
        Enrollment._meta.db_table,
        enrollments.filter(status__in=["queued", "running"]).count(),
    )
    claimed = {"job__claimed_subject": subject}
    check(
        "probe images of verification jobs naming the subject",
        ProbeImage._meta.db_table,
        ProbeImage.objects.filter(**claimed).exclude(path="").count(),
    )
    check(
        "probe faces of verification jobs naming the subject",
        ProbeFace._meta.db_table,
        ProbeFace.objects.filter(**claimed).count(),
    )
    check(
        "recognition results naming the subject",
        RecognitionResult._meta.db_table,
        RecognitionResult.objects.filter(
            Q(subject=subject) | Q(subject_pseudonym=pseudonym)
        ).count(),
    )
    check(
        "files on disk under MEDIA_ROOT",
        MEDIA_LABEL,
        sum(1 for path in traces.files if Path(path).exists()),
    )
    ids = traces.identifiers
    check(
        "identifiers in the subject's request messages",
        DataRequest._meta.db_table,
        DataRequest.objects.filter(subject=subject).exclude(message="").count(),
    )
    check(
        "identifiers in audit events about the subject",
        AuditEvent._meta.db_table,
        _text_mentions(
            AuditEvent.objects.filter(
                organization_id=subject.organization_id, subject_pseudonym=str(pseudonym)
            ),
            ("details", "actor_label", "target_id"),
            ids,
        ),
    )
    check(
        "identifiers in consent events",
        ConsentEvent._meta.db_table,
        _text_mentions(ConsentEvent.objects.filter(subject_pseudonym=pseudonym), ("reason",), ids),
    )
    check(
        "identifiers in consent receipts",
        ConsentReceipt._meta.db_table,
        _text_mentions(ConsentReceipt.objects.filter(consent__subject=subject), ("body",), ids),
    )
    failed = [c for c in checks if not c["ok"]]
    return {
        "subject_pseudonym": str(pseudonym),
        "checked_at": timezone.now().isoformat(),
        "passed": not failed,
        "identifiers_searched": len(ids),
        "files_checked": len(traces.files),
        "checks": checks,
        "left_behind": [c["check"] for c in failed],
    }
