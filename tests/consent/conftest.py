"""Fixtures of the consent tests: a purpose with published notices, a deployment, a subject."""

from dataclasses import dataclass

import pytest

from audit.actors import Actor


@dataclass
class ConsentWorld:
    org: object
    purpose: object
    version: object
    notice: object
    notice_zh: object
    deployment: object
    subject: object
    actor: Actor

    def grant(self, subject=None, **kwargs):
        """Grant through the one write path; return (consent, receipt)."""
        from consent.services import Evidence, consent_grant

        kwargs.setdefault(
            "evidence", Evidence(channel="api", consent_ui_version="test-1", ip="10.0.0.1")
        )
        kwargs.setdefault("notice", self.notice)
        kwargs.setdefault("purpose_version", self.purpose.current_version)
        return consent_grant(subject=subject or self.subject, actor=self.actor, **kwargs)


@pytest.fixture
def cw(world, settings) -> ConsentWorld:
    from governance.models import DeploymentPurpose
    from tests.factories import (
        DeploymentFactory,
        PublishedNoticeFactory,
        PurposeFactory,
        SubjectFactory,
    )

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    purpose = PurposeFactory(organization=world.org, name="Office gate")
    version = purpose.current_version
    notice = PublishedNoticeFactory(purpose_version=version, language="en")
    notice_zh = PublishedNoticeFactory(
        purpose_version=version,
        language="zh-hans",
        purpose_text="开启办公室门禁。",
        alternative_text="工卡加密码，或前台人工核验。",
    )
    deployment = DeploymentFactory(organization=world.org, status="active", name="HQ gate")
    DeploymentPurpose.objects.create(deployment=deployment, purpose=purpose)
    subject = SubjectFactory(organization=world.org, email="ann@example.test")
    return ConsentWorld(
        org=world.org,
        purpose=purpose,
        version=version,
        notice=notice,
        notice_zh=notice_zh,
        deployment=deployment,
        subject=subject,
        actor=Actor.system("test"),
    )


@pytest.fixture
def other_cw(world):
    """A subject with a purpose and notice in the outsider's organization."""
    from tests.factories import PublishedNoticeFactory, PurposeFactory, SubjectFactory

    purpose = PurposeFactory(organization=world.outsider_org, name="Other gate")
    notice = PublishedNoticeFactory(
        purpose_version=purpose.current_version, organization=world.outsider_org
    )
    subject = SubjectFactory(organization=world.outsider_org, email="bob@example.test")
    return purpose, notice, subject
