"""Galleries per (organization, purpose): versioned in the database, cached in worker memory.

A worker holds decrypted templates only in its own memory, keyed by (organization, purpose,
shard). Every enrollment, purge, restriction, restore and erasure bumps the gallery's version
through ``gallery_bump`` and, in the same transaction, logs which templates entered or left
(``GalleryChange``). A worker whose cached gallery is behind replays the log instead of
rebuilding (issue 5, P1): it decrypts only the added templates and removes labels, so a change is
visible to the very next probe. It rebuilds only when nothing is cached, when the log has been
pruned past its version, or when more than RECOGNITION_GALLERY_MAX_DELTA changes are pending.
Small galleries are scanned exactly; from RECOGNITION_INDEX_THRESHOLD templates on, the usearch
HNSW index is built.
"""

from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.utils import timezone

from consent.models import Consent
from consent.selectors import active_subject_ids_for
from recognition import crypto
from recognition.engine import MODEL_VERSION
from recognition.matching import Gallery, IndexConfig, shard_for
from recognition.models import FaceTemplate, GalleryChange, GalleryVersion, SubjectKey
from recognition.services.keys import organization_key, subject_key_aad

# Worker-local: one process, one cache. Bounded so that many organizations cannot exhaust it.
_CACHE: OrderedDict[tuple, tuple[int, Gallery]] = OrderedDict()
_CACHE_SIZE = 32

ADD = GalleryChange.Op.ADD
REMOVE = GalleryChange.Op.REMOVE


@dataclass(frozen=True)
class GalleryChangeSpec:
    """One template entering (``ADD``) or leaving (``REMOVE``) one purpose's gallery."""

    purpose_id: int
    op: str
    template_id: int
    subject_pseudonym: object = None


def gallery_bump(*, organization_id: int, changes: Iterable[GalleryChangeSpec]) -> dict[int, int]:
    """Log ``changes`` and bump each touched gallery's version, in the caller's transaction.

    The only place versions move, so no version exists without its log. Return the new version
    per purpose. Galleries without a change keep their version.
    """
    by_purpose: dict[int, list[GalleryChangeSpec]] = defaultdict(list)
    for change in changes:
        by_purpose[change.purpose_id].append(change)
    versions = {}
    with transaction.atomic():
        # Purposes in a stable order: two transactions bumping the same galleries queue on the
        # row locks instead of deadlocking. The lock also makes versions commit in order, so a
        # worker that sees version v sees every change up to v.
        for purpose_id in sorted(by_purpose):
            GalleryVersion.objects.get_or_create(
                organization_id=organization_id, purpose_id=purpose_id
            )
            row = GalleryVersion.objects.select_for_update().get(
                organization_id=organization_id, purpose_id=purpose_id
            )
            row.version += 1
            row.save(update_fields=["version", "updated_at"])
            GalleryChange.objects.bulk_create(
                GalleryChange(
                    organization_id=organization_id,
                    purpose_id=purpose_id,
                    version=row.version,
                    op=c.op,
                    template_id=c.template_id,
                    subject_pseudonym=c.subject_pseudonym,
                )
                for c in by_purpose[purpose_id]
            )
            versions[purpose_id] = row.version
    return versions


def gallery_subject_changes(*, subject_ids, purpose_ids=None) -> list[GalleryChangeSpec]:
    """Return what the subjects' stored templates should now be: in the gallery, or out.

    A template goes in only while its subject holds an active consent for the purpose's current
    version (the same rule as a full load, R13, R22); otherwise it goes out. Used after a
    restriction, a restore, a re-consent or a consent's end.
    """
    templates = FaceTemplate.objects.filter(subject_id__in=subject_ids)
    if purpose_ids is not None:
        templates = templates.filter(purpose_id__in=purpose_ids)
    rows = list(templates.values_list("pk", "subject_id", "subject_pseudonym", "purpose_id"))
    if not rows:
        return []
    active = set(
        Consent.objects.usable()
        .filter(subject_id__in={r[1] for r in rows}, purpose_id__in={r[3] for r in rows})
        .values_list("subject_id", "purpose_id")
    )
    return [
        GalleryChangeSpec(purpose_id, ADD if (subject_id, purpose_id) in active else REMOVE, pk, p)
        for pk, subject_id, p, purpose_id in rows
    ]


def gallery_subject_forget(*, organization_id: int, subject_pseudonym) -> int:
    """Blank the subject's pseudonym in the change log (erasure); return the rows touched.

    The rows themselves stay: a worker still needs their removals.
    """
    return GalleryChange.objects.filter(
        organization_id=organization_id, subject_pseudonym=subject_pseudonym
    ).update(subject_pseudonym=None)


def gallery_changes_prune(*, now=None) -> int:
    """Delete change-log rows older than RECOGNITION_GALLERY_CHANGE_RETENTION_DAYS; return how many.

    Each gallery's log floor is raised first, in the same transaction, so a worker cached at a
    pruned version rebuilds rather than replaying an incomplete log.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=_setting("RECOGNITION_GALLERY_CHANGE_RETENTION_DAYS", 7))
    floors = (
        GalleryChange.objects.filter(created_at__lt=cutoff)
        .values("organization_id", "purpose_id")
        .annotate(floor=Max("version"))
    )
    deleted = 0
    for row in floors:
        with transaction.atomic():
            GalleryVersion.objects.filter(
                organization_id=row["organization_id"], purpose_id=row["purpose_id"]
            ).update(log_floor=Greatest(F("log_floor"), row["floor"]))
            deleted += GalleryChange.objects.filter(
                organization_id=row["organization_id"],
                purpose_id=row["purpose_id"],
                version__lte=row["floor"],
            ).delete()[0]
    return deleted


def gallery_version(*, organization_id: int, purpose_id: int) -> int:
    """Return the gallery's current version (0 before anything was enrolled)."""
    row = GalleryVersion.objects.filter(
        organization_id=organization_id, purpose_id=purpose_id
    ).first()
    return row.version if row else 0


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _index_threshold() -> int:
    return _setting("RECOGNITION_INDEX_THRESHOLD", 20_000)


def _decrypted(organization_id: int, rows) -> tuple[list[int], list[np.ndarray], list[str]]:
    """Decrypt (pk, public_id, subject_id, pseudonym, ciphertext) rows; skip shredded subjects."""
    labels, vectors, subjects = [], [], []
    if not rows:
        return labels, vectors, subjects
    _row, org_key = organization_key(organization_id=organization_id)
    wrapped = dict(
        SubjectKey.objects.filter(
            subject_id__in={r[2] for r in rows}, wrapped__isnull=False
        ).values_list("subject_id", "wrapped")
    )
    data_keys: dict[int, bytes] = {}
    for pk, public_id, subject_id, pseudonym, ciphertext in rows:
        if subject_id not in wrapped:
            continue  # key destroyed: crypto-shredded, whatever row is left
        if subject_id not in data_keys:
            data_keys[subject_id] = crypto.unwrap_key(
                org_key, bytes(wrapped[subject_id]), aad=subject_key_aad(organization_id, pseudonym)
            )
        vectors.append(
            crypto.decrypt_template(
                data_keys[subject_id],
                bytes(ciphertext),
                aad=template_aad(organization_id, public_id, pseudonym),
            )
        )
        labels.append(pk)
        subjects.append(str(pseudonym))
    return labels, vectors, subjects


def _template_rows(templates):
    return list(
        templates.filter(model_version=MODEL_VERSION).values_list(
            "pk", "public_id", "subject_id", "subject_pseudonym", "ciphertext"
        )
    )


def _index_config() -> IndexConfig:
    # Search breadth is the one knob an operator tunes (manage.py check_gallery_index measures
    # recall against it on the real gallery); the graph's shape stays the tested default.
    return IndexConfig(
        expansion_search=_setting(
            "RECOGNITION_INDEX_EXPANSION_SEARCH", IndexConfig.expansion_search
        )
    )


def _load(*, purpose, shard: int, shard_count: int, indexed: bool | None = None) -> Gallery:
    """Build the gallery shard from every template in it: decrypt all, index when large.

    ``indexed`` forces the index on or off; by default it is built from
    RECOGNITION_INDEX_THRESHOLD templates on.
    """
    organization = purpose.organization
    # Only subjects whose consent is active now (restricted, expired or withdrawn ones are not
    # matched even while their templates still wait for the purge, R13, R22).
    allowed = active_subject_ids_for(organization=organization, purpose=purpose)
    rows = _template_rows(
        FaceTemplate.objects.for_org(organization).filter(
            purpose=purpose, subject_pseudonym__in=allowed
        )
    )
    if shard_count > 1 and rows:
        owners = shard_for(np.array([r[0] for r in rows], dtype=np.int64), shard_count)
        rows = [row for row, owner in zip(rows, owners, strict=True) if owner == shard]
    if indexed is None:
        indexed = len(rows) >= _index_threshold()
    gallery = Gallery(indexed=indexed, config=_index_config())
    labels, vectors, subjects = _decrypted(organization.pk, rows)
    if labels:
        gallery.add_many(labels, np.stack(vectors), subjects)
    return gallery


def _apply(*, purpose, gallery: Gallery, since: int, until: int, shard: int, shard_count: int):
    """Replay the changes (since, until] onto ``gallery`` in place; return it, or None to rebuild.

    The last change of each template wins. An added template is re-read and its subject's
    consent re-checked now, exactly as a full load would (R13, R22): one that no longer passes
    is taken out instead, so the replayed gallery equals a rebuild from the current state.
    """
    limit = _setting("RECOGNITION_GALLERY_MAX_DELTA", 5000)
    changes = list(
        GalleryChange.objects.filter(
            organization_id=purpose.organization_id,
            purpose_id=purpose.pk,
            version__gt=since,
            version__lte=until,
        )
        .order_by("version", "pk")
        .values_list("op", "template_id")[: limit + 1]
    )
    # Read after the changes: a prune that committed before them shows here (a stale read of
    # the floor could only make the worker rebuild, never replay a gap).
    floor = (
        GalleryVersion.objects.filter(
            organization_id=purpose.organization_id, purpose_id=purpose.pk
        )
        .values_list("log_floor", flat=True)
        .first()
    )
    if len(changes) > limit or floor is None or since < floor:
        return None
    last_op = dict((template_id, op) for op, template_id in changes)
    if shard_count > 1 and last_op:
        labels = np.fromiter(last_op, dtype=np.int64, count=len(last_op))
        owners = shard_for(labels, shard_count)
        last_op = {int(x): last_op[int(x)] for x in labels[owners == shard]}
    to_add = [t for t, op in last_op.items() if op == ADD]
    passing: set[int] = set()
    rows = []
    if to_add:
        organization = purpose.organization
        candidates = FaceTemplate.objects.for_org(organization).filter(
            purpose=purpose, pk__in=to_add, model_version=MODEL_VERSION
        )
        found = list(candidates.values_list("pk", "subject_pseudonym"))
        allowed = set(
            Consent.objects.for_org(organization)
            .usable()
            .filter(purpose=purpose, subject_pseudonym__in={p for _pk, p in found})
            .values_list("subject_pseudonym", flat=True)
        )
        passing = {pk for pk, p in found if p in allowed}
        # Only templates not already held are decrypted.
        absent = [t for t in passing if t not in gallery]
        if absent:
            rows = _template_rows(candidates.filter(pk__in=absent))
    labels, vectors, subjects = _decrypted(purpose.organization_id, rows)
    # A shredded subject's key is gone: such a template is not kept either.
    keep = {t for t in passing if t in gallery} | set(labels)
    for template_id in last_op:
        if template_id not in keep:
            gallery.remove(template_id)
    if labels:
        gallery.add_many(labels, np.stack(vectors), subjects)
    if not gallery.indexed and len(gallery) >= _index_threshold():
        return None  # grown past the threshold: worth one build of the index
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
    """Return (version, gallery shard) for the purpose, brought current from this worker's cache.

    A cached gallery behind the database is updated in place from the change log, else
    rebuilt. In place: callers must not keep an older one around, and a worker process searches
    from one thread at a time (prefork or solo pool), as before. The version is read before the
    templates, so a change committed in between is replayed again next time rather than lost.
    """
    version = gallery_version(organization_id=purpose.organization_id, purpose_id=purpose.pk)
    key = (purpose.organization_id, purpose.pk, shard, shard_count)
    # Out of the cache while it changes: an error half-way leaves nothing stale behind.
    cached = _CACHE.pop(key, None)
    gallery = None
    if cached is not None and cached[0] == version:
        gallery = cached[1]
    elif cached is not None and cached[0] < version:
        gallery = _apply(
            purpose=purpose,
            gallery=cached[1],
            since=cached[0],
            until=version,
            shard=shard,
            shard_count=shard_count,
        )
    if gallery is None:
        gallery = _load(purpose=purpose, shard=shard, shard_count=shard_count)
    _CACHE[key] = (version, gallery)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return version, gallery


def gallery_build(*, purpose) -> Gallery:
    """Return a new gallery of the whole purpose (all shards), decrypted, unindexed, uncached.

    For checks of the index (``gallery_index_check``), which build their own: the templates are
    decrypted into this process's memory only, exactly as a worker's load does.
    """
    return _load(purpose=purpose, shard=0, shard_count=1, indexed=False)


def gallery_cache_clear() -> None:
    """Forget every cached gallery of this process (tests, and key rotation in a worker)."""
    _CACHE.clear()
