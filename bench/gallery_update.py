"""Issue 5 (P1): one enrollment or withdrawal applied to a cached indexed gallery vs a rebuild.

A worker's cache is seeded with an indexed gallery of --size synthetic templates
(bench/synthetic_faces.py's isotropic vectors) at the database's current version. Then,
--runs times:

  add, with DB:     one encrypted template row is written and logged the way an enrollment
                    writes it (FaceTemplate + gallery_bump ADD, one transaction, not timed); timed:
                    `gallery_for` bringing the cached gallery current (reads the version, the
                    change log, the template and consent, the subject key; decrypts one template;
                    adds it to the HNSW index). The next search must return it.
  remove, with DB:  `templates_delete` of that template (not timed); timed: `gallery_for` replaying
                    the removal. The next search must not return it.
  add / remove, in memory: the same work without the database: decrypt one template and
                    `Gallery.add`, then `Gallery.remove`, on the same cached gallery.

Against: the full rebuild a version change cost before, i.e. decrypting --size templates
(measured in memory, without reading them from the database) plus building the HNSW index.

Usage (the database is created and migrated if needed):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_gallery \\
      .venv/bin/python bench/gallery_update.py --size 100000 [--runs 20] [--build-threads 2]
"""

import os

# Must precede the numpy import: OpenBLAS reads these once when it loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_gallery")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-gallery-media-"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import numpy as np  # noqa: E402

# Synthetic labels sit far above real template ids so the two never collide.
_LABEL_BASE = 10**12


from benchdb import ensure_database  # noqa: E402 - beside this script


def _synthetic_faces():
    from synthetic_faces import IsotropicFaces  # beside this script, like benchdb

    return IsotropicFaces(seed=7)


def _load_dsr_bench():
    spec = importlib.util.spec_from_file_location("bench_dsr", ROOT / "bench" / "dsr.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _summary(times: list[float]) -> str:
    return (
        f"median {_ms(statistics.median(times))}, best {_ms(min(times))}, worst {_ms(max(times))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--build-threads", type=int, default=2)
    args = parser.parse_args()

    dsr = _load_dsr_bench()
    ensure_database()

    from django.db import transaction
    from django.utils import timezone

    from consent.models import Subject
    from consent.services import Evidence, consent_grant
    from recognition import crypto
    from recognition.engine import MODEL_VERSION
    from recognition.matching import Gallery
    from recognition.models import FaceTemplate
    from recognition.services import galleries
    from recognition.services.galleries import (
        ADD,
        GalleryChangeSpec,
        gallery_bump,
        gallery_for,
        gallery_version,
        template_aad,
    )
    from recognition.services.keys import subject_key
    from recognition.services.templates import templates_delete

    org, purpose, version, notice, deployment, actor = dsr._world()
    subject = Subject.objects.create(organization=org, display_name="Bench", age_bracket="18_plus")
    consent_grant(
        subject=subject,
        purpose_version=version,
        notice=notice,
        actor=actor,
        evidence=Evidence(channel="api", consent_ui_version="bench", ip="10.0.0.1"),
        central_storage=True,
    )
    key = subject_key(subject=subject, create=True)

    faces = _synthetic_faces()
    vectors = faces.identities(args.size)
    probes_new = faces.identities(args.runs)
    labels = np.arange(_LABEL_BASE, _LABEL_BASE + args.size, dtype=np.int64)
    subjects = [str(subject.pseudonym)] * args.size
    print(f"gallery of {args.size:,} templates", file=sys.stderr)

    # The rebuild a version change used to cost: decrypt every template, then index them all.
    ciphertexts = [
        crypto.encrypt_template(key, v, aad=template_aad(org.pk, i, subject.pseudonym))
        for i, v in enumerate(vectors)
    ]
    started = time.perf_counter()
    for i, blob in enumerate(ciphertexts):
        crypto.decrypt_template(key, blob, aad=template_aad(org.pk, i, subject.pseudonym))
    decrypt_all = time.perf_counter() - started
    del ciphertexts
    gallery = Gallery(indexed=True)
    started = time.perf_counter()
    gallery.add_many(labels, vectors, subjects, threads=args.build_threads)
    build = time.perf_counter() - started
    print(f"decrypt all {decrypt_all:.1f} s, index build {build:.1f} s", file=sys.stderr)

    # This worker's cache now holds the gallery at the database's version.
    current = gallery_version(organization_id=org.pk, purpose_id=purpose.pk)
    galleries._CACHE[(org.pk, purpose.pk, 0, 1)] = (current, gallery)
    loads = []
    real_load = galleries._load
    galleries._load = lambda **kw: loads.append(kw) or real_load(**kw)

    add_db, remove_db, add_mem, remove_mem = [], [], [], []
    retain = timezone.now() + timezone.timedelta(days=30)
    for run in range(args.runs):
        vector = probes_new[run]
        with transaction.atomic():
            template = FaceTemplate(
                organization=org,
                subject=subject,
                subject_pseudonym=subject.pseudonym,
                deployment=deployment,
                purpose=purpose,
                purpose_version=version,
                model_version=MODEL_VERSION,
                retain_until=retain,
            )
            template.ciphertext = crypto.encrypt_template(
                key, vector, aad=template_aad(org.pk, template.public_id, subject.pseudonym)
            )
            template.save()
            gallery_bump(
                organization_id=org.pk,
                changes=[GalleryChangeSpec(purpose.pk, ADD, template.pk, subject.pseudonym)],
            )
        started = time.perf_counter()
        _v, current_gallery = gallery_for(purpose=purpose)
        add_db.append(time.perf_counter() - started)
        hit = current_gallery.search(vector, k=1)[0][0]
        assert hit.label == template.pk, "an enrollment must be the next probe's answer"

        templates_delete(templates=[template], actor=actor, reason="bench")
        started = time.perf_counter()
        _v, current_gallery = gallery_for(purpose=purpose)
        remove_db.append(time.perf_counter() - started)
        assert template.pk not in current_gallery
        hits = current_gallery.search(vector, k=5)[0]
        assert all(c.label != template.pk for c in hits), "a withdrawal must leave the next probe"

        # The in-memory part alone: decrypt one template, add it; remove it.
        blob = crypto.encrypt_template(key, vector, aad=b"bench")
        label = _LABEL_BASE - 1 - run
        started = time.perf_counter()
        current_gallery.add(
            label, crypto.decrypt_template(key, blob, aad=b"bench"), subject=subjects[0]
        )
        add_mem.append(time.perf_counter() - started)
        started = time.perf_counter()
        current_gallery.remove(label)
        remove_mem.append(time.perf_counter() - started)
    assert not loads, "no rebuild may happen"
    assert gallery_for(purpose=purpose)[1] is gallery

    print(f"templates: {args.size:,}; runs: {args.runs}; rebuilds during the runs: {len(loads)}")
    print(
        f"full rebuild: decrypt all {decrypt_all:.2f} s + index build {build:.1f} s "
        f"({args.build_threads} threads)"
    )
    print(f"add one, in memory (decrypt + Gallery.add): {_summary(add_mem)}")
    print(f"remove one, in memory (Gallery.remove):     {_summary(remove_mem)}")
    print(f"add one, gallery_for with DB round trips:   {_summary(add_db)}")
    print(f"remove one, gallery_for with DB round trips: {_summary(remove_db)}")
    mib = {name: size / 2**20 for name, size in gallery.memory_bytes().items()}
    print(f"memory: vectors {mib['vectors']:.0f} MB, index {mib['index']:.0f} MB")


if __name__ == "__main__":
    main()
