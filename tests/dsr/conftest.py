"""Fixtures of the requests tests: a consenting subject with face data in every store."""

import os
from dataclasses import dataclass

import pytest

from audit.actors import Actor


@dataclass
class DsrWorld:
    org: object
    purpose: object
    notice: object
    deployment: object
    subject: object
    consent: object
    actor: Actor

    def file(self, kind: str, subject=None, **kwargs):
        """File a request as the self-service page does (identity verified by sign-in)."""
        from dsr.services.filing import dsr_request_file

        subject = subject or self.subject
        kwargs.setdefault("channel", "self_service")
        kwargs.setdefault("message", "")
        return dsr_request_file(
            subject=subject, kind=kind, actor=Actor.subject(str(subject.pseudonym)), **kwargs
        )


@pytest.fixture
def dw(world) -> DsrWorld:
    from consent.services import Evidence, consent_grant
    from governance.models import DeploymentPurpose
    from tests.factories import (
        ApprovedAssessmentFactory,
        DeploymentFactory,
        PublishedNoticeFactory,
        PurposeFactory,
        SubjectFactory,
    )

    purpose = PurposeFactory(
        organization=world.org, name="Office gate", version__keep_raw_images_allowed=True
    )
    notice = PublishedNoticeFactory(purpose_version=purpose.current_version, language="en")
    PublishedNoticeFactory(
        purpose_version=purpose.current_version,
        language="zh-hans",
        purpose_text="开启办公室门禁。",
    )
    # Central templates (R19) and a signed-off assessment (R27): a correction re-enrolls here.
    deployment = DeploymentFactory(
        organization=world.org,
        status="active",
        name="HQ gate",
        storage_mode="central",
        central_storage_reason="Every gate of the site matches against one gallery.",
    )
    DeploymentPurpose.objects.create(deployment=deployment, purpose=purpose)
    ApprovedAssessmentFactory(deployment=deployment)
    subject = SubjectFactory(
        organization=world.org,
        display_name="Ann Example",
        email="ann@example.test",
        phone="+86 139 0000 1111",
        external_ref="EMP-4711",
    )
    actor = Actor.system("test")
    consent, _receipt = consent_grant(
        subject=subject,
        purpose_version=purpose.current_version,
        notice=notice,
        actor=actor,
        evidence=Evidence(
            channel="api", consent_ui_version="test-1", ip="10.0.0.1", user_agent="Kiosk/1.0"
        ),
        central_storage=True,
        raw_images=True,
    )
    return DsrWorld(world.org, purpose, notice, deployment, subject, consent, actor)


def _blob(folder: str, data: bytes = b"ciphertext") -> str:
    from recognition.blobs import blob_write

    return blob_write(folder=folder, data=data)


def put_face_data(dw: DsrWorld, *, templates: int = 2, subject=None) -> dict:
    """Store face data of the subject in every table and store that can hold it.

    Rows are written directly (no engine): a data key, templates, an enrollment with a raw
    image and a pending upload on disk, a result naming the subject, and a verification job
    claiming them with a probe image and probe face still held.
    """
    from django.utils import timezone

    from recognition.models import (
        Enrollment,
        FaceTemplate,
        ProbeFace,
        ProbeImage,
        RawImage,
        RecognitionJob,
        RecognitionResult,
        SubjectKey,
    )

    subject = subject or dw.subject
    org, version = dw.org, dw.purpose.current_version
    later = timezone.now() + timezone.timedelta(days=30)
    SubjectKey.objects.update_or_create(
        subject=subject,
        defaults={"organization": org, "wrapped": os.urandom(60), "stored_templates": templates},
    )
    common = {
        "organization": org,
        "deployment": dw.deployment,
        "purpose": dw.purpose,
        "purpose_version": version,
        "subject": subject,
        "subject_pseudonym": subject.pseudonym,
    }
    done = Enrollment.objects.create(
        **common,
        status="succeeded",
        model_version="dlib-r1",
        actor_type="user",
        actor_label="operator@acme.test",
        keep_raw_image=True,
    )
    pending = Enrollment.objects.create(
        **common,
        status="queued",
        actor_type="user",
        pending_path=_blob(f"pending/{org.pk}"),
    )
    for i in range(templates):
        FaceTemplate.objects.create(
            **common,
            enrollment=done if i == 0 else None,
            ciphertext=os.urandom(560),
            model_version="dlib-r1",
            retain_until=later,
        )
    raw = RawImage.objects.create(
        organization=org,
        subject=subject,
        purpose=dw.purpose,
        enrollment=done,
        path=_blob(f"raw/{org.pk}"),
        retain_until=later,
    )
    job_fields = {
        "organization": org,
        "deployment": dw.deployment,
        "purpose": dw.purpose,
        "purpose_version": version,
        "match_threshold": 0.5,
        "actor_type": "user",
        "actor_label": "operator@acme.test",
    }
    identify = RecognitionJob.objects.create(**job_fields, mode="identify", status="succeeded")
    RecognitionResult.objects.create(
        organization=org,
        job=identify,
        image_index=0,
        face_index=0,
        box=[1, 2, 3, 4],
        subject=subject,
        subject_pseudonym=subject.pseudonym,
        distance=0.31,
        matched=True,
    )
    verify = RecognitionJob.objects.create(
        **job_fields, mode="verify", status="running", claimed_subject=subject
    )
    probe = ProbeImage.objects.create(job=verify, index=0, path=_blob(f"probes/{org.pk}"))
    ProbeFace.objects.create(
        job=verify, image_index=0, face_index=0, box=[1, 2, 3, 4], ciphertext=os.urandom(560)
    )
    return {"raw": raw, "pending": pending, "probe": probe, "verify_job": verify}
