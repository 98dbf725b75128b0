"""Read settings from the environment, each with an embedded default.

Every integration has a switch here, and the default needs no server (STYLE.md, settings).
Secrets that have no value in the environment are generated once into ``var/`` and reused, so a
fresh checkout runs without configuration and nothing secret is ever committed.
"""

import base64
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


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


def generated_secret(name: str, filename: str, nbytes: int = 32) -> str:
    """Return ``name`` from the environment, or a random secret kept in ``var/filename``.

    The file is created with mode 0600 on first use. Never committed: ``var/`` is ignored.
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
