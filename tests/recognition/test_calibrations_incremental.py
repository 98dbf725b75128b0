"""R54 through the product: a growing gallery is recalibrated incrementally, recorded as such,
audited, and the held-out sample it starts from is kept with the newest calibration only.

The method is tested in test_calibration_incremental.py; here the service and the beat task.
"""

import uuid

import numpy as np
import pytest

from audit.models import AuditEvent
from recognition.matching import Gallery
from recognition.matching.held_out import HeldOutSample
from recognition.models import GalleryCalibration, GalleryVersion, RecognitionJob
from recognition.models.calibrations import CalibrationSample
from recognition.services import calibrations as calibrations_module
from recognition.services.calibrations import (
    calibration_effective,
    calibration_for_job,
    calibration_run,
)
from recognition.tasks import calibrate_due

pytestmark = pytest.mark.django_db
DIM = 128
_BASIS = np.linalg.qr(np.random.default_rng(17).normal(size=(DIM, 48)))[0]


def _people(n: int, seed: int) -> np.ndarray:
    z = np.random.default_rng(seed).normal(size=(n, 48)) * (0.88 / np.sqrt(2 * 48))
    return (z @ _BASIS.T).astype(np.float32)


class _Served:
    """A gallery served to the service as a worker's would be, with its version."""

    def __init__(self, monkeypatch, people: int) -> None:
        self.gallery = Gallery(indexed=False)
        self.version = 0
        self.next_label = 1
        self.grow(people)
        monkeypatch.setattr(calibrations_module, "gallery_for", self.gallery_for)
        # Growth is judged on stored templates; these people have no template rows.
        monkeypatch.setattr(calibrations_module, "_template_count", lambda p: len(self.gallery))

    def gallery_for(self, *, purpose, shard=0, shard_count=1):
        return self.version, self.gallery

    def grow(self, people: int) -> None:
        labels = np.arange(self.next_label, self.next_label + people)
        # Pseudonyms of people with no consent row: compared with, never named.
        self.gallery.add_many(
            labels,
            _people(people, seed=self.next_label),
            [str(uuid.UUID(int=int(x))) for x in labels],
        )
        self.next_label += people
        self.version += 1


def _audited(calibration) -> dict:
    return AuditEvent.objects.get(
        action="recognition.calibrated", target_id=str(calibration.pk)
    ).details


def test_r54_growth_is_recalibrated_incrementally_recorded_and_audited(rec, monkeypatch):
    served = _Served(monkeypatch, 1000)
    first = calibration_run(purpose=rec.purpose, trigger="first_job")
    assert (first.kind, first.based_on_id) == ("full", None)
    assert CalibrationSample.objects.get(calibration=first).probes == 1000

    served.grow(50)  # 5%
    grown = calibration_run(purpose=rec.purpose, trigger="growth")
    assert (grown.kind, grown.based_on_id) == ("incremental", first.pk)
    assert (grown.identities, grown.templates, grown.gallery_version) == (1050, 1050, 2)
    details = _audited(grown)
    assert details["kind"] == "incremental" and details["based_on"] == first.pk
    assert (details["added_templates"], details["removed_templates"]) == (50, 0)
    assert details["probes_searched"] == 50
    assert grown.point["kind"] == "incremental"
    # The sample moved to the newest calibration: ids and distances, one row per purpose.
    kept = CalibrationSample.objects.get()
    assert kept.calibration_id == grown.pk and kept.organization_id == rec.org.pk
    held = HeldOutSample.from_bytes(kept.data)
    assert len(held.probes) == 1050 and len(held.labels) == 1050

    # Staff asking get a fresh draw; it agrees with the incremental point.
    asked = calibration_run(purpose=rec.purpose, trigger="manual")
    assert (asked.kind, asked.based_on_id) == ("full", None)
    assert _audited(asked)["kind"] == "full"
    assert asked.threshold == pytest.approx(grown.threshold, abs=0.01)


def test_r54_a_job_keeps_its_calibration_when_an_incremental_one_follows(rec, monkeypatch):
    served = _Served(monkeypatch, 1000)
    first = calibration_run(purpose=rec.purpose, trigger="first_job")
    job = RecognitionJob.objects.create(
        organization=rec.org,
        deployment=rec.deployment,
        purpose=rec.purpose,
        purpose_version=rec.purpose.current_version,
        mode="identify",
        match_threshold=0.6,
        actor_type="system",
        calibration=first,
    )
    served.grow(50)
    later = calibration_run(purpose=rec.purpose, trigger="growth")
    assert later.kind == "incremental"
    assert calibration_for_job(job=job).pk == first.pk


def test_r54_the_beat_task_recalibrates_a_grown_gallery_incrementally(rec, eager, monkeypatch):
    served = _Served(monkeypatch, 1000)
    first = calibration_run(purpose=rec.purpose, trigger="first_job")
    GalleryVersion.objects.create(organization=rec.org, purpose=rec.purpose, version=1)
    served.grow(150)  # past the 10% growth trigger, within the 20% an increment may cover
    assert calibrate_due() == 1
    newest = calibration_effective(purpose=rec.purpose)
    assert (newest.trigger, newest.kind, newest.based_on_id) == ("growth", "incremental", first.pk)
    assert _audited(newest)["added_templates"] == 150


def test_r54_a_large_change_gets_a_full_calibration_that_says_why(rec, monkeypatch):
    served = _Served(monkeypatch, 1000)
    calibration_run(purpose=rec.purpose, trigger="first_job")
    served.grow(300)
    grown = calibration_run(purpose=rec.purpose, trigger="growth")
    assert (grown.kind, grown.based_on_id) == ("full", None)
    details = _audited(grown)
    assert details["fallback"] == "300 of 1000 templates changed"
    assert details["probes_searched"] == 1300


def test_r54_a_sample_older_than_the_full_period_is_drawn_again(rec, monkeypatch, settings):
    served = _Served(monkeypatch, 1000)
    calibration_run(purpose=rec.purpose, trigger="first_job")
    settings.RECOGNITION_CALIBRATION_FULL_SECONDS = 0
    served.grow(20)
    again = calibration_run(purpose=rec.purpose, trigger="schedule")
    assert again.kind == "full"
    assert GalleryCalibration.objects.filter(kind="incremental").count() == 0
