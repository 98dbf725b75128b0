"""R54 and R43 through the product: calibrated 1:N answers, the capacity gate, pinning, audit.

The method itself is tested in test_calibration.py; here the services, the job path, the API
and the panel use it as an operator and a DPO would.
"""

import uuid

import numpy as np
import pytest

from audit.models import AuditEvent
from recognition import engine
from recognition.matching import Gallery
from recognition.matching.calibration import Calibrated
from recognition.models import (
    GalleryCalibration,
    GalleryVersion,
    RecognitionJob,
    RecognitionResult,
)
from recognition.services import calibrations as calibrations_module
from recognition.services import results as results_module
from recognition.services.calibrations import (
    calibration_due,
    calibration_effective,
    calibration_run,
)
from recognition.services.jobs import recognition_job_create
from recognition.services.results import job_results_write
from recognition.tasks import calibrate_due
from tenants.errors import RuleViolation

pytestmark = pytest.mark.django_db
DIM = 128


_BASIS = np.linalg.qr(np.random.default_rng(11).normal(size=(DIM, 48)))[0]


def _people(n: int, *, seed: int = 7) -> np.ndarray:
    """n people on a 48-dimensional surface, two of them 0.88 apart on average.

    Face encodings fill few of their 128 dimensions (docs/accuracy.md), so on a gallery of
    thousands most people have someone within 0.6, as real galleries do.
    """
    z = np.random.default_rng(seed).normal(size=(n, 48)) * (0.88 / np.sqrt(2 * 48))
    return (z @ _BASIS.T).astype(np.float32)


def _away(vector: np.ndarray, distance: float, seed: int = 3) -> np.ndarray:
    step = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return vector + step / np.linalg.norm(step) * distance


@pytest.fixture
def big_gallery(rec, monkeypatch):
    """A 2,000-person gallery for the purpose, served to the services as a worker's would be."""
    vectors = _people(2000)
    gallery = Gallery(indexed=False)
    # Pseudonyms of people with no consent row: they can be compared with, never named.
    gallery.add_many(np.arange(1, 2001), vectors, [str(uuid.UUID(int=i + 1)) for i in range(2000)])

    def gallery_for(*, purpose, shard=0, shard_count=1):
        return 1, gallery

    monkeypatch.setattr(calibrations_module, "gallery_for", gallery_for)
    monkeypatch.setattr(results_module, "gallery_for", gallery_for)
    return gallery, vectors


def _identify(rec, run_on_commit, eager, monkeypatch, probe):
    monkeypatch.setattr(
        engine, "detect_and_encode", lambda pixels: [engine.DetectedFace((1, 9, 9, 1), probe)]
    )
    monkeypatch.setattr(engine, "detect", lambda pixels: [(1, 9, 9, 1)])
    return run_on_commit(
        lambda: recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode="identify",
            images=[(rec.photo, "image/jpeg")],
            actor=rec.actor,
        )
    )


@pytest.fixture
def photo(rec, faces):
    rec.photo = faces.read("obama.jpg")
    return rec.photo


def test_r54_stranger_is_unknown_on_a_large_gallery_where_0_6_would_name_someone(
    rec, big_gallery, photo, run_on_commit, eager, monkeypatch
):
    gallery, _vectors = big_gallery
    calibration = calibration_run(purpose=rec.purpose, trigger="manual")
    assert calibration.usable
    strangers = _people(4000, seed=99)  # never enrolled
    found = gallery.search(strangers, k=results_module.SEARCH_K)
    within_06 = [i for i, c in enumerate(found) if c[0].distance <= 0.6]
    point = results_module.OperatingPoint.from_dict(calibration.point)
    named = [a for a in results_module.answers_identify(found, point) if a.decision == "named"]
    # 0.6 names a third of strangers on 2,000 people; the calibrated point stays near 1 in 1,000.
    assert len(within_06) > 1000
    assert len(named) <= 4 * 4000 * calibration.declared_fpir
    unknown = next(
        i
        for i in within_06
        if results_module.answers_identify([found[i]], point)[0].decision == "unknown"
    )
    nearest = found[unknown][0]
    job = _identify(rec, run_on_commit, eager, monkeypatch, strangers[unknown])
    job.refresh_from_db()
    assert job.status == RecognitionJob.Status.SUCCEEDED
    result = RecognitionResult.objects.get(job=job)
    assert (result.matched, result.decision, result.subject_pseudonym) == (False, "unknown", None)
    assert result.distance == pytest.approx(nearest.distance, abs=1e-3)
    assert result.estimated_fpir is not None
    # The job names the operating point it was answered at, and the audit trail says why.
    assert job.calibration_id == calibration.pk
    event = AuditEvent.objects.get(organization=rec.org, action="recognition.result")
    assert event.details["decision"] == "unknown"
    assert event.details["calibration_id"] == calibration.pk


def test_r54_an_enrolled_persons_new_photo_is_named_with_its_figures(
    rec, big_gallery, photo, run_on_commit, eager, monkeypatch
):
    gallery, vectors = big_gallery
    from tests.factories import SubjectFactory

    subject = SubjectFactory(organization=rec.org)
    rec.consent(subject)
    # Person 5's template belongs, in this gallery, to a consenting subject.
    gallery.remove(6)
    gallery.add(6, vectors[5], subject=str(subject.pseudonym))
    job = _identify(rec, run_on_commit, eager, monkeypatch, _away(vectors[5], 0.2))
    result = RecognitionResult.objects.get(job=job)
    assert (result.decision, str(result.subject_pseudonym)) == ("named", str(subject.pseudonym))
    assert result.distance == pytest.approx(0.2, abs=1e-3)
    assert result.margin > 0.3
    assert 0 <= result.estimated_fpir <= rec.purpose.current_version.declared_fpir


def _close_pair(rec):
    """Two consenting people whose templates lie a hair apart, and a probe between them."""
    from tests.factories import SubjectFactory

    a, b = SubjectFactory(organization=rec.org), SubjectFactory(organization=rec.org)
    rec.consent(a)
    rec.consent(b)
    best = results_module.Candidate(1, 0.200, str(a.pseudonym))
    runner_up = results_module.Candidate(2, 0.204, str(b.pseudonym))
    return a, b, [[best, runner_up]]


def _written(rec, monkeypatch, found, *, needs_review):
    from recognition.matching.impostor_prior import prior_point

    job = RecognitionJob.objects.create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        purpose_version=rec.purpose.current_version,
        mode="identify",
        match_threshold=0.6,
        needs_review=needs_review,
        actor_type="system",
    )
    point = prior_point(declared_fpir=0.001, identities=2, templates=2)
    face = type("Face", (), {"image_index": 0, "face_index": 0, "box": [1, 9, 9, 1]})()
    job_results_write(job=job, faces=[face], answers=results_module.answers_identify(found, point))
    return RecognitionResult.objects.get(job=job)


def test_r43_ambiguous_probe_goes_to_review_with_its_candidates_never_to_the_nearer(
    rec, monkeypatch, api_as, world
):
    a, b, found = _close_pair(rec)
    result = _written(rec, monkeypatch, found, needs_review=True)
    assert (result.decision, result.matched, result.subject_id) == ("ambiguous", False, None)
    assert result.review_status == "pending"
    assert [c["subject_pseudonym"] for c in result.candidates] == [
        str(a.pseudonym),
        str(b.pseudonym),
    ]
    # The reviewer chooses the farther one: the person decides, not the hair.
    response = api_as(world.dpo).post(
        f"/api/v1/review-queue/{result.pk}/decide/",
        {"decision": "confirm", "subject": str(b.pseudonym)},
        format="json",
    )
    assert response.status_code == 200, response.content
    result.refresh_from_db()
    assert (result.matched, result.subject_id, result.decision) == (True, b.pk, "named")


def test_r43_review_must_choose_one_of_the_offered_candidates(rec, monkeypatch, api_as, world):
    _a, _b, found = _close_pair(rec)
    result = _written(rec, monkeypatch, found, needs_review=True)
    response = api_as(world.dpo).post(
        f"/api/v1/review-queue/{result.pk}/decide/", {"decision": "confirm"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_candidate"
    result.refresh_from_db()
    assert (result.review_status, result.matched) == ("pending", False)


def test_r54_ambiguous_probe_without_review_is_nobody(rec, monkeypatch):
    _a, _b, found = _close_pair(rec)
    result = _written(rec, monkeypatch, found, needs_review=False)
    assert (result.decision, result.matched, result.subject_id) == ("ambiguous", False, None)
    assert (result.review_status, result.candidates) == ("not_required", [])
    assert result.margin == pytest.approx(0.004, abs=1e-4)


def test_r54_capacity_gate_refuses_identification_with_the_figures(
    rec, big_gallery, photo, api_key_client, monkeypatch
):
    monkeypatch.setattr(calibrations_module, "GENUINE_PRIOR_MEDIAN", 0.99)
    # A model whose genuine pairs lie farther apart than any threshold this gallery allows.
    monkeypatch.setattr(
        calibrations_module,
        "recalibrate",
        lambda gallery, **kw: Calibrated(_unusable(len(gallery), kw["declared_fpir"]), None),
    )
    calibration = calibration_run(purpose=rec.purpose, trigger="manual")
    assert not calibration.usable
    client = api_key_client(rec.org, "owner")
    from guardian.shortcuts import assign_perm

    assign_perm("governance.run_job", client.api_key.user, rec.deployment)
    response = client.post(
        "/api/v1/recognition-jobs/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "mode": "identify",
            "images": [_upload(photo)],
        },
        format="multipart",
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "capacity_exceeded"
    assert "2000 enrolled people" in body["message"]
    assert "1 in 1000" in body["message"]
    assert body["details"][0]["rule"] == "R54"
    assert body["details"][0]["threshold"] == pytest.approx(0.3)
    assert not RecognitionJob.objects.exists()
    # Verification (1:1) keeps its own threshold and is not gated.
    from recognition.services.jobs import recognition_job_check

    recognition_job_check(
        organization=rec.org, deployment=rec.deployment, purpose=rec.purpose, mode="verify"
    )
    with pytest.raises(RuleViolation, match="R54"):
        recognition_job_check(
            organization=rec.org, deployment=rec.deployment, purpose=rec.purpose, mode="identify"
        )


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("probe.jpg", data, content_type="image/jpeg")


def _unusable(identities, declared_fpir):
    from recognition.matching.calibration import OperatingPoint

    return OperatingPoint(
        declared_fpir=declared_fpir,
        threshold=0.3,
        margin=0.05,
        estimated_fpir=declared_fpir,
        estimated_fnir=0.95,
        genuine_median=0.42,
        identities=identities,
        templates=identities,
        impostor_samples=identities,
        genuine_samples=0,
        usable=False,
        det=((0.2, 1e-5, 0.99), (0.3, 1e-3, 0.95), (0.5, 0.2, 0.4)),
        method="test",
    )


def test_r54_calibration_is_recorded_audited_and_redone_as_the_gallery_grows(
    rec, big_gallery, eager, run_on_commit, monkeypatch
):
    stored = {"templates": 2000}
    monkeypatch.setattr(calibrations_module, "_template_count", lambda purpose: stored["templates"])
    assert calibration_due(purpose=rec.purpose) == "first_job"
    first = calibration_run(purpose=rec.purpose, trigger="manual")
    event = AuditEvent.objects.get(organization=rec.org, action="recognition.calibrated")
    assert event.target_id == str(first.pk)
    assert event.details["identities"] == 2000
    assert event.details["threshold"] == pytest.approx(first.threshold, abs=1e-4)
    assert event.details["usable"] is True
    assert calibration_due(purpose=rec.purpose) is None
    # Growth is judged on stored templates: more than 10% beyond the last calibration.
    stored["templates"] = 2200
    assert calibration_due(purpose=rec.purpose) is None
    stored["templates"] = 2201
    assert calibration_due(purpose=rec.purpose) == "growth"
    GalleryVersion.objects.create(organization=rec.org, purpose=rec.purpose, version=1)
    assert calibrate_due() == 1  # the beat task queues it (run eagerly here)
    newest = calibration_effective(purpose=rec.purpose)
    assert newest.pk != first.pk
    assert newest.trigger == "growth"
    assert AuditEvent.objects.filter(action="recognition.calibrated").count() == 2


def test_a_job_keeps_the_calibration_it_pinned(
    rec, big_gallery, photo, run_on_commit, eager, monkeypatch
):
    gallery, vectors = big_gallery
    job = _identify(rec, run_on_commit, eager, monkeypatch, _away(vectors[3], 0.3))
    job.refresh_from_db()
    pinned = job.calibration
    assert pinned is not None and pinned.trigger == "first_job"
    later = calibration_run(purpose=rec.purpose, trigger="manual")
    assert later.pk != pinned.pk
    from recognition.services.calibrations import calibration_for_job

    assert calibration_for_job(job=job).pk == pinned.pk
    second = _identify(rec, run_on_commit, eager, monkeypatch, _away(vectors[4], 0.3))
    second.refresh_from_db()
    assert second.calibration_id == later.pk


def test_r54_strata_get_their_own_points_and_the_strictest_applies(rec, monkeypatch):
    """Minors (known from their date of birth) and adults are calibrated apart."""
    import datetime

    from tests.factories import SubjectFactory

    today = datetime.date.today()
    people = []
    for i in range(60):
        minor = i < 30
        born = today.replace(year=today.year - (10 if minor else 30))
        people.append(SubjectFactory(organization=rec.org, date_of_birth=born))
    # Minors crowd together (the encoder tells them apart less well), adults spread out.
    rng = np.random.default_rng(5)
    vectors = np.concatenate(
        [
            rng.normal(size=(30, DIM)).astype(np.float32) * 0.045,
            rng.normal(size=(30, DIM)).astype(np.float32) * 0.07,
        ]
    )
    gallery = Gallery(indexed=False)
    gallery.add_many(np.arange(1, 61), vectors, [str(p.pseudonym) for p in people])
    monkeypatch.setattr(calibrations_module, "gallery_for", lambda **kw: (1, gallery))
    effective = calibration_run(purpose=rec.purpose, trigger="manual")
    latest = {
        c.stratum: c for c in GalleryCalibration.objects.latest_per_stratum(purpose=rec.purpose)
    }
    assert set(latest) == {"", "minors", "adults"}
    assert latest["minors"].identities == 30
    assert latest["minors"].threshold < latest["adults"].threshold
    # The strictest point applies to everyone: an unusable stratum first, else the lowest.
    assert effective == min(latest.values(), key=lambda c: (c.usable, c.threshold, -c.margin))


def test_accuracy_report_in_the_panel_api_and_csv(rec, big_gallery, panel_as, api_as, world):
    calibration = calibration_run(purpose=rec.purpose, trigger="manual")
    page = panel_as(world.dpo).get(f"/o/acme/recognition/accuracy/{rec.purpose.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'role="img"' in html and "<desc" in html
    assert f"{calibration.threshold:.4f}" in html
    report = api_as(world.auditor).get(f"/api/v1/accuracy-reports/{rec.purpose.pk}/").json()
    assert report["effective"]["id"] == calibration.pk
    assert len(report["effective"]["det"]) >= 10
    assert report["history"][0]["trigger"] == "manual"
    csv_text = api_as(world.auditor).get(f"/api/v1/accuracy-reports/{rec.purpose.pk}/csv/")
    assert csv_text["Content-Type"] == "text/csv"
    lines = csv_text.content.decode().splitlines()
    assert lines[0].startswith("created_at,stratum,trigger")
    assert "det_threshold,det_fpir,det_fnir" in lines
    assert (
        api_as(world.outsider).get(f"/api/v1/accuracy-reports/{rec.purpose.pk}/").status_code == 404
    )


def test_staff_can_ask_for_a_calibration_and_it_is_audited(
    rec, big_gallery, api_as, world, eager, run_on_commit
):
    response = run_on_commit(
        lambda: api_as(world.dpo).post(f"/api/v1/accuracy-reports/{rec.purpose.pk}/calibrate/")
    )
    assert response.status_code == 202
    assert AuditEvent.objects.filter(action="recognition.calibration_requested").exists()
    assert calibration_effective(purpose=rec.purpose).trigger == "manual"
    assert (
        api_as(world.auditor)
        .post(f"/api/v1/accuracy-reports/{rec.purpose.pk}/calibrate/")
        .status_code
        == 403
    )


def test_r54_compliance_view_shows_a_gallery_over_capacity(
    rec, big_gallery, panel_as, world, monkeypatch
):
    monkeypatch.setattr(
        calibrations_module,
        "recalibrate",
        lambda gallery, **kw: Calibrated(_unusable(len(gallery), kw["declared_fpir"]), None),
    )
    calibration_run(purpose=rec.purpose, trigger="manual")
    page = panel_as(world.dpo).get("/o/acme/compliance/").content.decode()
    assert "R54" in page
    assert "cannot reach the declared" in page


def test_r9_notice_states_the_declared_accuracy_in_plain_words(rec, client):
    page = client.get(f"/notice/acme/p/{rec.purpose.pk}/")
    assert page.status_code == 200
    assert "may wrongly name at most 1 in 1000 people who were never enrolled" in (
        page.content.decode()
    )
