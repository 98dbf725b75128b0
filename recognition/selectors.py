"""Every non-trivial read of the recognition app (API, panel, DSR module, filing count)."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from governance.selectors import deployments_granted_to
from recognition.models import (
    Enrollment,
    FaceTemplate,
    RawImage,
    RecognitionJob,
    RecognitionResult,
    SubjectKey,
)
from tenants import roles
from tenants.backends import role_in


def stored_individuals_count(*, organization) -> int:
    """Return the distinct subjects whose face data is stored now (R35), de-duplicated.

    One row per subject carries a counter kept in the transaction of every template write, so
    this is an index-only count on a partial index (bench/filing_count.py).
    """
    return SubjectKey.objects.for_org(organization).storing().count()


def deployments_visible_for(*, user, organization, perm: str):
    """Return the deployment ids ``user`` holds ``perm`` on: all (None) by role, or granted."""
    # Asked of the role directly: guardian refuses a deployment permission on an organization.
    if roles.role_allows(role_in(user, organization), perm):
        return None
    return set(
        deployments_granted_to(user=user, organization=organization, perm=perm).values_list(
            "pk", flat=True
        )
    )


def _visible(queryset, *, user, organization, perms):
    ids: set[int] = set()
    for perm in perms:
        granted = deployments_visible_for(user=user, organization=organization, perm=perm)
        if granted is None:
            return queryset
        ids |= granted
    return queryset.filter(deployment_id__in=ids)


def jobs_for(*, user, organization):
    """Return the jobs ``user`` may see: all with an organization-wide role, else on grants."""
    jobs = RecognitionJob.objects.for_org(organization).select_related(
        "deployment", "purpose", "calibration"
    )
    return _visible(
        jobs, user=user, organization=organization, perms=(roles.VIEW_RESULTS, roles.RUN_JOB)
    )


def enrollments_for(*, user, organization, subject=None, purpose=None, template_state=""):
    """Return the enrollments ``user`` may see, narrowed by subject pseudonym, purpose id and
    template state (stored, purged on withdrawal, erased, expired ...) where given."""
    rows = Enrollment.objects.for_org(organization).select_related("deployment", "purpose")
    if subject:
        rows = rows.filter(subject_pseudonym=subject)
    if purpose:
        rows = rows.filter(purpose_id=purpose)
    if template_state:
        rows = rows.filter(template_state=template_state)
    return _visible(
        rows, user=user, organization=organization, perms=(roles.VIEW_RESULTS, roles.ENROLL)
    )


def job_results(*, job):
    return RecognitionResult.objects.filter(job=job).order_by("image_index", "face_index")


def review_queue(*, organization):
    """Return the organization's matches awaiting human review, oldest first (R43)."""
    return (
        RecognitionResult.objects.for_org(organization)
        .pending_review()
        .select_related("job", "job__deployment", "job__purpose")
        .order_by("created_at", "pk")
    )


def subject_biometric_summary(*, subject) -> dict:
    """Return what the portal holds about a subject's face data, for access requests (PIPL 45).

    Enrollment metadata (when, deployment, purpose, model version, retention date, status), the
    templates and raw images currently stored (counts and dates, never their content), and
    every result that names the subject.
    """
    templates = {
        t.enrollment_id: t
        for t in FaceTemplate.objects.filter(subject=subject).select_related("purpose_version")
    }
    enrollments = []
    for e in Enrollment.objects.filter(subject=subject).select_related("deployment", "purpose"):
        template = templates.get(e.pk)
        enrollments.append(
            {
                "enrollment": str(e.public_id),
                "requested_at": e.created_at,
                "finished_at": e.finished_at,
                "status": e.status,
                "error_code": e.error_code,
                "deployment": {"id": e.deployment_id, "name": e.deployment.name},
                "purpose": {"id": e.purpose_id, "name": e.purpose.name},
                "model_version": e.model_version,
                "template_stored": template is not None,
                "retain_until": template.retain_until if template else None,
            }
        )
    results = [
        {
            "job": str(r.job.public_id),
            "at": r.created_at,
            "mode": r.job.mode,
            "deployment_id": r.job.deployment_id,
            "purpose_id": r.job.purpose_id,
            "distance": r.distance,
            "review_status": r.review_status,
        }
        for r in RecognitionResult.objects.filter(subject=subject).select_related("job")
    ]
    key = SubjectKey.objects.filter(subject=subject).first()
    return {
        "subject": str(subject.pseudonym),
        "templates_stored": len(templates),
        "raw_images_stored": [
            {"purpose_id": i.purpose_id, "kept_since": i.created_at, "retain_until": i.retain_until}
            for i in RawImage.objects.filter(subject=subject)
        ],
        "data_key": ("none" if key is None else "destroyed" if key.wrapped is None else "present"),
        "enrollments": enrollments,
        "results": results,
    }


def recognition_figures(*, organization) -> dict:
    """Return the dashboard's recognition figures: jobs in 24 h, pending reviews."""
    since = timezone.now() - timedelta(hours=24)
    return {
        "jobs_24h": RecognitionJob.objects.for_org(organization)
        .filter(created_at__gte=since)
        .count(),
        "reviews_pending": RecognitionResult.objects.for_org(organization).pending_review().count(),
        "templates_stored": FaceTemplate.objects.for_org(organization).count(),
    }


def jobs_running(*, organization):
    return RecognitionJob.objects.for_org(organization).filter(
        Q(status=RecognitionJob.Status.QUEUED) | Q(status=RecognitionJob.Status.RUNNING)
    )
