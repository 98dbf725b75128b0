"""Benchmark the enrollment and probe pipelines (intake + engine) against naive face_recognition.

Run from the repository root:
    .venv/bin/python bench/enroll.py                 # photos from tests/faces
    .venv/bin/python bench/enroll.py --faces /path/to/faces --repeat 5

Naive = face_recognition.load_image_file + face_locations + face_encodings at full size, then the
enrollment rule (exactly one face, at least MIN_ENROLL_FACE_PX across). Ours = accept_image +
engine.enrollment_face for enrollment, accept_image + engine.detect_and_encode for probes.
Besides the test photos it times in-memory upscales of obama.jpg, biden.jpg and two_people.jpg
to 2-8 MP (JPEG quality 92), since the P2 goal is about photos of 2 MP and more. Exits with
status 1 if the enrollment decisions (accept or refuse) ever differ, or the probe pipeline finds
a different number of faces than the naive one.
"""

import argparse
import io
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import face_recognition
import numpy as np
from PIL import Image

from recognition import engine
from recognition.intake import accept_image

REPO = Path(__file__).resolve().parent.parent
UPSCALES = (
    ("obama.jpg", 2),
    ("obama.jpg", 4),
    ("obama.jpg", 8),
    ("biden.jpg", 4),
    ("two_people.jpg", 3),
)


def upscaled(data: bytes, megapixels: float) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        factor = (megapixels * 1e6 / (image.width * image.height)) ** 0.5
        size = (round(image.width * factor), round(image.height * factor))
        buffer = io.BytesIO()
        image.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


class LibraryClock:
    """Stands in for face_recognition inside the engine and adds up the time spent in its calls."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __getattr__(self, name):
        call = getattr(face_recognition, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


def enroll(data: bytes):
    """Our enrollment path: the decision ("accept" or the refusal code), encodings, timings."""
    start = time.perf_counter()
    image = accept_image(data)
    accepted = time.perf_counter()
    try:
        faces, decision = [engine.enrollment_face(image.pixels)], "accept"
    except engine.EnrollmentImageInvalid as refused:
        faces, decision = [], refused.code
    return decision, faces, accepted - start, time.perf_counter() - start


def probe(data: bytes, long_side: int):
    start = time.perf_counter()
    found = engine.detect_and_encode(accept_image(data).pixels, long_side=long_side)
    return found, time.perf_counter() - start


def naive(data: bytes):
    """face_recognition as its README shows it, at full size, then the engine's enrollment rule."""
    start = time.perf_counter()
    image = face_recognition.load_image_file(io.BytesIO(data))
    boxes = face_recognition.face_locations(image)
    encodings = face_recognition.face_encodings(image, boxes)
    elapsed = time.perf_counter() - start
    try:
        engine.enrollment_box(boxes)
        decision = "accept"
    except engine.EnrollmentImageInvalid as refused:
        decision = refused.code
    return decision, encodings, elapsed


def measure(name: str, data: bytes, repeat: int, long_side: int) -> dict:
    ours_s, intake_s, probe_s, naive_s, overhead_s = [], [], [], [], []
    for _ in range(repeat):
        clock = LibraryClock()
        engine._library.cache_clear()
        with mock.patch.object(engine, "_library", lambda clock=clock: clock):
            decision, ours, intake_t, total_t = enroll(data)
        engine._library.cache_clear()
        intake_s.append(intake_t)
        ours_s.append(total_t)
        # What the library itself needs besides its detection and encoding: decoded pixels.
        start = time.perf_counter()
        face_recognition.load_image_file(io.BytesIO(data))
        loading = time.perf_counter() - start
        overhead_s.append(max(0.0, total_t - clock.seconds - loading))
        found, probe_t = probe(data, long_side)
        probe_s.append(probe_t)
        naive_decision, theirs, naive_t = naive(data)
        naive_s.append(naive_t)
    # Distance from each of our encodings to the naive encoding of the same face (the nearest).
    faces = ours or found
    distances = [min(np.linalg.norm(f.encoding - e) for e in theirs) for f in faces if theirs]
    with Image.open(io.BytesIO(data)) as image:
        megapixels = image.width * image.height / 1e6
    ours_med, naive_med, intake_med, probe_med, overhead_med = (
        statistics.median(x) for x in (ours_s, naive_s, intake_s, probe_s, overhead_s)
    )
    return {
        "photo": name,
        "mp": megapixels,
        "decision": decision,
        "naive_decision": naive_decision,
        "probe_faces": len(found),
        "naive_faces": len(theirs),
        "naive_ms": naive_med * 1000,
        "ours_ms": ours_med * 1000,
        "speedup": naive_med / ours_med,
        "intake_share": intake_med / ours_med,
        "overhead_share": overhead_med / ours_med,
        "probe_ms": probe_med * 1000,
        "probe_speedup": naive_med / probe_med,
        "max_distance": max(distances, default=float("nan")),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, default=REPO / "tests" / "faces")
    parser.add_argument("--repeat", type=int, default=3, help="runs per photo (median reported)")
    parser.add_argument("--long-side", type=int, default=engine.DETECT_LONG_SIDE)
    args = parser.parse_args()

    photos = {p.name: p.read_bytes() for p in sorted(args.faces.glob("*.jpg"))}
    cases = list(photos.items())
    for name, megapixels in UPSCALES:
        if name in photos:
            cases.append((f"{name} @{megapixels} MP", upscaled(photos[name], megapixels)))
    enroll(cases[0][1])  # load the dlib models outside the timings
    naive(cases[0][1])

    print(
        f"model {engine.MODEL_VERSION}; enrollment: faces from {engine.MIN_ENROLL_FACE_PX} px; "
        f"probes: detection long side {args.long_side} px"
    )
    print("| photo | MP | enrollment decision (ours / naive) | naive ms | ours ms | speed-up "
          "| intake share | portal overhead | probe faces (ours / naive) | probe ms "
          "| probe speed-up | max encoding distance |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    disagreements = 0
    rows = []
    for name, data in cases:
        row = measure(name, data, args.repeat, args.long_side)
        rows.append(row)
        disagreements += (row["decision"] == "accept") != (row["naive_decision"] == "accept")
        disagreements += row["probe_faces"] != row["naive_faces"]
        print(
            f"| {row['photo']} | {row['mp']:.2f} | {row['decision']} / {row['naive_decision']} "
            f"| {row['naive_ms']:.0f} | {row['ours_ms']:.0f} | {row['speedup']:.2f}x "
            f"| {row['intake_share']:.1%} | {row['overhead_share']:.1%} "
            f"| {row['probe_faces']} / {row['naive_faces']} "
            f"| {row['probe_ms']:.0f} | {row['probe_speedup']:.2f}x | {row['max_distance']:.3f} |",
            flush=True,
        )
    large = [r for r in rows if r["mp"] >= 1.95]  # the "@2 MP" upscales land a hair under 2.0
    if large:
        print(
            f"\nphotos >= 2 MP: enrollment speed-up min {min(r['speedup'] for r in large):.2f}x, "
            f"median {statistics.median(r['speedup'] for r in large):.2f}x; probe speed-up min "
            f"{min(r['probe_speedup'] for r in large):.2f}x"
        )
    print(
        f"all photos: intake share max {max(r['intake_share'] for r in rows):.1%}, portal "
        f"overhead max {max(r['overhead_share'] for r in rows):.1%}"
    )
    print(f"decisions that differ from naive (accept/refuse, probe face counts): {disagreements}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
