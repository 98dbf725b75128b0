"""Restriction stops every use except storage and security; recognition skips the subject."""

from audit.actors import Actor
from consent.models import Consent
from consent.selectors import active_subject_ids_for, consent_active_for
from dsr.services.completion import dsr_request_complete
from dsr.services.restriction import dsr_restriction_lift
from recognition.models import FaceTemplate, GalleryVersion
from recognition.services.galleries import gallery_version
from tests.dsr.conftest import put_face_data

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")


def test_restriction_excludes_subject_from_galleries_and_keeps_storage(
    dw, eager, django_capture_on_commit_callbacks
):
    put_face_data(dw)
    assert dw.subject.pseudonym in active_subject_ids_for(organization=dw.org, purpose=dw.purpose)
    before = gallery_version(organization_id=dw.org.pk, purpose_id=dw.purpose.pk)

    with django_capture_on_commit_callbacks(execute=True):
        request = dsr_request_complete(data_request=dw.file("restriction"), actor=DPO)

    assert request.outcome == "restricted"
    assert request.changes["consents_restricted"] == 1
    dw.consent.refresh_from_db()
    assert dw.consent.state == Consent.State.RESTRICTED
    assert not consent_active_for(subject=dw.subject, purpose=dw.purpose)
    # Galleries are built from active consents only: the subject is left out of matching.
    allowed = active_subject_ids_for(organization=dw.org, purpose=dw.purpose)
    assert dw.subject.pseudonym not in allowed
    # Recognition's reaction to the restriction makes a worker's cached gallery stale.
    assert GalleryVersion.objects.get(purpose=dw.purpose).version > before
    # Storage and security only: the encrypted templates stay.
    assert FaceTemplate.objects.filter(subject=dw.subject).count() == 2


def test_gallery_load_skips_restricted_subject(dw):
    from recognition.services import galleries

    put_face_data(dw)
    dsr_request_complete(data_request=dw.file("restriction"), actor=DPO)
    # The gallery loader filters by active consent before it decrypts anything.
    assert len(galleries._load(purpose=dw.purpose, shard=0, shard_count=1)) == 0


def test_lifting_the_restriction_restores_matching(dw):
    dsr_request_complete(data_request=dw.file("restriction"), actor=DPO)
    assert dsr_restriction_lift(subject=dw.subject, actor=DPO, reason="dispute settled") == 1
    assert consent_active_for(subject=dw.subject, purpose=dw.purpose)
