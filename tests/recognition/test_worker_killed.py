"""A worker killed in the middle of a job: another finishes it and no result is written twice."""

import pytest

from recognition.models import Enrollment, RecognitionJob, RecognitionResult
from recognition.services.enrollment import enrollment_request
from recognition.services.jobs import recognition_job_create
from tests.recognition.conftest import make_rec_world, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PHOTOS = [
    "two_people.jpg",
    "obama.jpg",
    "biden.jpg",
    "obama2.jpg",
    "two_people.jpg",
    "obama.jpg",
    "biden.jpg",
    "obama2.jpg",
]


def test_job_of_a_killed_worker_completes_on_another_without_duplicates(
    world, faces, live_workers, live_beat
):
    # Visibility 6 s: the running job's message is handed to the other worker, which finds it
    # leased and does nothing; lease 10 s, reclaim every second: once the killed worker's hold on
    # the job runs out, the beat hands it to the survivor (issue 15).
    pool = live_workers(2, CELERY_VISIBILITY=6, RECOGNITION_JOB_LEASE_SECONDS=10)
    live_beat(RECOGNITION_RECLAIM_INTERVAL_SECONDS=1)
    rec = make_rec_world(world)
    subject = rec.subject("obama")
    rec.consent(subject)
    enrollment = enrollment_request(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        subject=subject,
        image=faces.read("obama.jpg"),
        content_type="image/jpeg",
        actor=rec.actor,
    )
    assert wait_for(
        lambda: Enrollment.objects.filter(pk=enrollment.pk, status="succeeded").exists(), 90
    ), pool.log()

    job = recognition_job_create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        mode="identify",
        images=[(faces.read(p), "image/jpeg") for p in PHOTOS],
        actor=rec.actor,
    )
    running = wait_for(
        lambda: RecognitionJob.objects.filter(
            pk=job.pk, status="running", images_done__gte=1, images_done__lte=2
        ).first(),
        seconds=60,
        interval=0.05,
    )
    assert running is not None, f"the job never ran mid-way:\n{pool.log()}"
    victim = pool.pid_of(running.worker)
    assert victim is not None, running.worker
    pool.kill(victim)
    done_before_kill = RecognitionJob.objects.get(pk=job.pk).images_done

    finished = wait_for(
        lambda: RecognitionJob.objects.filter(pk=job.pk, status="succeeded").first(), seconds=90
    )
    assert finished is not None, f"the job did not complete on the other worker:\n{pool.log()}"
    assert done_before_kill < len(PHOTOS)
    assert finished.attempts >= 2
    assert pool.pid_of(finished.worker) not in (None, victim)
    results = list(RecognitionResult.objects.filter(job=job))
    keys = [(r.image_index, r.face_index) for r in results]
    assert len(keys) == len(set(keys)) == finished.faces_found == 10
    assert finished.images_done == len(PHOTOS)
    matched = {r.image_index for r in results if r.matched}
    assert matched == {0, 1, 3, 4, 5, 7}  # Obama in every photo but Biden's portraits
