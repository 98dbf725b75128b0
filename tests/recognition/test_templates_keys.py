"""Keys, purge on withdrawal (R22), erasure (crypto-shredding), rotation, the filing count."""

import numpy as np
import pytest
from django.core.management import call_command

from governance.filing import stored_individuals_count
from recognition.blobs import blob_files
from recognition.models import FaceTemplate, OrganizationKey, RecognitionResult, SubjectKey
from recognition.selectors import subject_biometric_summary
from recognition.services.enrollment import enrollment_request
from recognition.services.galleries import gallery_for, gallery_version
from recognition.services.keys import subject_key
from recognition.services.templates import subject_biometrics_erase

pytestmark = pytest.mark.django_db


@pytest.fixture
def enroll(rec, faces, cached_engine, eager, run_on_commit):
    def do(name, subject=None, **consent_items):
        subject = subject or rec.subject(name)
        consent = rec.consent(subject, **consent_items)
        run_on_commit(
            lambda: enrollment_request(
                organization=rec.org,
                deployment=rec.deployment,
                purpose=rec.purpose,
                subject=subject,
                image=faces.read(f"{name}.jpg"),
                content_type="image/jpeg",
                actor=rec.actor,
            )
        )
        return subject, consent

    return do


def test_r35_filing_counter_counts_distinct_stored_subjects(rec, enroll):
    assert stored_individuals_count(organization=rec.org) == 0
    enroll("obama")
    enroll("biden")
    assert stored_individuals_count(organization=rec.org) == 2
    assert stored_individuals_count(organization=rec.world.outsider_org) == 0


def test_r22_withdrawal_purges_templates_and_bumps_the_gallery(rec, enroll, run_on_commit):
    subject, consent = enroll("obama")
    before = gallery_version(organization_id=rec.org.pk, purpose_id=rec.purpose.pk)
    version, gallery = gallery_for(purpose=rec.purpose)
    assert len(gallery) == 1

    run_on_commit(lambda: rec.withdraw(consent))

    assert not FaceTemplate.objects.filter(subject=subject).exists()
    assert SubjectKey.objects.get(subject=subject).stored_templates == 0
    assert gallery_version(organization_id=rec.org.pk, purpose_id=rec.purpose.pk) > before
    assert len(gallery_for(purpose=rec.purpose)[1]) == 0


def test_restricted_consent_keeps_storage_but_stops_matching(rec, enroll, run_on_commit):
    from consent.services import consent_restrict

    subject, consent = enroll("obama")
    run_on_commit(lambda: consent_restrict(consent=consent, actor=rec.actor, reason="hold"))
    assert FaceTemplate.objects.filter(subject=subject).exists()
    assert len(gallery_for(purpose=rec.purpose)[1]) == 0


def test_erasure_destroys_the_data_key_and_all_biometric_data(rec, enroll, run_on_commit):
    from tests.recognition.conftest import make_rec_world  # noqa: F401

    subject, consent = enroll("obama")
    rec.withdraw(consent)
    summary = run_on_commit(
        lambda: subject_biometrics_erase(
            organization=rec.org, subject=subject, actor=rec.actor, reason="subject_erasure"
        )
    )
    assert summary["key_destroyed"] is True
    assert subject_key(subject=subject) is None
    assert not FaceTemplate.objects.filter(subject=subject).exists()
    assert blob_files() == []
    assert subject_biometric_summary(subject=subject)["data_key"] == "destroyed"


def test_summary_lists_enrollments_and_results_never_templates(rec, enroll, faces, run_on_commit):
    from recognition.services.jobs import recognition_job_create

    subject, _ = enroll("obama")
    run_on_commit(
        lambda: recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode="identify",
            images=[(faces.read("obama2.jpg"), "image/jpeg")],
            actor=rec.actor,
        )
    )
    summary = subject_biometric_summary(subject=subject)
    assert summary["templates_stored"] == 1
    (enrollment,) = summary["enrollments"]
    assert enrollment["model_version"] and enrollment["retain_until"]
    assert enrollment["deployment"]["id"] == rec.deployment.pk
    assert len(summary["results"]) == 1 and summary["results"][0]["distance"] < 0.6
    assert "ciphertext" not in str(summary) and "template" not in enrollment.get("purpose", {})


def test_r33_key_rotation_rewraps_and_templates_still_decrypt(rec, enroll):
    subject, _ = enroll("obama")
    before = gallery_for(purpose=rec.purpose)[1]
    vector = before.vector(int(before.labels()[0]))
    old = OrganizationKey.objects.get(organization=rec.org, retired_at__isnull=True)

    call_command("rotate_org_keys", org="acme")

    old.refresh_from_db()
    assert old.retired_at is not None and old.wrapped is None
    from recognition.services.galleries import gallery_cache_clear

    gallery_cache_clear()
    after = gallery_for(purpose=rec.purpose)[1]
    assert np.array_equal(after.vector(int(after.labels()[0])), vector)


def test_results_of_an_erased_subject_no_longer_name_them(rec, enroll, faces, run_on_commit):
    from recognition.services.jobs import recognition_job_create

    subject, consent = enroll("obama")
    run_on_commit(
        lambda: recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode="identify",
            images=[(faces.read("obama2.jpg"), "image/jpeg")],
            actor=rec.actor,
        )
    )
    rec.withdraw(consent)
    subject_biometrics_erase(organization=rec.org, subject=subject, actor=rec.actor, reason="dsr")
    assert not RecognitionResult.objects.filter(subject_pseudonym=subject.pseudonym).exists()
