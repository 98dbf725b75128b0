"""The start modes (portal/env.py, portal/settings.py): what a production start refuses.

Each test starts Django in a child process with a clean environment, as a server would start,
so nothing of this test run's own mode (PORTAL_MODE=test) or secrets leaks in. Each child gets
its own empty var/ folder.
"""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup()"


def _start(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` under a fresh interpreter with only ``env`` (and PATH) set."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_environment() -> dict[str, str]:
    """Return the complete environment docs/deploy.md asks a production start for."""
    return {
        "PORTAL_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_MASTER_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "AUDIT_SIGNING_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "ALLOWED_HOSTS": "portal.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://portal.example.com",
        "PUBLIC_BASE_URL": "https://portal.example.com",
        "TRUST_X_FORWARDED_PROTO": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.internal",
    }


def test_production_start_without_keys_stops_saying_what_to_set_and_why(tmp_path):
    started = _start(tmp_path, SETUP)

    assert started.returncode != 0
    assert (
        "ImproperlyConfigured: SECRET_KEY and PORTAL_MASTER_KEY and AUDIT_SIGNING_KEY are not set"
        in started.stderr
    )
    assert "wraps every organization's key" in started.stderr
    assert "no template can be decrypted" in started.stderr
    assert "PORTAL_MODE=demo or test" in started.stderr
    # Nothing was generated: a restart must not quietly make a new master key.
    assert not (tmp_path / "var" / "master.key").exists()
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_start_with_a_secret_key_only_still_refuses_for_the_master_key(tmp_path):
    started = _start(tmp_path, SETUP, SECRET_KEY=secrets.token_urlsafe(48))

    assert started.returncode != 0
    assert "ImproperlyConfigured: PORTAL_MASTER_KEY and AUDIT_SIGNING_KEY are not set" in (
        started.stderr
    )
    assert "SECRET_KEY:" not in started.stderr


def test_production_start_without_the_audit_signing_key_refuses(tmp_path):
    environment = _production_environment()
    del environment["AUDIT_SIGNING_KEY"]

    started = _start(tmp_path, SETUP, **environment)

    assert started.returncode != 0
    assert "ImproperlyConfigured: AUDIT_SIGNING_KEY is not set" in started.stderr
    assert "signs audit checkpoints" in started.stderr
    assert not (tmp_path / "var" / "audit_signing.key").exists()


def test_production_refusal_points_an_upgraded_installation_at_its_old_key_file(tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "master.key").write_text("kept-from-an-earlier-start")

    started = _start(tmp_path, SETUP, SECRET_KEY=secrets.token_urlsafe(48))

    assert started.returncode != 0
    assert f"has one in {tmp_path / 'var' / 'master.key'}" in started.stderr


def test_an_unknown_mode_is_refused(tmp_path):
    started = _start(tmp_path, SETUP, PORTAL_MODE="staging")

    assert started.returncode != 0
    assert "PORTAL_MODE must be one of production, demo, test" in started.stderr


def test_demo_mode_generates_the_keys_into_var_once_and_reuses_them(tmp_path):
    show = SETUP + "; from django.conf import settings; print(settings.MASTER_KEY)"

    first = _start(tmp_path, show, PORTAL_MODE="demo")
    second = _start(tmp_path, show, PORTAL_MODE="demo")

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    key_file = tmp_path / "var" / "master.key"
    assert key_file.read_text().strip() == first.stdout.strip()
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_production_defaults_are_https_only_and_the_environment_can_lower_them(tmp_path):
    show = (
        SETUP + "; import json; from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG]))"
    )

    defaults = _start(tmp_path, show, **_production_environment())
    lowered = _start(
        tmp_path,
        show,
        **_production_environment(),
        SECURE_SSL_REDIRECT="off",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="no",
    )

    assert defaults.returncode == 0, defaults.stderr
    assert json.loads(defaults.stdout) == [True, 365 * 24 * 3600, True, True, True, True, False]
    assert json.loads(lowered.stdout)[:2] == [False, 0]
    assert json.loads(lowered.stdout)[4:6] == [False, False]


def test_this_test_run_is_in_test_mode_with_plain_http():
    assert settings.PORTAL_MODE == "test"
    assert not settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_HSTS_SECONDS == 0
    assert not settings.SESSION_COOKIE_SECURE


def test_check_deploy_in_production_with_a_complete_environment_gives_no_warning(tmp_path):
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "PORTAL_VAR_DIR": str(tmp_path / "var"),
            **_production_environment(),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout
    assert "WARNING" not in checked.stdout + checked.stderr
