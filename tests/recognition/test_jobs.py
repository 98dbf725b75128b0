"""Recognition jobs: identify, verify, detect; withdrawal; probes deleted; shards; redelivery."""

import pytest

from audit.models import AuditEvent
from recognition.blobs import blob_files
from recognition.errors import JobRefused
from recognition.models import ProbeFace, ProbeImage, RecognitionJob, RecognitionResult
from recognition.services.enrollment import enrollment_request
from recognition.services.jobs import recognition_job_create, recognition_job_run
from tenants.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(rec, faces, cached_engine, eager, run_on_commit):
    """Obama and Biden enrolled as two consenting subjects; return {name: (subject, consent)}."""
    people = {}
    for name in ("obama", "biden"):
        subject = rec.subject(name)
        consent = rec.consent(subject)
        run_on_commit(
            lambda s=subject, n=name: enrollment_request(
                organization=rec.org,
                deployment=rec.deployment,
                purpose=rec.purpose,
                subject=s,
                image=faces.read(f"{n}.jpg"),
                content_type="image/jpeg",
                actor=rec.actor,
            )
        )
        people[name] = (subject, consent)
    return people


def _job(rec, run_on_commit, photos, mode="identify", **kwargs):
    job = run_on_commit(
        lambda: recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode=mode,
            images=[(p, "image/jpeg") for p in photos],
            actor=rec.actor,
            **kwargs,
        )
    )
    job.refresh_from_db()
    return job


def _identities(job):
    return {
        (r.image_index, str(r.subject_pseudonym) if r.matched else "unknown")
        for r in RecognitionResult.objects.filter(job=job)
    }


def test_identify_finds_both_people_then_only_the_one_still_consenting(
    rec, enrolled, faces, run_on_commit
):
    obama, biden = enrolled["obama"][0], enrolled["biden"][0]
    job = _job(rec, run_on_commit, [faces.read("two_people.jpg")])
    assert job.status == RecognitionJob.Status.SUCCEEDED
    assert _identities(job) == {(0, str(obama.pseudonym)), (0, str(biden.pseudonym))}
    assert job.faces_found == 2 and job.matches == 2

    run_on_commit(lambda: rec.withdraw(enrolled["biden"][1]))

    again = _job(rec, run_on_commit, [faces.read("two_people.jpg")])
    assert _identities(again) == {(0, str(obama.pseudonym)), (0, "unknown")}


def test_no_face_photo_gives_zero_faces_not_an_error_and_probes_are_deleted(
    rec, enrolled, faces, run_on_commit
):
    job = _job(
        rec, run_on_commit, [faces.read("no_face_coffee_skimage.jpg"), faces.read("obama.jpg")]
    )
    assert job.status == RecognitionJob.Status.SUCCEEDED
    assert job.images_done == 2 and job.faces_found == 1
    assert not RecognitionResult.objects.filter(job=job, image_index=0).exists()
    # Probe images, probe templates and the job's key are all gone once the job ends.
    assert blob_files("probes") == []
    assert not ProbeFace.objects.filter(job=job).exists()
    assert job.probe_key_wrapped is None
    assert all(p.deleted_at for p in ProbeImage.objects.filter(job=job))


def test_detect_mode_returns_boxes_only(rec, enrolled, faces, run_on_commit):
    job = _job(rec, run_on_commit, [faces.read("two_people.jpg")], mode="detect")
    results = list(RecognitionResult.objects.filter(job=job))
    assert len(results) == 2
    assert all(r.subject_id is None and len(r.box) == 4 for r in results)


def test_verify_matches_the_claimed_subject_only(rec, enrolled, faces, run_on_commit):
    obama, biden = enrolled["obama"][0], enrolled["biden"][0]
    yes = _job(rec, run_on_commit, [faces.read("obama2.jpg")], mode="verify", claimed_subject=obama)
    no = _job(rec, run_on_commit, [faces.read("obama2.jpg")], mode="verify", claimed_subject=biden)
    assert _identities(yes) == {(0, str(obama.pseudonym))}
    assert _identities(no) == {(0, "unknown")}


@pytest.mark.parametrize("mode", ["age_estimation", "gender", "ethnicity", "emotion"])
def test_r41_attribute_inference_job_types_do_not_exist(rec, faces, mode):
    with pytest.raises(ApplicationError) as raised:
        recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode=mode,
            images=[(faces.read("obama.jpg"), "image/jpeg")],
            actor=rec.actor,
        )
    assert raised.value.code == "job_type_not_allowed"
    assert not RecognitionJob.objects.exists()


def test_r2_job_on_inactive_deployment_or_unattached_purpose_is_refused(rec, faces):
    from tests.factories import PurposeFactory

    photo = [(faces.read("obama.jpg"), "image/jpeg")]
    other = PurposeFactory(organization=rec.org)
    with pytest.raises(JobRefused, match="not declared"):
        recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=other,
            mode="identify",
            images=photo,
            actor=rec.actor,
        )
    rec.deployment.status = "suspended"
    rec.deployment.save()
    with pytest.raises(JobRefused, match="not active"):
        recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode="identify",
            images=photo,
            actor=rec.actor,
        )
    assert blob_files() == []


def test_every_job_and_result_is_audited_without_face_data(rec, enrolled, faces, run_on_commit):
    job = _job(rec, run_on_commit, [faces.read("two_people.jpg")])
    events = AuditEvent.objects.filter(organization=rec.org, target_id=str(job.public_id))
    actions = sorted(e.action for e in events)
    assert actions == [
        "recognition.job_created",
        "recognition.job_finished",
        "recognition.result",
        "recognition.result",
    ]
    for event in events.filter(action="recognition.result"):
        assert event.details["matched"] is True
        assert event.details["deployment_id"] == rec.deployment.pk
        assert event.details["purpose_id"] == rec.purpose.pk
        assert event.subject_pseudonym


def test_a_redelivered_job_writes_no_result_twice(rec, enrolled, faces, run_on_commit, eager):
    # Queue without running, run it twice as a redelivery would; then once more after the end.
    from portal.celery import app

    app.conf.task_always_eager = False
    job = recognition_job_create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        mode="identify",
        images=[(faces.read("two_people.jpg"), "image/jpeg")] * 2,
        actor=rec.actor,
    )
    first = ProbeImage.objects.get(job=job, index=0)
    from recognition.services.jobs import job_detect_image, job_lease_acquire

    job_lease_acquire(job=job, worker="a")
    job.refresh_from_db()
    run_on_commit(lambda: job_detect_image(job=job, probe=first, worker="a"))
    # Worker "a" dies here; its lease runs out and worker "b" resumes at image 1.
    RecognitionJob.objects.filter(pk=job.pk).update(lease_until=None)
    run_on_commit(
        lambda: recognition_job_run(organization_id=rec.org.pk, job_id=job.pk, worker="b")
    )
    run_on_commit(
        lambda: recognition_job_run(organization_id=rec.org.pk, job_id=job.pk, worker="c")
    )

    job.refresh_from_db()
    assert job.status == RecognitionJob.Status.SUCCEEDED
    assert job.attempts == 2
    assert RecognitionResult.objects.filter(job=job).count() == 4
    assert job.images_done == 2


def test_a_live_lease_makes_a_second_worker_wait(rec, enrolled, faces):
    job = recognition_job_create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        mode="identify",
        images=[(faces.read("obama.jpg"), "image/jpeg")],
        actor=rec.actor,
    )
    from recognition.services.jobs import job_lease_acquire

    assert job_lease_acquire(job=job, worker="a")
    state, wait = recognition_job_run(organization_id=rec.org.pk, job_id=job.pk, worker="b")
    assert state == "busy" and wait > 0


def test_two_shards_give_the_same_answer_as_one_gallery(
    rec, enrolled, faces, run_on_commit, settings
):
    settings.RECOGNITION_SHARDS = 2
    job = _job(rec, run_on_commit, [faces.read("two_people.jpg")])
    assert job.shard_count == 2
    assert job.status == RecognitionJob.Status.SUCCEEDED
    obama, biden = enrolled["obama"][0], enrolled["biden"][0]
    assert _identities(job) == {(0, str(obama.pseudonym)), (0, str(biden.pseudonym))}
