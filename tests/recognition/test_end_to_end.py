"""End to end on PostgreSQL, Redis and a real worker, with the test photos (issue 5)."""

import pytest

from recognition.blobs import blob_files
from recognition.models import Enrollment, RecognitionJob, RecognitionResult
from recognition.services.enrollment import enrollment_request
from recognition.services.jobs import recognition_job_create
from tests.recognition.conftest import make_rec_world, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _finished(model, pk):
    row = model.objects.get(pk=pk)
    return row if row.is_finished else None


def _identify(rec, photo: bytes):
    job = recognition_job_create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        mode="identify",
        images=[(photo, "image/jpeg")],
        actor=rec.actor,
    )
    job = wait_for(lambda: _finished(RecognitionJob, job.pk), seconds=90)
    assert job is not None, "the worker did not finish the job"
    assert job.status == RecognitionJob.Status.SUCCEEDED, job.error_message
    return job, {
        str(r.subject_pseudonym) if r.matched else "unknown"
        for r in RecognitionResult.objects.filter(job=job)
    }


def test_enroll_identify_withdraw_identify_again_on_a_real_worker(world, faces, live_workers):
    pool = live_workers(1)
    rec = make_rec_world(world)
    people = {}
    for name in ("obama", "biden"):
        subject = rec.subject(name)
        consent = rec.consent(subject)
        enrollment = enrollment_request(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            subject=subject,
            image=faces.read(f"{name}.jpg"),
            content_type="image/jpeg",
            actor=rec.actor,
        )
        done = wait_for(lambda e=enrollment: _finished(Enrollment, e.pk), seconds=90)
        assert done is not None, pool.log()
        assert done.status == Enrollment.Status.SUCCEEDED, done.error_message
        people[name] = (subject, consent)
    obama, biden = (str(people[n][0].pseudonym) for n in ("obama", "biden"))

    job, found = _identify(rec, faces.read("two_people.jpg"))
    assert found == {obama, biden}
    assert blob_files("probes") == []  # probe images gone from storage after the job

    rec.withdraw(people["biden"][1])  # autocommit: the purge runs on this commit
    job, found = _identify(rec, faces.read("two_people.jpg"))
    assert found == {obama, "unknown"}

    job, found = _identify(rec, faces.read("no_face_cat_chelsea_skimage.jpg"))
    assert job.faces_found == 0 and found == set()
    assert blob_files("probes") == [] and blob_files("pending") == []
