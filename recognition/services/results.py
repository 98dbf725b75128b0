"""Matching a job's probe faces and writing its results, inline or over gallery shards.

One shard: the job task searches and writes inline. N shards: a Celery group searches each
shard (any worker), each answer is stored in ShardResult, and whichever shard answers last
merges the best candidates and writes the results: a chord joined in the database, so no
worker slot ever waits on another task and no result backend is needed.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from audit.services.recording import EventSpec, audit_record_many
from consent.models import Consent, Subject
from consent.querysets import usable_q
from governance.models import Purpose
from recognition import crypto
from recognition.enqueue import tasks_enqueue_group
from recognition.matching import Candidate, merge_candidates
from recognition.matching.calibration import SEARCH_K, OperatingPoint, decide
from recognition.models import (
    FaceTemplate,
    ProbeFace,
    RecognitionJob,
    RecognitionResult,
    ShardResult,
    SubjectInteraction,
)
from recognition.services.calibrations import calibration_for_job, capacity_message
from recognition.services.galleries import gallery_for, template_aad
from recognition.services.interactions import interactions_record
from recognition.services.job_outcomes import (
    job_actor,
    job_probe_faces,
    job_probes_delete,
    recognition_job_fail,
)
from recognition.services.keys import subject_key
from recognition.services.webhooks import webhook_job_finished

Decision = RecognitionResult.Decision
# Candidates a reviewer sees for an answer sent to them (R43).
REVIEW_CANDIDATES = 3


@dataclass(frozen=True)
class Answer:
    """What the matcher concluded for one face, before consent is re-checked at writing."""

    decision: str
    candidate: Candidate | None = None
    distance: float | None = None
    margin: float | None = None
    estimated_fpir: float | None = None
    # Nearest candidate of each identity, nearest first: what a reviewer chooses among.
    candidates: tuple[Candidate, ...] = ()


def _identities(candidates) -> tuple[Candidate, ...]:
    seen, out = set(), []
    for c in candidates:
        c = Candidate(int(c[0]), float(c[1]), str(c[2]))
        if c.subject not in seen:
            seen.add(c.subject)
            out.append(c)
    return tuple(out)


def answers_identify(found, point: OperatingPoint) -> list[Answer]:
    """Decide each face of a 1:N search at the operating point (R54): named only when safe."""
    answers = []
    for candidates in found:
        candidates = [Candidate(int(c[0]), float(c[1]), str(c[2])) for c in candidates]
        d = decide(candidates, point)
        answers.append(
            Answer(
                decision=d.kind,
                candidate=d.best,
                distance=d.distance,
                margin=d.margin,
                estimated_fpir=d.estimated_fpir,
                candidates=_identities(candidates)[:REVIEW_CANDIDATES],
            )
        )
    return answers


def _point(job: RecognitionJob) -> OperatingPoint | None:
    """Return the job's pinned operating point; fail the job when the capacity gate shuts."""
    calibration = calibration_for_job(job=job)
    if not calibration.usable:
        recognition_job_fail(
            job=job, code="capacity_exceeded", message=capacity_message(calibration)
        )
        return None
    return OperatingPoint.from_dict(calibration.point)


def job_match(*, job: RecognitionJob) -> tuple[str, float]:
    """Match the job's probe faces (after detection) and write results, or fan out to shards."""
    faces, vectors = job_probe_faces(job=job)
    if job.mode == RecognitionJob.Mode.DETECT or not faces:
        job_results_write(job=job, faces=faces, answers=[Answer(Decision.DETECTED)] * len(faces))
        return "done", 0.0
    if job.mode == RecognitionJob.Mode.VERIFY:
        job_results_write(job=job, faces=faces, answers=_verify(job, vectors))
        return "done", 0.0
    point = _point(job)
    if point is None:
        return "done", 0.0
    if job.shard_count <= 1:
        _version, gallery = gallery_for(purpose=job.purpose)
        found = gallery.search(vectors, k=SEARCH_K)
        job_results_write(job=job, faces=faces, answers=answers_identify(found, point))
        return "done", 0.0
    transaction.on_commit(lambda: _fan_out(job))
    return "sharded", 0.0


def _fan_out(job: RecognitionJob) -> None:
    tasks_enqueue_group(
        "recognition.search_shard",
        [(job.organization_id, job.pk, shard, job.shard_count) for shard in range(job.shard_count)],
    )


def _verify(job: RecognitionJob, vectors) -> list[Answer]:
    """1:1: each face against the claimed subject's templates for this purpose only.

    Verification keeps the purpose's own 1:1 threshold: one comparison, no gallery to grow.
    """
    subject = job.claimed_subject
    no = Answer(Decision.NOT_VERIFIED)
    if subject is None:
        return [no] * len(vectors)
    key = subject_key(subject=subject)
    templates = FaceTemplate.objects.filter(
        subject=subject, purpose_id=job.purpose_id, organization_id=job.organization_id
    )
    if key is None or not templates.exists():
        return [no] * len(vectors)
    stored = [
        crypto.decrypt_template(
            key,
            bytes(t.ciphertext),
            aad=template_aad(job.organization_id, t.public_id, subject.pseudonym),
        )
        for t in templates
    ]
    labels = [t.pk for t in templates]
    best = []
    for vector in vectors:
        distances = [float(((vector - s) ** 2).sum() ** 0.5) for s in stored]
        i = min(range(len(distances)), key=distances.__getitem__)
        hit = distances[i] <= job.match_threshold
        best.append(
            Answer(
                Decision.VERIFIED if hit else Decision.NOT_VERIFIED,
                Candidate(labels[i], distances[i], str(subject.pseudonym)) if hit else None,
                distance=distances[i],
            )
        )
    return best


def job_shard_search(*, organization_id: int, job_id: int, shard: int, shard_count: int) -> bool:
    """Search one gallery shard for the job's probe faces; merge and write if it is the last.

    Return True when this call wrote the job's results. A redelivered shard reuses its answer.
    """
    job = RecognitionJob.objects.filter(pk=job_id, organization_id=organization_id).first()
    if job is None or job.is_finished:
        return False
    if not ShardResult.objects.filter(job=job, shard=shard).exists():
        _faces, vectors = job_probe_faces(job=job)
        version, gallery = gallery_for(purpose=job.purpose, shard=shard, shard_count=shard_count)
        found = gallery.search(vectors, k=SEARCH_K)
        ShardResult.objects.get_or_create(
            job=job,
            shard=shard,
            defaults={
                "gallery_version": version,
                "candidates": [[list(c) for c in cands] for cands in found],
            },
        )
    return job_shards_merge(job=job)


def job_shards_merge(*, job: RecognitionJob) -> bool:
    """Write the results once every shard has answered; return True when written now."""
    with transaction.atomic():
        job = RecognitionJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            return False
        answers = list(ShardResult.objects.filter(job=job).order_by("shard"))
        if len(answers) < job.shard_count:
            return False
        merged = merge_candidates((a.candidates for a in answers), k=SEARCH_K)
        faces = list(ProbeFace.objects.filter(job=job).order_by("image_index", "face_index"))
        point = OperatingPoint.from_dict(job.calibration.point)
        job_results_write(job=job, faces=faces, answers=answers_identify(merged, point))
    return True


def _result_row(job, face, answer: Answer, allowed: dict, objectors: set) -> RecognitionResult:
    candidate = answer.candidate
    named = answer.decision in (Decision.NAMED, Decision.VERIFIED)
    hit = named and candidate is not None and candidate.subject in allowed
    decision = answer.decision
    if named and not hit:
        # Consent gone since the gallery was read: nobody is named (P4).
        decision = Decision.UNKNOWN if decision == Decision.NAMED else Decision.NOT_VERIFIED
    review = RecognitionResult.Review.NOT_REQUIRED
    candidates = []
    if hit and (job.needs_review or candidate.subject in objectors):
        # R43: a match with significant effects waits for a person before any action.
        review = RecognitionResult.Review.PENDING
    elif decision == Decision.AMBIGUOUS and job.needs_review:
        candidates = [
            {"subject_pseudonym": c.subject, "distance": round(c.distance, 4)}
            for c in answer.candidates
            if c.subject in allowed
        ]
        if candidates:
            review = RecognitionResult.Review.PENDING
    return RecognitionResult(
        organization_id=job.organization_id,
        job=job,
        image_index=face.image_index,
        face_index=face.face_index,
        box=face.box,
        subject_id=allowed[candidate.subject] if hit else None,
        subject_pseudonym=candidate.subject if hit else None,
        distance=None if answer.distance is None else round(answer.distance, 4),
        matched=hit,
        decision=decision,
        margin=None if answer.margin is None else round(answer.margin, 4),
        estimated_fpir=answer.estimated_fpir,
        candidates=candidates,
        review_status=review,
    )


@transaction.atomic
def job_results_write(*, job: RecognitionJob, faces, answers: list[Answer]) -> RecognitionJob:
    """Write one result per face, re-checking each named subject's consent; finish the job.

    A face is named only when its answer names someone who still consents. An ambiguous answer
    names nobody: where the purpose has people review (R43) it goes to them with its consented
    candidates, else it is written as ambiguous, which is an unknown.

    P4: the matched subjects' active consents are locked (FOR UPDATE) while the results are
    written. A withdrawal holds the same row lock (consent_withdraw), so either it committed
    first and the face is written as unknown, or it waits until these results are committed:
    after a withdrawal commits, no new result names that subject.
    """
    job = RecognitionJob.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        return job
    purpose = Purpose.objects.get(pk=job.purpose_id)
    named = {c.subject for a in answers for c in (a.candidate, *a.candidates) if c is not None}
    allowed: dict[str, int] = {}
    objectors: set[str] = set()
    if named and purpose.current_version_id is not None:
        # consent's one rule (usable_q), scoped to the job's deployment.
        # of=self: the rule joins the purpose, whose row must not be locked with the consents.
        locked = Consent.objects.select_for_update(of=("self",)).filter(
            Q(organization_id=job.organization_id)
            & Q(subject_pseudonym__in=named)
            & Q(purpose=purpose)
            & usable_q(deployment=job.deployment_id)
        )
        pseudonyms = {str(p) for p in locked.values_list("subject_pseudonym", flat=True)}
        subjects = Subject.objects.filter(
            organization_id=job.organization_id, pseudonym__in=pseudonyms, erased_at__isnull=True
        ).values_list("pk", "pseudonym", "objects_to_automated_decisions")
        allowed = {str(p): pk for pk, p, _objects in subjects}
        # PIPL Art. 24, R43: a person who objected to decisions by automation alone gets a
        # human review of every match, whatever the purpose.
        objectors = {str(p) for _pk, p, objects in subjects if objects}
    done = set(RecognitionResult.objects.filter(job=job).values_list("image_index", "face_index"))
    rows = []
    for face, answer in zip(faces, answers, strict=True):
        if (face.image_index, face.face_index) in done:
            continue
        rows.append(_result_row(job, face, answer, allowed, objectors))
    # ignore_conflicts: the unique (job, image, face) constraint absorbs a concurrent writer.
    RecognitionResult.objects.bulk_create(rows, ignore_conflicts=True)
    # R23: an identification that named someone, or a verification, is an interaction.
    interactions_record(
        organization_id=job.organization_id,
        deployment_id=job.deployment_id,
        subject_ids=[r.subject_id for r in rows if r.subject_id],
        kind=SubjectInteraction.Kind.VERIFICATION
        if job.mode == RecognitionJob.Mode.VERIFY
        else SubjectInteraction.Kind.IDENTIFICATION,
    )
    actor = job_actor(job)
    audit_record_many(
        organization_id=job.organization_id,
        actor=actor,
        events=[
            EventSpec(
                "recognition.result",
                "recognition_job",
                str(job.public_id),
                str(r.subject_pseudonym or ""),
                {
                    "image_index": r.image_index,
                    "face_index": r.face_index,
                    "deployment_id": job.deployment_id,
                    "purpose_id": job.purpose_id,
                    "mode": job.mode,
                    "matched": r.matched,
                    "decision": r.decision,
                    "distance": r.distance,
                    "margin": r.margin,
                    "estimated_fpir": r.estimated_fpir,
                    "calibration_id": job.calibration_id,
                    "review": r.review_status,
                },
            )
            for r in rows
        ],
    )
    job.matches = RecognitionResult.objects.filter(job=job, matched=True).count()
    job.status, job.phase = RecognitionJob.Status.SUCCEEDED, RecognitionJob.Phase.DONE
    job.finished_at = timezone.now()
    job.lease_until = None
    job.save()
    job_probes_delete(job=job)
    audit_record(
        organization_id=job.organization_id,
        actor=actor,
        action="recognition.job_finished",
        target_type="recognition_job",
        target_id=str(job.public_id),
        details={
            "mode": job.mode,
            "deployment_id": job.deployment_id,
            "purpose_id": job.purpose_id,
            "image_count": job.images_total,
            "face_count": len(faces),
            "matches": job.matches,
            "attempts": job.attempts,
        },
    )
    webhook_job_finished(job=job)
    return job
