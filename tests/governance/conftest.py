"""Fixtures for governance tests: a deployment that meets every activation rule."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from audit.actors import Actor
from tests.factories import AssessmentFactory, DeploymentFactory, NoticeFactory, PurposeFactory


@pytest.fixture
def actor():
    return Actor.system("test")


def png_upload(name: str = "sign.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_ready(org, *, purpose_kind: str = "access_control", **deployment_fields):
    """Return a draft deployment of ``org`` that passes every gate, with its purpose."""
    from governance.models import Assessment, DeploymentPurpose, Notice

    deployment = DeploymentFactory(organization=org, **deployment_fields)
    purpose = PurposeFactory(organization=org, kind=purpose_kind)
    DeploymentPurpose.objects.create(
        deployment=deployment,
        purpose=purpose,
        requires_separate_consent=deployment.is_public_place and purpose_kind != "public_security",
    )
    NoticeFactory(
        purpose_version=purpose.current_version,
        status=Notice.Status.PUBLISHED,
        published_at=timezone.now(),
        content_hash="0" * 64,
    )
    assessment = AssessmentFactory(
        deployment=deployment, status=Assessment.Status.APPROVED, signed_off_at=timezone.now()
    )
    assessment.purpose_versions.set([purpose.current_version])
    return deployment


@pytest.fixture
def ready(world):
    return make_ready(world.org)
