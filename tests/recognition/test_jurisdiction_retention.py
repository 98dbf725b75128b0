"""R19: a deployment switched to on-device storage loses its central templates, through the
outbox like a consent change. R23: interactions are recorded per subject and deployment, and
Illinois templates are destroyed on BIPA's schedule by a beat task, through the same purge."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent
from governance.models import Deployment
from governance.services import (
    deployment_detach_purpose,
    deployment_suspend,
    deployment_update,
)
from outbox.models import OutboxEvent
from recognition.models import Enrollment, FaceTemplate, SubjectInteraction
from recognition.services.destruction import bipa_destruction_sweep
from recognition.services.enrollment import enrollment_request
from recognition.services.jobs import recognition_job_create
from recognition.services.reactions import deployment_storage_react
from recognition.tasks import bipa_destruction

pytestmark = pytest.mark.django_db

YEARS_3 = timedelta(days=3 * 365 + 1)


def _enroll(rec, subject, faces, run_on_commit, photo="obama.jpg"):
    run_on_commit(
        lambda: enrollment_request(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            subject=subject,
            image=faces.read(photo),
            content_type="image/jpeg",
            actor=rec.actor,
        )
    )
    return FaceTemplate.objects.get(subject=subject, deployment=rec.deployment)


def _identify(rec, faces, run_on_commit, photo="obama2.jpg"):
    return run_on_commit(
        lambda: recognition_job_create(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            mode="identify",
            images=[(faces.read(photo), "image/jpeg")],
            actor=rec.actor,
        )
    )


@pytest.fixture
def illinois(rec):
    """The recognition world's site is in Illinois (the organization stays Chinese)."""
    Deployment.objects.filter(pk=rec.deployment.pk).update(jurisdiction="US-IL")
    rec.deployment.refresh_from_db()
    return rec


def _bipa_consent(rec, subject, run_on_commit):
    return run_on_commit(
        lambda: rec.consent(
            subject,
            deployment=rec.deployment,
            kind="bipa_written_release",
            e_signature=subject.display_name,
        )
    )


@pytest.fixture
def enrolled_il(illinois, faces, cached_engine, eager, run_on_commit):
    subject = illinois.subject("Obama")
    _bipa_consent(illinois, subject, run_on_commit)
    return subject, _enroll(illinois, subject, faces, run_on_commit)


def test_R19_switch_to_on_device_purges_the_central_templates_through_the_outbox(
    rec, faces, cached_engine, eager, run_on_commit
):
    subject = rec.subject("Obama")
    run_on_commit(lambda: rec.consent(subject))
    template = _enroll(rec, subject, faces, run_on_commit)
    deployment_suspend(deployment=rec.deployment, actor=rec.actor)

    run_on_commit(
        lambda: deployment_update(
            deployment=rec.deployment, actor=rec.actor, storage_mode="on_device"
        )
    )

    assert not FaceTemplate.objects.filter(pk=template.pk).exists()
    event = OutboxEvent.objects.get(topic="governance.storage_on_device")
    assert event.done_at is not None and event.payload["deployment_id"] == rec.deployment.pk
    enrollment = Enrollment.objects.get(subject=subject)
    assert enrollment.template_state == Enrollment.TemplateState.PURGED_STORAGE_ON_DEVICE
    deleted = AuditEvent.objects.get(action="recognition.template_deleted")
    assert deleted.details["reason"] == "storage_on_device"
    # A second delivery finds the event done and deletes nothing more.
    assert deployment_storage_react(event_id=event.pk, organization_id=rec.org.pk) is None


def test_R19_the_reaction_reads_the_deployment_again_and_keeps_templates_if_central_again(
    rec, faces, cached_engine, eager, run_on_commit, django_capture_on_commit_callbacks
):
    subject = rec.subject("Obama")
    run_on_commit(lambda: rec.consent(subject))
    template = _enroll(rec, subject, faces, run_on_commit)
    deployment_suspend(deployment=rec.deployment, actor=rec.actor)
    # The switch commits but its reaction is not delivered yet (callbacks not run).
    with django_capture_on_commit_callbacks(execute=False):
        deployment_update(deployment=rec.deployment, actor=rec.actor, storage_mode="on_device")
    deployment_update(deployment=rec.deployment, actor=rec.actor, storage_mode="central")

    event = OutboxEvent.objects.get(topic="governance.storage_on_device")
    assert deployment_storage_react(event_id=event.pk, organization_id=rec.org.pk) == 0

    assert FaceTemplate.objects.filter(pk=template.pk).exists()


def test_R23_enrollment_and_identification_record_the_last_interaction(
    rec, faces, cached_engine, eager, run_on_commit
):
    subject = rec.subject("Obama")
    run_on_commit(lambda: rec.consent(subject))
    _enroll(rec, subject, faces, run_on_commit)
    enrolled = SubjectInteraction.objects.get(subject=subject, deployment=rec.deployment)
    assert enrolled.last_kind == SubjectInteraction.Kind.ENROLLMENT

    _identify(rec, faces, run_on_commit)

    seen = SubjectInteraction.objects.get(subject=subject, deployment=rec.deployment)
    assert seen.last_kind == SubjectInteraction.Kind.IDENTIFICATION
    assert seen.last_at >= enrolled.last_at
    assert SubjectInteraction.objects.count() == 1


def test_R23_illinois_template_is_destroyed_three_years_after_the_last_interaction(enrolled_il):
    subject, template = enrolled_il
    last = SubjectInteraction.objects.get(subject=subject).last_at

    assert bipa_destruction_sweep(now=last + timedelta(days=3 * 365 - 2)) == {
        "templates": 0,
        "raw_images": 0,
    }
    assert FaceTemplate.objects.filter(pk=template.pk).exists()

    counts = bipa_destruction_sweep(now=last + YEARS_3)

    assert counts["templates"] == 1
    assert not FaceTemplate.objects.filter(pk=template.pk).exists()
    enrollment = Enrollment.objects.get(subject=subject)
    assert enrollment.template_state == Enrollment.TemplateState.DESTROYED_BIPA
    deleted = AuditEvent.objects.get(action="recognition.template_deleted")
    assert deleted.details["reason"] == "bipa_schedule"
    assert bipa_destruction_sweep(now=last + YEARS_3) == {"templates": 0, "raw_images": 0}


def test_R23_a_later_interaction_moves_the_destruction_date(enrolled_il):
    subject, template = enrolled_il
    first = SubjectInteraction.objects.get(subject=subject).last_at
    SubjectInteraction.objects.filter(subject=subject).update(last_at=first + timedelta(days=400))

    bipa_destruction_sweep(now=first + YEARS_3)

    assert FaceTemplate.objects.filter(pk=template.pk).exists()


def test_R23_the_end_of_the_purpose_at_the_site_destroys_at_once(enrolled_il, illinois):
    _subject, template = enrolled_il
    deployment_suspend(deployment=illinois.deployment, actor=illinois.actor)
    deployment_detach_purpose(
        deployment=illinois.deployment, purpose=illinois.purpose, actor=illinois.actor
    )

    assert bipa_destruction_sweep()["templates"] == 1
    assert not FaceTemplate.objects.filter(pk=template.pk).exists()


def test_R23_sites_outside_illinois_keep_templates_past_three_years(
    rec, faces, cached_engine, eager, run_on_commit
):
    subject = rec.subject("Obama")
    run_on_commit(lambda: rec.consent(subject))
    template = _enroll(rec, subject, faces, run_on_commit)

    bipa_destruction_sweep(now=timezone.now() + YEARS_3)

    assert FaceTemplate.objects.filter(pk=template.pk).exists()


def test_R23_the_beat_runs_the_destruction_daily(enrolled_il):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["recognition.bipa_destruction"]["schedule"] == 24 * 3600
    _subject, template = enrolled_il
    FaceTemplate.objects.filter(pk=template.pk).update(
        created_at=timezone.now() - YEARS_3 - YEARS_3
    )
    SubjectInteraction.objects.all().delete()  # none recorded: the enrollment counts

    assert bipa_destruction()["templates"] == 1
    assert not FaceTemplate.objects.exists()


def test_R18_no_face_is_collected_at_an_illinois_site_without_a_written_release(
    illinois, faces, run_on_commit
):
    from recognition.errors import EnrollmentRefused

    subject = illinois.subject("Obama")
    run_on_commit(lambda: illinois.consent(subject))  # separate consent, the profile's kind

    with pytest.raises(EnrollmentRefused, match="R18") as refused:
        _enroll(illinois, subject, faces, run_on_commit)

    assert refused.value.code == "consent_required"
    assert refused.value.details[0]["rule"] == "R18"
    assert not Enrollment.objects.exists() and not FaceTemplate.objects.exists()
