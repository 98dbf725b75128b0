"""Issue 5 (P1): enrollments and withdrawals reach the next probe without a gallery rebuild."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from consent.services import consent_restore, consent_restrict
from recognition.matching import shard_for
from recognition.models import GalleryChange, GalleryVersion
from recognition.services import galleries
from recognition.services.galleries import gallery_cache_clear, gallery_changes_prune, gallery_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """Count full gallery builds (each decrypts every template and may build the index)."""
    calls = []
    real = galleries._load

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(galleries, "_load", counted)
    return calls


def _vectors(count: int, seed: int = 5) -> np.ndarray:
    # Distinct people sit ~1.6 apart, far beyond the 0.6 match threshold.
    return np.random.default_rng(seed).normal(0.0, 0.1, (count, 128)).astype(np.float32)


def _best(purpose, vector, **kwargs):
    found = gallery_for(purpose=purpose, **kwargs)[1].search(vector, k=1, max_distance=0.6)[0]
    return found[0].label if found else None


def test_p1_enrollment_is_found_by_the_next_search_without_rebuild(rec, enroll, builds):
    a, b = _vectors(2)
    _s, _c, first = enroll(a)
    assert _best(rec.purpose, a) == first
    assert len(builds) == 1

    _s, _c, second = enroll(b)

    assert _best(rec.purpose, b) == second
    assert _best(rec.purpose, a) == first
    assert len(builds) == 1
    assert GalleryChange.objects.filter(template_id=second, op="add").count() == 1


def test_p1_withdrawal_leaves_the_next_search_without_rebuild(rec, enroll, builds, run_on_commit):
    a, b = _vectors(2)
    _s, consent, first = enroll(a)
    _s, _c, second = enroll(b)
    assert _best(rec.purpose, a) == first

    run_on_commit(lambda: rec.withdraw(consent))

    assert _best(rec.purpose, a) is None
    assert _best(rec.purpose, b) == second
    assert len(builds) == 1
    assert GalleryChange.objects.filter(template_id=first, op="remove").exists()


def test_r22_restriction_removes_and_restore_adds_back_without_rebuild(
    rec, enroll, builds, run_on_commit
):
    (a,) = _vectors(1)
    _s, consent, label = enroll(a)
    assert _best(rec.purpose, a) == label

    run_on_commit(lambda: consent_restrict(consent=consent, actor=rec.actor, reason="hold"))
    assert _best(rec.purpose, a) is None

    consent.refresh_from_db()
    run_on_commit(lambda: consent_restore(consent=consent, actor=rec.actor, reason="lifted"))
    assert _best(rec.purpose, a) == label
    assert len(builds) == 1


def test_r13_logged_addition_of_a_subject_without_active_consent_is_not_applied(
    rec, enroll, builds
):
    a, b = _vectors(2)
    enroll(a)
    assert len(gallery_for(purpose=rec.purpose)[1]) == 1
    _s, consent, label = enroll(b)
    # Restricted after the enrollment logged its addition, before any worker replayed it; the
    # handler that would log the removal has not run (it runs after commit).
    consent_restrict(consent=consent, actor=rec.actor, reason="hold")

    _version, gallery = gallery_for(purpose=rec.purpose)

    assert label not in gallery
    assert len(builds) == 1


def test_gap_longer_than_the_max_delta_rebuilds(rec, enroll, builds, settings):
    settings.RECOGNITION_GALLERY_MAX_DELTA = 2
    vectors = _vectors(4)
    enroll(vectors[0])
    gallery_for(purpose=rec.purpose)
    enroll(vectors[1])
    enroll(vectors[2])
    assert len(gallery_for(purpose=rec.purpose)[1]) == 3
    assert len(builds) == 1  # two changes: replayed

    enroll(vectors[3])
    enroll(vectors[0] + 1.0)
    enroll(vectors[1] + 1.0)
    assert len(gallery_for(purpose=rec.purpose)[1]) == 6
    assert len(builds) == 2  # three changes: rebuilt


def test_pruned_log_makes_an_older_cache_rebuild(rec, enroll, builds):
    a, b = _vectors(2)
    enroll(a)
    gallery_for(purpose=rec.purpose)
    _s, _c, label = enroll(b)

    deleted = gallery_changes_prune(now=timezone.now() + timedelta(days=30))

    assert deleted == 2
    row = GalleryVersion.objects.get(purpose=rec.purpose)
    assert row.log_floor == row.version
    assert _best(rec.purpose, b) == label
    assert len(builds) == 2


def test_prune_keeps_changes_younger_than_the_retention(rec, enroll, settings):
    settings.RECOGNITION_GALLERY_CHANGE_RETENTION_DAYS = 7
    enroll(_vectors(1)[0])
    assert gallery_changes_prune(now=timezone.now() + timedelta(days=6)) == 0
    assert GalleryVersion.objects.get(purpose=rec.purpose).log_floor == 0


def test_shards_receive_only_their_labels(rec, enroll, builds, run_on_commit):
    vectors = _vectors(12)
    first = [enroll(vector)[2] for vector in vectors[:4]]
    for shard in range(3):
        gallery_for(purpose=rec.purpose, shard=shard, shard_count=3)
    added = [enroll(vector) for vector in vectors[4:]]
    run_on_commit(lambda: rec.withdraw(added[0][1]))

    held = []
    for shard in range(3):
        gallery = gallery_for(purpose=rec.purpose, shard=shard, shard_count=3)[1]
        labels = gallery.labels().tolist()
        assert all(shard_for(label, 3) == shard for label in labels)
        held.extend(labels)
    assert sorted(held) == sorted(first + [label for _s, _c, label in added[1:]])
    assert len(builds) == 3


def test_incremental_results_equal_a_fresh_rebuild(rec, enroll, builds, settings, run_on_commit):
    # Indexed from 50 templates on, so the HNSW index is updated one label at a time too.
    settings.RECOGNITION_INDEX_THRESHOLD = 50
    vectors = _vectors(240, seed=11)
    enrolled = [enroll(vector) for vector in vectors[:120]]
    assert gallery_for(purpose=rec.purpose)[1].indexed
    for shard in range(2):
        gallery_for(purpose=rec.purpose, shard=shard, shard_count=2)

    enrolled += [enroll(vector) for vector in vectors[120:]]
    for _subject, consent, _label in enrolled[::12]:
        run_on_commit(lambda consent=consent: rec.withdraw(consent))
    restricted = [c for _s, c, _l in enrolled[5::15]]
    for consent in restricted:
        run_on_commit(
            lambda consent=consent: consent_restrict(consent=consent, actor=rec.actor, reason="x")
        )
    for consent in restricted[::2]:
        consent.refresh_from_db()
        run_on_commit(
            lambda consent=consent: consent_restore(consent=consent, actor=rec.actor, reason="y")
        )
    assert len(builds) == 3

    probes = vectors + np.random.default_rng(3).normal(0, 0.01, vectors.shape).astype(np.float32)
    incremental = gallery_for(purpose=rec.purpose)[1]
    shards = [gallery_for(purpose=rec.purpose, shard=s, shard_count=2)[1] for s in range(2)]
    assert len(builds) == 3
    gallery_cache_clear()
    fresh = gallery_for(purpose=rec.purpose)[1]
    assert len(builds) == 4

    assert sorted(incremental.labels().tolist()) == sorted(fresh.labels().tolist())
    assert sorted(np.concatenate([s.labels() for s in shards]).tolist()) == sorted(
        fresh.labels().tolist()
    )
    for exact in (True, False):
        assert incremental.search(probes, k=3, exact=exact, max_distance=0.6) == fresh.search(
            probes, k=3, exact=exact, max_distance=0.6
        )
    # Withdrawn (purged) and still-restricted subjects are in neither.
    assert 100 < len(fresh) < 240


def test_r11_reconsent_on_a_new_purpose_version_adds_the_stored_template_back(
    rec, enroll, builds, run_on_commit
):
    from consent.services.transitions import consents_require_reconsent
    from tests.factories import PublishedNoticeFactory, PurposeVersionFactory

    (a,) = _vectors(1)
    subject, consent, label = enroll(a)
    assert _best(rec.purpose, a) == label
    old = rec.purpose.current_version_id
    new = PurposeVersionFactory(purpose=rec.purpose, version=2)
    rec.purpose.current_version = new
    rec.purpose.save(update_fields=["current_version"])
    run_on_commit(
        lambda: consents_require_reconsent(
            organization_id=rec.org.pk, old_version_ids=[old], actor=rec.actor
        )
    )
    assert _best(rec.purpose, a) is None  # kept in storage (R11), out of matching

    notice = PublishedNoticeFactory(purpose_version=new, organization=rec.org, language="en")
    run_on_commit(lambda: rec.consent(subject, notice=notice))

    assert _best(rec.purpose, a) == label
    assert len(builds) == 1


def test_pipl_47_erasure_removes_from_the_next_search_and_unnames_the_log(
    rec, enroll, builds, run_on_commit
):
    from recognition.services.templates import subject_biometrics_erase

    a, b = _vectors(2)
    subject, _consent, label = enroll(a)
    enroll(b)
    assert _best(rec.purpose, a) == label

    run_on_commit(
        lambda: subject_biometrics_erase(
            organization=rec.org, subject=subject, actor=rec.actor, reason="subject_erasure"
        )
    )

    assert _best(rec.purpose, a) is None
    assert len(builds) == 1
    assert not GalleryChange.objects.filter(subject_pseudonym=subject.pseudonym).exists()
    assert GalleryChange.objects.filter(template_id=label, op="remove").exists()
