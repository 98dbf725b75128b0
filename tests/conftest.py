"""Fixtures shared by the whole suite."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

FACES_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"


@dataclass(frozen=True)
class FacePhotos:
    """The shared face photographs (../shared/faces), read in place, never copied."""

    root: Path
    manifest: dict

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()


@pytest.fixture(scope="session")
def faces() -> FacePhotos:
    """Return the shared face photographs with their manifest (faces per photo, who is in it)."""
    if not (FACES_DIR / "manifest.json").exists():
        pytest.fail(f"face photographs not found at {FACES_DIR} (shared/faces beside the repo)")
    return FacePhotos(FACES_DIR, json.loads((FACES_DIR / "manifest.json").read_text()))
