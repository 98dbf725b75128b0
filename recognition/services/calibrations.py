"""R54: each identifying purpose's 1:N operating point, derived from its own gallery and kept.

A 1:N answer names someone only inside the operating point that the purpose's declared false-
positive identification rate (FPIR) allows at the gallery's current size. The point is derived
by ``recognition.matching.calibration.calibrate`` (method: docs/accuracy.md), recorded here with
its figures and audited, re-derived on a schedule and as the gallery grows, and pinned by every
job that uses it. When the declared rate cannot be reached with a usable hit rate, identification
is refused (the capacity gate) with the figures.

A recalibration starts from the previous one's held-out sample (``CalibrationSample``) and
searches only what changed since (``recalibrate``, docs/accuracy.md): a growing gallery is
recalibrated in seconds at any size. Staff asking for one, a sample older than
RECOGNITION_CALIBRATION_FULL_SECONDS, or a change too large for it get a full calibration.
"""

import time
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from consent.selectors import minor_pseudonyms
from governance.models import Purpose, PurposeVersion
from recognition.enqueue import task_enqueue
from recognition.matching import Gallery
from recognition.matching.calibration import (
    GENUINE_PRIOR_MEDIAN,
    MIN_IMPOSTOR_SAMPLES,
    Calibrated,
    recalibrate,
)
from recognition.matching.held_out import HeldOutSample
from recognition.matching.impostor_prior import prior_point
from recognition.models import (
    FaceTemplate,
    GalleryCalibration,
    GalleryVersion,
    RecognitionJob,
    RecognitionResult,
)
from recognition.models.calibrations import CalibrationSample
from recognition.services.galleries import gallery_for
from tenants.errors import RuleViolation

# A stratum gets its own operating point only with enough identities to estimate one.
MIN_STRATUM_IDENTITIES = 20


def _growth_share() -> float:
    return float(getattr(settings, "RECOGNITION_RECALIBRATE_GROWTH", 0.1))


def _max_age() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "RECOGNITION_RECALIBRATE_SECONDS", 86400)))


def _sample() -> int:
    return int(getattr(settings, "RECOGNITION_CALIBRATION_SAMPLE", 20000))


def _full_every() -> timedelta:
    return timedelta(
        seconds=int(getattr(settings, "RECOGNITION_CALIBRATION_FULL_SECONDS", 7 * 86400))
    )


def calibrations_for_purpose(*, purpose):
    return GalleryCalibration.objects.for_org(purpose.organization_id).filter(purpose=purpose)


def calibration_effective(*, purpose) -> GalleryCalibration | None:
    """Return the calibration 1:N answers use now: the strictest stratum's newest one.

    Strictest means the lowest threshold, and an unusable stratum before any usable one: the
    probe of a stranger has no known stratum, so the point safe for every stratum applies.
    """
    latest = GalleryCalibration.objects.latest_per_stratum(purpose=purpose)
    if not latest:
        return None
    return min(latest, key=lambda c: (c.usable, c.threshold, -c.margin))


def _template_count(purpose) -> int:
    return FaceTemplate.objects.filter(
        organization_id=purpose.organization_id, purpose_id=purpose.pk
    ).count()


def calibration_due(*, purpose, now=None) -> str | None:
    """Return why the purpose's gallery needs a new calibration now, or None.

    Growth is measured on stored templates: cheap, and what the gallery holds at most.
    """
    now = now or timezone.now()
    latest = calibrations_for_purpose(purpose=purpose).filter(stratum="").first()
    if latest is None:
        return GalleryCalibration.Trigger.FIRST_JOB
    version_id = purpose.current_version_id
    if version_id is not None and latest.purpose_version_id != version_id:
        return GalleryCalibration.Trigger.SCHEDULE
    if _template_count(purpose) > latest.templates * (1 + _growth_share()):
        return GalleryCalibration.Trigger.GROWTH
    if now - latest.created_at > _max_age():
        return GalleryCalibration.Trigger.SCHEDULE
    return None


def _genuine_distances(purpose) -> np.ndarray:
    """Distances the purpose's own records show between a person and their templates.

    Verifications of a claimed identity that a reviewer did not reject are genuine comparisons.
    """
    rows = RecognitionResult.objects.filter(
        Q(organization_id=purpose.organization_id)
        & Q(job__purpose_id=purpose.pk)
        & Q(job__mode=RecognitionJob.Mode.VERIFY)
        & Q(matched=True)
        & Q(distance__isnull=False)
        & ~Q(review_status=RecognitionResult.Review.REJECTED)
    ).values_list("distance", flat=True)
    return np.asarray(list(rows), dtype=np.float64)


def _sub_gallery(labels, vectors, subjects: list[str], keep: set[str]) -> Gallery:
    rows = [i for i, s in enumerate(subjects) if s in keep]
    sub = Gallery(indexed=False)
    if rows:
        sub.add_many(labels[rows], vectors[rows], [subjects[i] for i in rows])
    return sub


def _strata(purpose, gallery) -> dict[str, Gallery]:
    """Return the sub-galleries that get their own operating point (minors and adults).

    The gallery's labels, pseudonyms and vectors are read once: at a million templates each
    pass over them costs seconds and each copy of the vectors half a gigabyte.
    """
    labels = gallery.labels()
    subjects = [gallery.subject(int(label)) for label in labels]
    everyone = set(subjects)
    minors = everyone & minor_pseudonyms(
        organization_id=purpose.organization_id, on=timezone.localdate()
    )
    adults = everyone - minors
    if min(len(minors), len(adults)) < MIN_STRATUM_IDENTITIES:
        return {}
    vectors = gallery.vectors()
    return {
        GalleryCalibration.Stratum.MINORS: _sub_gallery(labels, vectors, subjects, minors),
        GalleryCalibration.Stratum.ADULTS: _sub_gallery(labels, vectors, subjects, adults),
    }


def _previous(
    purpose, stratum: str, trigger: str, now
) -> tuple[GalleryCalibration | None, HeldOutSample | None]:
    """Return the calibration an incremental one would start from, and its held-out sample.

    (None, None) means a full calibration: staff asked for one (a fresh draw is what asking
    gives), the stratum has no kept sample, or its last full calibration is older than
    RECOGNITION_CALIBRATION_FULL_SECONDS, so no one draw of identities speaks for a gallery
    forever, and index approximations in the kept distances do not outlive a week.
    """
    if trigger == GalleryCalibration.Trigger.MANUAL:
        return None, None
    rows = calibrations_for_purpose(purpose=purpose).filter(stratum=stratum)
    latest = rows.first()
    last_full = rows.filter(kind=GalleryCalibration.Kind.FULL).first()
    if latest is None or last_full is None or now - last_full.created_at > _full_every():
        return None, None
    kept = CalibrationSample.objects.filter(calibration=latest).first()
    if kept is None:
        return None, None
    return latest, HeldOutSample.from_bytes(kept.data)


def _record(
    *,
    purpose: Purpose,
    version: PurposeVersion,
    gallery_version: int,
    stratum: str,
    trigger: str,
    calibrated: Calibrated,
    based_on: GalleryCalibration | None,
    duration_ms: int,
    actor: Actor,
) -> GalleryCalibration:
    point = calibrated.point
    incremental = point.kind == GalleryCalibration.Kind.INCREMENTAL
    row = GalleryCalibration.objects.create(
        organization_id=purpose.organization_id,
        purpose=purpose,
        purpose_version=version,
        stratum=stratum,
        trigger=trigger,
        gallery_version=gallery_version,
        identities=point.identities,
        templates=point.templates,
        declared_fpir=point.declared_fpir,
        threshold=point.threshold,
        margin=point.margin,
        estimated_fpir=point.estimated_fpir,
        estimated_fnir=point.estimated_fnir,
        genuine_median=point.genuine_median,
        usable=point.usable,
        point=point.to_dict(),
        duration_ms=duration_ms,
        kind=point.kind,
        based_on=based_on if incremental else None,
    )
    # Only the newest calibration of a stratum keeps its sample: the next starts from it.
    CalibrationSample.objects.filter(
        organization_id=purpose.organization_id,
        calibration__purpose=purpose,
        calibration__stratum=stratum,
    ).delete()
    if calibrated.held_out is not None:
        CalibrationSample.objects.create(
            calibration=row,
            organization_id=purpose.organization_id,
            probes=len(calibrated.held_out.probes),
            data=calibrated.held_out.to_bytes(),
        )
    audit_record(
        organization_id=purpose.organization_id,
        actor=actor,
        action="recognition.calibrated",
        target_type="gallery_calibration",
        target_id=row.pk,
        details={
            "purpose_id": purpose.pk,
            "purpose_version": version.version,
            "stratum": stratum,
            "trigger": trigger,
            "gallery_version": gallery_version,
            "identities": point.identities,
            "template_count": point.templates,
            "declared_fpir": point.declared_fpir,
            "threshold": round(point.threshold, 4),
            "margin": round(point.margin, 4),
            "estimated_fpir": point.estimated_fpir,
            "estimated_fnir": point.estimated_fnir,
            "usable": point.usable,
            "method": point.method,
            "kind": point.kind,
            "based_on": row.based_on_id,
            "added_templates": point.added_templates,
            "removed_templates": point.removed_templates,
            "probes_searched": point.probes_searched,
            "fallback": point.fallback,
        },
    )
    return row


def calibration_run(
    *, purpose: Purpose, trigger: str, actor: Actor | None = None
) -> GalleryCalibration | None:
    """Derive and record the purpose's operating point (and each stratum's); return the effective.

    Loads the gallery as a worker does (decrypted in this process only). Each stratum starts
    from its previous calibration's held-out sample when it may (`_previous`): incremental,
    unless the gallery changed too much; the record says which ran. Return None for a purpose
    without a current version.
    """
    if trigger not in GalleryCalibration.Trigger.values:
        raise ValueError(f"unknown calibration trigger {trigger!r}")
    purpose = Purpose.objects.select_related("current_version").get(pk=purpose.pk)
    version = purpose.current_version
    if version is None:
        return None
    actor = actor or Actor.system("gallery calibration")
    gallery_version, gallery = gallery_for(purpose=purpose)
    genuine = _genuine_distances(purpose)
    galleries = {GalleryCalibration.Stratum.ALL: gallery} | _strata(purpose, gallery)
    now = timezone.now()
    done = []
    for stratum, members in galleries.items():
        started = time.perf_counter()
        based_on, previous = _previous(purpose, stratum, trigger, now)
        calibrated = recalibrate(
            members,
            previous=previous,
            declared_fpir=version.declared_fpir,
            sample=_sample(),
            genuine_distances=genuine if len(genuine) else None,
        )
        point = calibrated.point
        if point.identities < MIN_IMPOSTOR_SAMPLES:
            # Too few strangers to measure the tail: the priors decide (docs/accuracy.md).
            calibrated = Calibrated(
                prior_point(
                    declared_fpir=version.declared_fpir,
                    identities=point.identities,
                    templates=point.templates,
                    genuine_median=point.genuine_median or GENUINE_PRIOR_MEDIAN,
                ),
                None,
            )
        done.append((stratum, calibrated, based_on, int((time.perf_counter() - started) * 1000)))
    with transaction.atomic():
        for stratum, calibrated, based_on, duration_ms in done:
            _record(
                purpose=purpose,
                version=version,
                gallery_version=gallery_version,
                stratum=stratum,
                trigger=trigger,
                calibrated=calibrated,
                based_on=based_on,
                duration_ms=duration_ms,
                actor=actor,
            )
    return calibration_effective(purpose=purpose)


def calibration_for_job(*, job: RecognitionJob) -> GalleryCalibration:
    """Return the calibration a 1:N job is answered with, deriving a new one when due; pin it.

    A redelivered job keeps the calibration it pinned first, so its answers never change.
    """
    if job.calibration_id is not None:
        return GalleryCalibration.objects.get(pk=job.calibration_id)
    purpose = job.purpose
    effective = calibration_effective(purpose=purpose)
    due = calibration_due(purpose=purpose)
    if effective is None or due in (
        GalleryCalibration.Trigger.FIRST_JOB,
        GalleryCalibration.Trigger.GROWTH,
    ):
        effective = calibration_run(purpose=purpose, trigger=due or "first_job")
    RecognitionJob.objects.filter(pk=job.pk, calibration__isnull=True).update(calibration=effective)
    job.refresh_from_db(fields=["calibration"])
    return job.calibration


def capacity_message(calibration: GalleryCalibration) -> str:
    """Say, with the figures, why this gallery cannot identify at its declared rate (R54)."""
    fnir = calibration.estimated_fnir
    median = calibration.genuine_median or 0
    if calibration.threshold < median:
        why = (
            f"the calibrated threshold {calibration.threshold:.3f} is below the distance "
            f"{median:.3f} that half of genuine pairs reach"
        )
    else:
        why = (
            f"at the calibrated threshold {calibration.threshold:.3f} the margin "
            f"{calibration.margin:.3f} that keeps look-alikes apart leaves most enrolled people "
            "unnamed"
        )
    return (
        f"R54: at {calibration.identities} enrolled people this gallery cannot reach the declared "
        f"false-positive identification rate of 1 in {calibration.declared_one_in} with a usable "
        f"hit rate: {why}"
        + (f" (about {fnir:.0%} of enrolled people would be missed)" if fnir is not None else "")
        + ". Split the gallery (a smaller one per site or purpose), declare a higher rate in a "
        "new purpose version after a new impact assessment, or use verification (1:1)."
    )


def capacity_check(*, purpose) -> None:
    """Raise RuleViolation (422) when the purpose's gallery fails the capacity gate (R54)."""
    effective = calibration_effective(purpose=purpose)
    if effective is None or effective.usable:
        return
    raise RuleViolation(
        capacity_message(effective),
        code="capacity_exceeded",
        details=[
            {
                "rule": "R54",
                "message": capacity_message(effective),
                "identities": effective.identities,
                "declared_fpir": effective.declared_fpir,
                "threshold": effective.threshold,
                "genuine_median": effective.genuine_median,
                "estimated_fnir": effective.estimated_fnir,
                "calibration_id": effective.pk,
                "fix_url": "",
            }
        ],
    )


def calibrations_due(*, now=None) -> list[tuple[int, int, str]]:
    """Return (organization id, purpose id, trigger) of every gallery due a calibration."""
    now = now or timezone.now()
    purposes = Purpose.objects.filter(
        current_version__isnull=False,
        pk__in=GalleryVersion.objects.values("purpose_id"),
    )
    due = []
    for purpose in purposes:
        if not _template_count(purpose):
            continue
        trigger = calibration_due(purpose=purpose, now=now)
        if trigger == GalleryCalibration.Trigger.FIRST_JOB:
            trigger = GalleryCalibration.Trigger.SCHEDULE
        if trigger is not None:
            due.append((purpose.organization_id, purpose.pk, trigger))
    return due


def calibration_request(*, purpose: Purpose, actor: Actor) -> None:
    """Queue a calibration asked for by staff; audited now, recorded when the worker runs it."""
    audit_record(
        organization_id=purpose.organization_id,
        actor=actor,
        action="recognition.calibration_requested",
        target_type="purpose",
        target_id=purpose.pk,
        details={"purpose_id": purpose.pk},
    )
    transaction.on_commit(lambda: _enqueue(purpose))


def _enqueue(purpose: Purpose) -> None:
    task_enqueue(
        "recognition.calibrate_purpose",
        purpose.organization_id,
        purpose.pk,
        GalleryCalibration.Trigger.MANUAL,
    )
