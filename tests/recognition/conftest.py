"""Fixtures of the recognition tests: a consenting world, a cached engine, eager tasks."""

import hashlib
from dataclasses import dataclass

import pytest

from audit.actors import Actor

# Real engine answers, computed once per photo per session (each costs about 0.4 s).
_ENGINE_CACHE: dict[tuple[str, str], object] = {}


@pytest.fixture
def cached_engine(monkeypatch):
    """Patch the engine so that each distinct image is detected and encoded once per session.

    The answers are the real engine's; only repeats are served from memory.
    """
    from recognition import engine

    real = {
        "detect": engine.detect,
        "detect_and_encode": engine.detect_and_encode,
        "enrollment_face": engine.enrollment_face,
    }

    def cached(name):
        def call(image, **kwargs):
            key = (name, hashlib.sha256(image.tobytes()).hexdigest() + str(image.shape))
            if key not in _ENGINE_CACHE:
                try:
                    _ENGINE_CACHE[key] = real[name](image, **kwargs)
                except engine.EnrollmentImageInvalid as exc:
                    _ENGINE_CACHE[key] = exc
            value = _ENGINE_CACHE[key]
            if isinstance(value, Exception):
                raise value
            return value

        return call

    for name in real:
        monkeypatch.setattr(engine, name, cached(name))
    return _ENGINE_CACHE


@pytest.fixture
def eager(settings):
    """Run Celery tasks inline (on commit callbacks still need executing by the test)."""
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_gallery_cache():
    from recognition.services.galleries import gallery_cache_clear

    gallery_cache_clear()
    yield
    gallery_cache_clear()


@dataclass
class RecWorld:
    """An organization with an active deployment, a purpose with a published notice."""

    world: object
    org: object
    deployment: object
    purpose: object
    notice: object
    actor: Actor

    def subject(self, name: str = "", **fields):
        from tests.factories import SubjectFactory

        return SubjectFactory(organization=self.org, display_name=name or "Someone", **fields)

    def consent(self, subject, *, purpose=None, notice=None, **items):
        """Grant a consent through the one write path (central storage by default)."""
        from consent.services import Evidence, consent_grant

        purpose = purpose or self.purpose
        items.setdefault("central_storage", True)
        consent, _receipt = consent_grant(
            subject=subject,
            purpose_version=purpose.current_version,
            notice=notice or self.notice,
            actor=self.actor,
            evidence=Evidence(channel="api", consent_ui_version="test-1", ip="10.0.0.1"),
            **items,
        )
        return consent

    def withdraw(self, consent):
        from consent.services import consent_withdraw

        return consent_withdraw(consent=consent, actor=self.actor, channel="web")[0]


def make_rec_world(world, *, significant_effect=False, keep_raw=False, org=None):
    from governance.models import DeploymentPurpose
    from tests.factories import DeploymentFactory, PublishedNoticeFactory, PurposeFactory

    org = org or world.org
    purpose = PurposeFactory(
        organization=org,
        name="Office gate",
        kind="identify_1toN",
        version__significant_effect=significant_effect,
        version__keep_raw_images_allowed=keep_raw,
    )
    notice = PublishedNoticeFactory(
        purpose_version=purpose.current_version, organization=org, language="en"
    )
    deployment = DeploymentFactory(
        organization=org, status="active", name="HQ gate", storage_mode="central"
    )
    DeploymentPurpose.objects.create(deployment=deployment, purpose=purpose)
    return RecWorld(world, org, deployment, purpose, notice, Actor.system("test"))


@pytest.fixture
def rec(world) -> RecWorld:
    return make_rec_world(world)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Return ``run(fn)``: call fn and then every on-commit callback it queued (recursively)."""

    def run(fn):
        with django_capture_on_commit_callbacks(execute=True):
            return fn()

    return run
