"""Fixtures of the recognition tests: a consenting world, a cached engine, eager tasks."""

import hashlib
from dataclasses import dataclass

import numpy as np
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
    """An organization with an active deployment storing templates centrally (R19), a purpose
    with a published notice and a signed-off assessment (R27)."""

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
    from tests.factories import (
        ApprovedAssessmentFactory,
        DeploymentFactory,
        PublishedNoticeFactory,
        PurposeFactory,
    )

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
        organization=org,
        status="active",
        name="HQ gate",
        storage_mode="central",
        central_storage_reason="Every gate of the site matches against one gallery.",
    )
    DeploymentPurpose.objects.create(deployment=deployment, purpose=purpose)
    # Enrollment and jobs need a signed-off assessment that is not stale (R27, R29).
    ApprovedAssessmentFactory(deployment=deployment)
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


# --- Real Celery workers ------------------------------------------------------------------


@dataclass
class WorkerPool:
    """Worker processes on one private queue; each can be killed on its own."""

    queue: str
    processes: dict
    logs: dict

    def pid_of(self, worker_field: str) -> int | None:
        """Return the pid named by a job's ``worker`` field ("host:pid"), if it is ours."""
        pid = int(worker_field.rsplit(":", 1)[-1]) if worker_field else None
        return pid if pid in self.processes else None

    def kill(self, pid: int) -> None:
        import os
        import signal

        os.kill(pid, signal.SIGKILL)
        self.processes[pid].wait(timeout=10)

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in self.logs.values())


@pytest.fixture
def live_workers(transactional_db, settings, tmp_path, request):
    """Return ``start(count, **env)``: real worker processes (solo pool) on a private queue.

    The solo pool runs a task in the worker's own process, so SIGKILL of that pid kills the
    task mid-way, as a lost machine would; the message, unacked, comes back after the Redis
    visibility timeout (CELERY_VISIBILITY) to a surviving worker.
    """
    import os
    import subprocess
    import sys
    import time
    import uuid
    from pathlib import Path

    from django.db import connection

    from portal.celery import app
    from tests.conftest import _database_url

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.fail("live workers need PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    queue = f"rec-{uuid.uuid4().hex[:10]}"
    pool = WorkerPool(queue, {}, {})
    root = Path(__file__).resolve().parents[2]
    previous = (app.conf.task_default_queue, dict(app.conf.broker_transport_options or {}))

    def start(count: int = 1, **extra_env):
        env = os.environ | {
            "DATABASE_URL": _database_url(connection.settings_dict),
            "CELERY_QUEUE": queue,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings"),
            "MEDIA_ROOT": settings.MEDIA_ROOT,
            "RECOGNITION_SHARDS": str(getattr(settings, "RECOGNITION_SHARDS", 1)),
            **{k: str(v) for k, v in extra_env.items()},
        }
        if "CELERY_VISIBILITY" in extra_env:
            # The sending side uses the same timeout (kombu records it with the message).
            app.conf.broker_transport_options = {
                **previous[1],
                "visibility_timeout": int(extra_env["CELERY_VISIBILITY"]),
            }
        started = []
        for n in range(count):
            name = f"{queue}-{len(pool.processes) + n}"
            log = tmp_path / f"{name}.log"
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tests.recognition.worker_app",
                    "worker",
                    "--queues",
                    queue,
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"{name}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=root,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            pool.processes[process.pid] = process
            pool.logs[process.pid] = log
            started.append((name, process))
        app.conf.task_default_queue = queue
        deadline = time.monotonic() + 90
        for name, process in started:
            while True:
                if process.poll() is not None:
                    pytest.fail(f"worker exited early:\n{pool.log()}")
                if app.control.ping(destination=[f"{name}@{os.uname().nodename}"], timeout=0.5):
                    break
                if time.monotonic() > deadline:
                    pytest.fail(f"worker did not become ready:\n{pool.log()}")
        return pool

    yield start
    app.conf.task_default_queue, app.conf.broker_transport_options = previous
    for process in pool.processes.values():
        if process.poll() is None:
            process.terminate()
    for process in pool.processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def live_beat(live_workers, settings, tmp_path):
    """Return ``start(**env)``: a real ``celery beat`` process sending to the workers' queue.

    Start the workers first (their queue is the beat's). Every periodic task of the portal is
    scheduled; the intervals passed in env shorten the ones a test waits for.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    from tests.conftest import _database_url

    processes = []
    root = Path(__file__).resolve().parents[2]

    def start(**extra_env):
        from portal.celery import app

        log = tmp_path / "beat.log"
        env = os.environ | {
            "DATABASE_URL": _database_url(connection.settings_dict),
            "CELERY_QUEUE": app.conf.task_default_queue,
            "MEDIA_ROOT": settings.MEDIA_ROOT,
            **{k: str(v) for k, v in extra_env.items()},
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.recognition.worker_app",
                "beat",
                "--schedule",
                str(tmp_path / "beat-schedule"),
                "--max-interval",
                "1",
                "--loglevel",
                "INFO",
            ],
            cwd=root,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return log

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(condition, seconds: float = 60, interval: float = 0.2):
    """Poll ``condition`` until it returns a truthy value or the time runs out."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return None


@pytest.fixture
def enroll(rec, faces, eager, run_on_commit, monkeypatch):
    """Return ``enroll(vector)``: consent and enroll a new subject whose template is ``vector``.

    The whole service path runs (consent, request, worker, encrypted storage, gallery bump);
    only the engine's answer is replaced, so hundreds of distinct templates cost no detection.
    """
    from recognition import engine
    from recognition.services.enrollment import enrollment_request

    pending: list[np.ndarray] = []

    def fake_face(image, **kwargs):
        return engine.DetectedFace((10, 110, 110, 10), pending.pop())

    monkeypatch.setattr(engine, "enrollment_face", fake_face)
    photo = faces.read("obama.jpg")

    def do(vector, name="Someone"):
        subject = rec.subject(name)
        consent = rec.consent(subject)
        pending.append(np.asarray(vector, dtype=np.float32))
        enrollment = run_on_commit(
            lambda: enrollment_request(
                organization=rec.org,
                deployment=rec.deployment,
                purpose=rec.purpose,
                subject=subject,
                image=photo,
                content_type="image/jpeg",
                actor=rec.actor,
            )
        )
        enrollment.refresh_from_db()
        assert enrollment.status == "succeeded", enrollment.error_code
        return subject, consent, enrollment.template.pk

    return do
