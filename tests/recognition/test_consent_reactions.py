"""Issue 14: one reaction path from every consent transition to recognition, through the outbox.

A transition records one outbox event in its own transaction; recognition's task reacts after
the commit (eager here: the task runs inside the commit callback), retried until it is done.
"""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import Consent
from consent.services import (
    consent_restore,
    consent_restrict,
    consents_expire_due,
    consents_require_reconsent,
    subject_erase,
)
from outbox.models import OutboxEvent
from outbox.services import events_redispatch_due
from recognition.models import Enrollment, FaceTemplate, RecognitionResult
from recognition.selectors import stored_individuals_count
from recognition.services.galleries import gallery_for
from recognition.services.jobs import recognition_job_create
from recognition.tasks import react_to_consent

pytestmark = pytest.mark.django_db

LATER = timedelta(days=1)


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
def enrolled(rec, faces, cached_engine, eager, run_on_commit):
    """A consenting subject enrolled from a real photo, through the whole service path."""
    from recognition.services.enrollment import enrollment_request

    subject = rec.subject("Obama")
    consent = run_on_commit(lambda: rec.consent(subject))
    run_on_commit(
        lambda: enrollment_request(
            organization=rec.org,
            deployment=rec.deployment,
            purpose=rec.purpose,
            subject=subject,
            image=faces.read("obama.jpg"),
            content_type="image/jpeg",
            actor=rec.actor,
        )
    )
    assert FaceTemplate.objects.filter(subject=subject).count() == 1
    return subject, consent


def test_r13_purge_failure_never_fails_the_withdrawal_and_the_beat_finishes_it(
    rec, enrolled, world, api_as, faces, run_on_commit, monkeypatch
):
    subject, consent = enrolled
    named = _identify(rec, faces, run_on_commit)
    assert RecognitionResult.objects.filter(job=named, subject=subject).exists()

    # 1. The broker is down when the withdrawal commits: the hand-over raises.
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    client = api_as(world.operator)
    with monkeypatch.context() as patch:
        patch.setattr(react_to_consent, "apply_async", broker_down)
        response = run_on_commit(
            lambda: client.post(
                f"/api/v1/consents/{consent.public_id}/withdraw/", {"channel": "api"}
            )
        )
    assert response.status_code == 200
    assert response.json()["consent"]["template_purge"]["state"] == "pending"
    event = OutboxEvent.objects.get(topic="consent.withdrawn")
    assert event.done_at is None and event.attempts == 1
    assert "broker unreachable" in event.last_error
    assert FaceTemplate.objects.filter(subject=subject).exists()  # not purged yet

    # Meanwhile no identification names the subject: results re-check consent under a lock.
    meanwhile = _identify(rec, faces, run_on_commit)
    assert not RecognitionResult.objects.filter(job=meanwhile, matched=True).exists()

    # 2. The broker is back, but the worker dies half-way through the purge (after deleting).
    from recognition.services import templates as templates_module

    def crash(**kwargs):
        raise RuntimeError("worker lost mid-purge")

    with monkeypatch.context() as patch:
        patch.setattr(templates_module, "raw_images_delete", crash)
        assert events_redispatch_due(now=timezone.now() + LATER) == 1
    event.refresh_from_db()
    assert event.done_at is None and "worker lost mid-purge" in event.last_error
    # The half-done purge rolled back with the crash: nothing deleted, nothing audited twice.
    assert FaceTemplate.objects.filter(subject=subject).exists()
    assert not AuditEvent.objects.filter(action="recognition.template_deleted").exists()

    # 3. The worker runs again (the beat task re-dispatches): the purge completes, once.
    assert events_redispatch_due(now=timezone.now() + 2 * LATER) == 1
    event.refresh_from_db()
    assert event.done_at is not None
    assert not FaceTemplate.objects.filter(subject=subject).exists()
    purges = AuditEvent.objects.filter(action="recognition.template_deleted")
    assert [e.details["reason"] for e in purges] == ["consent_withdrawn"]
    assert events_redispatch_due(now=timezone.now() + 30 * LATER) == 0
    enrollment = Enrollment.objects.get(subject=subject)
    assert enrollment.template_state == Enrollment.TemplateState.PURGED_ON_WITHDRAWAL
    assert enrollment.template_removed_at is not None
    shown = client.get(f"/api/v1/consents/{consent.public_id}/").json()["template_purge"]
    assert shown["state"] == "done" and shown["done_at"]


def test_a_repeated_delivery_of_a_done_event_changes_nothing(rec, enrolled, run_on_commit):
    subject, consent = enrolled
    run_on_commit(lambda: rec.withdraw(consent))
    event = OutboxEvent.objects.get(topic="consent.withdrawn")
    assert event.done_at is not None
    audits = AuditEvent.objects.count()
    assert react_to_consent.apply(kwargs={"event_id": event.pk, "organization_id": rec.org.pk})
    assert AuditEvent.objects.count() == audits


def _vectors(count: int) -> np.ndarray:
    return np.random.default_rng(14).normal(0.0, 0.1, (count, 128)).astype(np.float32)


def _in_gallery(rec, label) -> bool:
    _version, gallery = gallery_for(purpose=rec.purpose)
    return label in gallery


def test_every_consent_transition_reaches_gallery_filing_count_and_enrollment(
    rec, enroll, run_on_commit
):
    """given, restricted, restored, expired, withdrawn, given again, re-consent required, erased.

    After each: the gallery, the R35 filing count and the enrollment's template state, and
    exactly one outbox event for the transition, done by recognition's one task.
    """
    a_vec, b_vec, c_vec = _vectors(3)
    state = Enrollment.TemplateState

    labels = {}

    def check(subject, *, topic, in_gallery, count, template):
        events = OutboxEvent.objects.filter(topic=topic, payload__subject_id=subject.pk)
        assert events.count() >= 1 and events.filter(done_at__isnull=True).count() == 0
        assert _in_gallery(rec, labels[subject.pk]) is in_gallery, topic
        assert stored_individuals_count(organization=rec.org) == count, topic
        assert Enrollment.objects.get(subject=subject).template_state == template, topic

    def transition(subject, fn, topic):
        # Exactly one event per transition of this subject's consent.
        events = OutboxEvent.objects.filter(topic=topic, payload__subject_id=subject.pk)
        before = events.count()
        run_on_commit(fn)
        assert events.count() == before + 1, topic

    def enrolled(vector, name):
        subject, consent, label = enroll(vector, name)
        # The fixture grants outside a commit callback: the beat task hands its event over.
        events_redispatch_due(now=timezone.now() + LATER)
        return subject, consent, label

    a, a_consent, labels[a.pk] = enrolled(a_vec, "A")
    check(a, topic="consent.given", in_gallery=True, count=1, template=state.STORED)

    transition(
        a,
        lambda: consent_restrict(consent=a_consent, actor=rec.actor, reason="hold"),
        "consent.restricted",
    )
    check(a, topic="consent.restricted", in_gallery=False, count=1, template=state.STORED)

    transition(
        a,
        lambda: consent_restore(consent=a_consent, actor=rec.actor, reason="lifted"),
        "consent.restored",
    )
    check(a, topic="consent.restored", in_gallery=True, count=1, template=state.STORED)

    Consent.objects.filter(pk=a_consent.pk).update(expires_at=timezone.now() - LATER)
    transition(a, consents_expire_due, "consent.expired")
    check(
        a, topic="consent.expired", in_gallery=False, count=0, template=state.PURGED_CONSENT_ENDED
    )

    b, b_consent, labels[b.pk] = enrolled(b_vec, "B")
    transition(b, lambda: rec.withdraw(b_consent), "consent.withdrawn")
    check(
        b, topic="consent.withdrawn", in_gallery=False, count=0, template=state.PURGED_ON_WITHDRAWAL
    )
    transition(b, lambda: rec.consent(b), "consent.given")
    check(b, topic="consent.given", in_gallery=False, count=0, template=state.PURGED_ON_WITHDRAWAL)

    c, c_consent, labels[c.pk] = enrolled(c_vec, "C")
    transition(
        c,
        lambda: consents_require_reconsent(
            organization_id=rec.org.pk,
            old_version_ids=[c_consent.purpose_version_id],
            actor=rec.actor,
        ),
        "consent.reconsent_required",
    )
    # Storage kept until the person answers (R11), but no matching meanwhile.
    check(c, topic="consent.reconsent_required", in_gallery=False, count=1, template=state.STORED)

    transition(c, lambda: subject_erase(subject=c, actor=rec.actor), "consent.erased")
    check(c, topic="consent.erased", in_gallery=False, count=0, template=state.ERASED)


def test_enrollment_lists_filter_by_subject_purpose_and_template_state(
    rec, enroll, run_on_commit, api_as, panel_as
):
    a_vec, b_vec = _vectors(2)
    a, a_consent, _ = enroll(a_vec, "A")
    b, _b_consent, _ = enroll(b_vec, "B")
    run_on_commit(lambda: rec.withdraw(a_consent))
    client = api_as(rec.world.owner)

    def listed(**query):
        rows = client.get("/api/v1/enrollments/", query).json()["results"]
        return {(row["subject"], row["template_state"]) for row in rows}

    a_row = (str(a.pseudonym), "purged_on_withdrawal")
    b_row = (str(b.pseudonym), "stored")
    assert listed(subject=str(a.pseudonym)) == {a_row}
    assert listed(template_state="stored") == {b_row}
    assert listed(purpose=rec.purpose.pk) == {a_row, b_row}

    page = panel_as(rec.world.owner).get(
        f"/o/{rec.org.slug}/recognition/enroll/", {"state": "purged_on_withdrawal"}
    )
    assert page.status_code == 200
    assert str(a.pseudonym) in page.content.decode()
    assert str(b.pseudonym) not in page.content.decode()
