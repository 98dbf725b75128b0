"""Galleries per (organization, purpose): versioned in the database, cached in worker memory.

A worker holds decrypted templates only in its own memory, keyed by (organization, purpose,
gallery version, shard): an enrollment, purge or erasure bumps the version in its transaction,
so the next job loads a fresh gallery. Small galleries are scanned exactly; from
RECOGNITION_INDEX_THRESHOLD templates on, the usearch HNSW index is built.
"""

from collections import OrderedDict

import numpy as np
from django.conf import settings
from django.db.models import F

from consent.selectors import active_subject_ids_for
from recognition import crypto
from recognition.engine import MODEL_VERSION
from recognition.matching import Gallery, shard_for
from recognition.models import FaceTemplate, GalleryVersion, SubjectKey
from recognition.services.keys import organization_key, subject_key_aad

# Worker-local: one process, one cache. Bounded so that many organizations cannot exhaust it.
_CACHE: OrderedDict[tuple, tuple[int, Gallery]] = OrderedDict()
_CACHE_SIZE = 32


def gallery_bump(*, organization_id: int, purpose_ids) -> None:
    """Increase the version of each (organization, purpose) gallery, in the caller's transaction."""
    for purpose_id in sorted(set(purpose_ids)):
        GalleryVersion.objects.get_or_create(organization_id=organization_id, purpose_id=purpose_id)
        GalleryVersion.objects.filter(
            organization_id=organization_id, purpose_id=purpose_id
        ).update(version=F("version") + 1)


def gallery_version(*, organization_id: int, purpose_id: int) -> int:
    """Return the gallery's current version (0 before anything was enrolled)."""
    row = GalleryVersion.objects.filter(
        organization_id=organization_id, purpose_id=purpose_id
    ).first()
    return row.version if row else 0


def _index_threshold() -> int:
    return int(getattr(settings, "RECOGNITION_INDEX_THRESHOLD", 20_000))


def _load(*, purpose, shard: int, shard_count: int) -> Gallery:
    organization = purpose.organization
    # Only subjects whose consent is active now (restricted, expired or withdrawn ones are not
    # matched even while their templates still wait for the purge, R13, R22).
    allowed = active_subject_ids_for(organization=organization, purpose=purpose)
    rows = list(
        FaceTemplate.objects.for_org(organization)
        .filter(purpose=purpose, model_version=MODEL_VERSION, subject_pseudonym__in=allowed)
        .values_list("pk", "public_id", "subject_id", "subject_pseudonym", "ciphertext")
    )
    if shard_count > 1 and rows:
        owners = shard_for(np.array([r[0] for r in rows], dtype=np.int64), shard_count)
        rows = [row for row, owner in zip(rows, owners, strict=True) if owner == shard]
    gallery = Gallery(indexed=len(rows) >= _index_threshold())
    if not rows:
        return gallery
    _row, org_key = organization_key(organization_id=organization.pk)
    wrapped = dict(
        SubjectKey.objects.filter(
            subject_id__in={r[2] for r in rows}, wrapped__isnull=False
        ).values_list("subject_id", "wrapped")
    )
    labels, vectors, subjects = [], [], []
    data_keys: dict[int, bytes] = {}
    for pk, public_id, subject_id, pseudonym, ciphertext in rows:
        if subject_id not in wrapped:
            continue  # key destroyed: crypto-shredded, whatever row is left
        if subject_id not in data_keys:
            data_keys[subject_id] = crypto.unwrap_key(
                org_key, bytes(wrapped[subject_id]), aad=subject_key_aad(organization.pk, pseudonym)
            )
        vectors.append(
            crypto.decrypt_template(
                data_keys[subject_id],
                bytes(ciphertext),
                aad=template_aad(organization.pk, public_id, pseudonym),
            )
        )
        labels.append(pk)
        subjects.append(str(pseudonym))
    if labels:
        gallery.add_many(labels, np.stack(vectors), subjects)
    return gallery


def template_aad(organization_id: int, template_public_id, pseudonym) -> bytes:
    """Bind a template's ciphertext to its row and subject: copied elsewhere, it fails."""
    return crypto.owner_aad(
        org=organization_id,
        template=str(template_public_id),
        subject=str(pseudonym),
        kind="template",
    )


def gallery_for(*, purpose, shard: int = 0, shard_count: int = 1) -> tuple[int, Gallery]:
    """Return (version, gallery shard) for the purpose, from this worker's cache when current.

    The version is read before the templates, so a change committed in between makes the next
    call rebuild rather than leaving a stale gallery cached under the new version.
    """
    version = gallery_version(organization_id=purpose.organization_id, purpose_id=purpose.pk)
    key = (purpose.organization_id, purpose.pk, shard, shard_count)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == version:
        _CACHE.move_to_end(key)
        return cached
    gallery = _load(purpose=purpose, shard=shard, shard_count=shard_count)
    _CACHE[key] = (version, gallery)
    _CACHE.move_to_end(key)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return version, gallery


def gallery_cache_clear() -> None:
    """Forget every cached gallery of this process (tests, and key rotation in a worker)."""
    _CACHE.clear()
