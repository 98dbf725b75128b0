"""Encrypted image files under MEDIA_ROOT/recognition/: written once, read, deleted.

Files on disk rather than bytea: a deleted row lingers in dead tuples, WAL and every base backup
until they age out, while an unlinked file is gone from the live system at once. Every file is
AES-GCM ciphertext under a key that is itself destroyed (job probe key, subject data key), so
any copy that survives elsewhere is unreadable too.
"""

import os
import uuid
from pathlib import Path

from django.conf import settings

_ROOT = "recognition"


def _absolute(relative: str) -> Path:
    root = (Path(settings.MEDIA_ROOT) / _ROOT).resolve()
    path = (root / relative).resolve()
    # Paths come from our own rows, but a path outside the root is refused all the same.
    if root not in path.parents:
        raise ValueError("blob path outside the recognition store")
    return path


def blob_write(*, folder: str, data: bytes) -> str:
    """Write ciphertext to a new file under ``folder``; return its relative path."""
    relative = f"{folder}/{uuid.uuid4().hex}.bin"
    path = _absolute(relative)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
    return relative


def blob_read(relative: str) -> bytes:
    """Return a file's bytes; raise FileNotFoundError when it is gone."""
    return _absolute(relative).read_bytes()


def blob_delete(relative: str) -> bool:
    """Delete a file; return False when it was already gone (deletion is idempotent)."""
    if not relative:
        return False
    try:
        _absolute(relative).unlink()
    except FileNotFoundError:
        return False
    return True


def blob_exists(relative: str) -> bool:
    return bool(relative) and _absolute(relative).exists()


def blob_files(folder: str = "") -> list[Path]:
    """Return every file under the store (or one folder of it): tests and the sweeper use it."""
    root = Path(settings.MEDIA_ROOT) / _ROOT / folder
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
