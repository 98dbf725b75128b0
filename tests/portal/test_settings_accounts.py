"""Account security settings as a production start gets them (issue 15)."""

import json

from tests.portal.test_settings import SETUP, _production_environment, _start

SHOW = (
    SETUP + "; import json; from django.conf import settings as s; print(json.dumps(["
    "s.PASSWORD_HASHERS[0], s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST, "
    "s.SESSION_MAX_AGE_SECONDS, s.SECOND_FACTOR_ROLES, s.API_DOCS_REQUIRE_AUTH, "
    "s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT"
    "]))"
)


def test_production_hashes_with_argon2_and_ends_idle_sessions(tmp_path):
    started = _start(tmp_path, SHOW, **_production_environment())
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout) == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        30 * 60,
        True,
        12 * 3600,
        ["owner", "dpo"],
        True,
        10,
        0.25,
        False,
    ]


def test_the_environment_sets_the_session_limits(tmp_path):
    started = _start(
        tmp_path,
        SHOW,
        **_production_environment(),
        SESSION_IDLE_SECONDS="600",
        SESSION_MAX_AGE_SECONDS="3600",
    )
    assert json.loads(started.stdout)[1:4] == [600, True, 3600]


def test_the_demo_asks_no_second_factor_and_shows_the_docs(tmp_path):
    started = _start(tmp_path, SHOW, PORTAL_MODE="demo")
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)[4:6] == [[], False]
