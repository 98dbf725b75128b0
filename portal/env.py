"""Read settings from the environment, each with an embedded default.

Every integration has a switch here, and the default needs no server (STYLE.md, settings).
The mode (``PORTAL_MODE``) says what kind of start this is: ``production`` unless ``bin/run-demo``
or ``bin/test`` say ``demo`` or ``test``. Only a demo or a test may generate a missing secret into
``var/`` (and reuse it after); a production start without one stops at once.
"""

import base64
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
MODES = ("production", "demo", "test")


def env_str(name: str, default: str = "") -> str:
    """Return the variable's value, or ``default`` when unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool = False) -> bool:
    """Return True for 1/true/yes/on (any case), False for 0/false/no/off, else ``default``."""
    value = os.environ.get(name, "").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    return default


def env_int(name: str, default: int) -> int:
    """Return the variable as an int; raise ValueError naming the variable when it is not one."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of stripped, non-empty items."""
    value = os.environ.get(name, "")
    if not value.strip():
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_mode() -> str:
    """Return PORTAL_MODE (production when unset); raise ImproperlyConfigured for an unknown one."""
    mode = env_str("PORTAL_MODE", "production").strip().lower()
    if mode not in MODES:
        raise ImproperlyConfigured(f"PORTAL_MODE must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def env_secrets(mode: str, wanted: dict[str, tuple[str, int, str]]) -> dict[str, str]:
    """Return each secret named in ``wanted`` ({name: (file in var/, bytes, what it protects)}).

    A value in the environment always wins. In demo and test mode a missing one is generated
    into ``var/`` once and reused. In production mode raise ImproperlyConfigured naming every
    missing variable, why it matters and how to make one: a secret made anew at each start (a
    container's fresh ``var/``) would sign out everyone and, for the master key, leave every
    template undecryptable.
    """
    if mode != "production":
        return {
            name: generated_secret(name, filename, nbytes)
            for name, (filename, nbytes, _) in wanted.items()
        }
    missing = [name for name in wanted if not os.environ.get(name, "")]
    if not missing:
        return {name: os.environ[name] for name in wanted}
    verb = "is" if len(missing) == 1 else "are"
    lines = [
        f"{' and '.join(missing)} {verb} not set: a production start takes every secret from the "
        "environment."
    ]
    for name in missing:
        filename, nbytes, why = wanted[name]
        lines.append(f"  {name}: {why}.")
        lines.append(
            "    Set the value this installation ran with (from its backup); only a new "
            "installation makes one: python3 -c 'import base64, secrets; "
            f"print(base64.urlsafe_b64encode(secrets.token_bytes({nbytes})).decode())'"
        )
        if (VAR_DIR / filename).exists():
            lines.append(
                f"    This installation has one in {VAR_DIR / filename}: set {name} to it."
            )
    lines.append(
        "Secrets are generated into var/ only in demo or test mode (PORTAL_MODE=demo or test, as "
        "bin/run-demo and bin/test set). See docs/deploy.md, 'Keys'."
    )
    raise ImproperlyConfigured("\n".join(lines))


def generated_secret(name: str, filename: str, nbytes: int = 32) -> str:
    """Return ``name`` from the environment, or a random secret kept in ``var/filename``.

    The file is created with mode 0600 on first use. Never committed: ``var/`` is ignored. Only
    for a demo or a test (``env_secrets``).
    """
    value = os.environ.get(name, "")
    if value:
        return value
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        # O_EXCL: two processes starting together (web and worker) must not write two keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).decode())
    return path.read_text().strip()
