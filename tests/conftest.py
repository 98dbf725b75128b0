"""Fixtures shared by the whole suite."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest


def pytest_configure(config):
    from django.conf import settings

    # Real hashing costs ~0.3 s per user and tests create many; strength is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    """Give each test its own MEDIA_ROOT, so uploads never land in the checkout's var/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _english_until_asked():
    """Start each test in English: a request leaves its language active in the thread, so
    without this a test calling a service directly would read the previous test's language."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


# The photographs ship with the project: a fresh clone reads nothing outside itself.
FACES_DIR = Path(__file__).resolve().parent / "faces"


@dataclass(frozen=True)
class FacePhotos:
    """The face photographs in tests/faces/ (sources and licences in its SOURCE.md)."""

    root: Path
    manifest: dict

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()


@pytest.fixture(scope="session")
def faces() -> FacePhotos:
    """Return the test face photographs with their manifest (faces per photo, who is in it)."""
    if not (FACES_DIR / "manifest.json").exists():
        pytest.fail(f"face photographs not found at {FACES_DIR} (tests/faces/ in the repository)")
    return FacePhotos(FACES_DIR, json.loads((FACES_DIR / "manifest.json").read_text()))


# --- Organizations and people -------------------------------------------------------------


@dataclass
class World:
    """One organization with a person in each role, and an outsider in another organization."""

    org: object
    owner: object
    dpo: object
    operator: object
    auditor: object
    outsider_org: object
    outsider: object

    def user(self, role: str):
        return getattr(self, role)


@pytest.fixture
def world(db) -> World:
    from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

    org = OrganizationFactory(name="Acme Security", slug="acme")
    other = OrganizationFactory(name="Other Corp", slug="other")
    people = {}
    for role in ("owner", "dpo", "operator", "auditor"):
        people[role] = UserFactory(username=f"{role}@acme.test")
        MembershipFactory(organization=org, user=people[role], role=role)
    outsider = UserFactory(username="owner@other.test")
    MembershipFactory(organization=other, user=outsider, role="owner")
    return World(org=org, outsider_org=other, outsider=outsider, **people)


ROLES = ("owner", "dpo", "operator", "auditor")


def sign_in(client, user):
    """Sign ``user`` in on ``client`` as a completed sign-in: password and any second factor.

    Owners and DPOs (and members of organizations that ask it) need a second factor; they get a
    confirmed authenticator and the session records it as given, as the sign-in pages would.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tenants.selectors import second_factor_required

    client.force_login(user)
    if second_factor_required(user=user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def api_as():
    """Return ``client_for(user)``: a DRF client signed in as ``user`` (session auth)."""
    from rest_framework.test import APIClient

    def client_for(user, org_slug: str | None = None):
        client = sign_in(APIClient(), user)
        if org_slug:
            client.credentials(HTTP_X_ORGANIZATION=org_slug)
        return client

    return client_for


@pytest.fixture
def panel_as(client):
    """Return ``client_for(user)``: a Django test client signed in as ``user``."""
    from django.test import Client

    def client_for(user):
        return sign_in(Client(), user)

    return client_for


@pytest.fixture
def api_key_client(db):
    """Return ``client_for(org, role)``: a DRF client authenticated by a fresh API key."""
    from rest_framework.test import APIClient

    from audit.actors import Actor
    from tenants.services import api_key_create

    def client_for(org, role: str = "owner"):
        key, secret = api_key_create(
            organization=org, actor=Actor.system("test"), name=f"{role} key", role=role
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        client.api_key = key
        return client

    return client_for


# --- A real Celery worker ------------------------------------------------------------------


@dataclass
class LiveWorker:
    process: object
    queue: str


def _database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def live_worker(transactional_db):
    """Start a real Celery worker process on a private queue, against the test database.

    Needs PostgreSQL (the worker is another process, so it must see committed rows) and the
    configured broker (Redis in CI). Tasks sent from the test go to the private queue.
    """
    import os
    import subprocess
    import sys
    import time
    import uuid

    from django.db import connection

    from portal.celery import app

    if connection.vendor != "postgresql":
        pytest.fail("the live worker fixture needs DATABASE_URL to point at PostgreSQL")
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = os.environ | {
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"worker exited early:\n{process.stdout.read()}")
            if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
                break
        else:
            pytest.fail("worker did not become ready within 60 s")
        yield LiveWorker(process, queue)
    finally:
        app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# --- Real Chromium ------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    # This machine's network is closed: background connections only fail, many at a time.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    """Return Debian's Chromium driven by Playwright (bin/test installs it; no download)."""
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: run bin/test, which installs Debian's package")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test body
    # are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        # Every page the test opens reports what the content security policy refused (issue 15:
        # no inline script or style anywhere); the test fails on the first such refusal.
        refused = []
        open_context = browser.new_context

        def new_context(*args, **kwargs):
            context = open_context(*args, **kwargs)
            context.on(
                "console",
                lambda message: (
                    refused.append(f"{message.location.get('url')}: {message.text}")
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            return context

        browser.new_context = new_context
        browser.csp_refusals = refused  # a test may take out a refusal it expects
        yield browser
        browser.close()
        assert refused == [], "\n".join(refused)


# --- Celery inline ------------------------------------------------------------------------


@pytest.fixture
def eager():
    """Run Celery tasks inline (on-commit callbacks still need executing by the test).

    Outbox events are handed to their subscribers' registered tasks (apply_async), so with this
    fixture a consent change's reaction runs inside the commit callback.
    """
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
