"""Gallery search: exact, indexed and sharded (recognition/matching)."""

import json

import numpy as np
import pytest

from recognition.matching import (
    MATCH_THRESHOLD,
    Candidate,
    Gallery,
    ShardedGallery,
    merge_candidates,
    shard_for,
)

SIZE = 5_000


def _clustered(rng: np.random.Generator, n: int) -> np.ndarray:
    """Face-encoding-like vectors: norm about 1.4, neighbours inside clusters."""
    centres = rng.normal(0, 0.1, (64, 128)) + 0.1
    return (centres[rng.integers(0, 64, n)] + rng.normal(0, 0.04, (n, 128))).astype(np.float32)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    vectors = _clustered(rng, SIZE)
    mated = vectors[:450] + rng.normal(0, 0.02, (450, 128)).astype(np.float32)
    probes = np.concatenate([mated, _clustered(rng, 50)])
    return vectors, probes


@pytest.fixture(scope="module")
def gallery(data) -> Gallery:
    vectors, _ = data
    built = Gallery()
    built.add_many(np.arange(SIZE), vectors, [f"subject-{i}" for i in range(SIZE)])
    return built


def _top1(results) -> list[int]:
    return [r[0].label for r in results]


def test_exact_search_returns_nearest_templates_by_euclidean_distance(data, gallery):
    vectors, probes = data
    truth = np.linalg.norm(vectors[None, :, :] - probes[:20, None, :], axis=2)

    results = gallery.search(probes[:20], k=3, exact=True)

    for row, candidates in zip(truth, results, strict=True):
        assert [c.label for c in candidates] == np.argsort(row)[:3].tolist()
        assert [c.distance for c in candidates] == pytest.approx(np.sort(row)[:3], abs=1e-5)


def test_index_recall_matches_exact_search(data, gallery):
    _, probes = data

    indexed = _top1(gallery.search(probes))
    exact = _top1(gallery.search(probes, exact=True))

    recall = np.mean(np.array(indexed) == np.array(exact))
    assert recall >= 0.99


def test_indexed_hits_carry_exact_distances_and_subjects(data, gallery):
    vectors, probes = data

    (best,) = gallery.search(probes[0], k=1)[0]

    assert best == Candidate(
        0, pytest.approx(float(np.linalg.norm(vectors[0] - probes[0]))), "subject-0"
    )


def test_added_template_is_returned_by_next_search():
    rng = np.random.default_rng(1)
    gallery = Gallery()
    gallery.add_many(np.arange(500), _clustered(rng, 500))
    newcomer = _clustered(rng, 1)[0]

    gallery.add(9_999, newcomer, subject="new")

    assert gallery.search(newcomer)[0][0] == Candidate(9_999, 0.0, "new")


def test_removed_template_is_not_returned_by_next_search(data):
    vectors, probes = data
    gallery = Gallery()
    gallery.add_many(np.arange(1_000), vectors[:1_000])
    assert gallery.search(probes[3])[0][0].label == 3

    assert gallery.remove(3) is True

    for exact in (False, True):
        assert 3 not in [c.label for c in gallery.search(probes[3], k=10, exact=exact)[0]]
    assert 3 not in gallery


def test_label_removed_then_added_again_is_found_with_its_new_vector(data):
    vectors, _ = data
    gallery = Gallery()
    gallery.add_many(np.arange(200), vectors[:200])

    gallery.remove(7)
    gallery.add(7, vectors[500], subject="again")

    assert gallery.search(vectors[500])[0][0] == Candidate(7, 0.0, "again")
    assert np.array_equal(gallery.vector(7), vectors[500])


def test_removal_keeps_every_other_template_findable_with_its_subject(data):
    vectors, _ = data
    gallery = Gallery()
    gallery.add_many(np.arange(100), vectors[:100], [f"s{i}" for i in range(100)])

    gallery.remove(10)
    gallery.remove(99)

    for label in set(range(100)) - {10, 99}:
        best = gallery.search(vectors[label], exact=True)[0][0]
        assert (best.label, best.subject) == (label, f"s{label}")


def test_removing_unknown_label_reports_false_and_keeps_version():
    gallery = Gallery()
    gallery.add(1, np.zeros(128))
    version = gallery.version

    assert gallery.remove(2) is False
    assert gallery.version == version


def test_duplicate_label_is_refused():
    gallery = Gallery()
    gallery.add(1, np.zeros(128))

    with pytest.raises(ValueError, match="duplicate"):
        gallery.add(1, np.ones(128))


def test_malformed_vectors_are_refused():
    gallery = Gallery()

    with pytest.raises(ValueError, match="shape"):
        gallery.add(1, np.zeros(64))
    with pytest.raises(ValueError, match="finite"):
        gallery.add(1, np.full(128, np.inf))


def test_version_increases_with_every_change():
    gallery = Gallery()
    versions = [gallery.version]
    gallery.add(1, np.zeros(128))
    versions.append(gallery.version)
    gallery.add_many([2, 3], np.ones((2, 128)))
    versions.append(gallery.version)
    gallery.remove(1)
    versions.append(gallery.version)

    assert versions == sorted(set(versions))


def test_max_distance_drops_candidates_beyond_the_threshold():
    gallery = Gallery()
    gallery.add(1, np.zeros(128))
    far = np.full(128, 0.1)  # 1.13 away

    assert gallery.search(far, max_distance=MATCH_THRESHOLD) == [[]]
    assert gallery.search(far)[0][0].label == 1


def test_empty_gallery_returns_no_candidates():
    assert Gallery().search(np.zeros((2, 128)), k=3) == [[], []]


def test_saved_gallery_loads_with_same_results_and_version(tmp_path, data, gallery):
    _, probes = data
    path = tmp_path / "gallery.npz"

    gallery.save(path)
    loaded = Gallery.load(path)

    assert loaded.version == gallery.version
    assert len(loaded) == len(gallery)
    assert loaded.search(probes[:50], k=2) == gallery.search(probes[:50], k=2)
    loaded.remove(0)
    assert 0 not in _top1(loaded.search(probes[:1]))


def test_two_shards_return_same_best_match_as_one_gallery(data, gallery):
    vectors, probes = data
    sharded = ShardedGallery(2)
    sharded.add_many(np.arange(SIZE), vectors, [f"subject-{i}" for i in range(SIZE)])

    assert all(len(shard) > 0.4 * SIZE for shard in sharded.shards)
    assert sharded.search(probes, k=3, exact=True) == gallery.search(probes, k=3, exact=True)
    agreement = np.mean(np.array(_top1(sharded.search(probes))) == _top1(gallery.search(probes)))
    assert agreement >= 0.99


def test_shard_results_survive_json_and_merge_like_one_search(data, gallery):
    vectors, probes = data
    sharded = ShardedGallery(3, indexed=False)
    sharded.add_many(np.arange(SIZE), vectors, [f"subject-{i}" for i in range(SIZE)])

    # What a Celery group would carry back from one task per shard.
    over_the_wire = [json.loads(json.dumps(s.search(probes[:10], k=4))) for s in sharded.shards]

    assert merge_candidates(over_the_wire, k=4) == gallery.search(probes[:10], k=4, exact=True)


def test_sharded_gallery_routes_adds_and_removes_by_label():
    sharded = ShardedGallery(4, indexed=False)
    sharded.add(42, np.zeros(128), subject="s")

    assert 42 in sharded
    assert 42 in sharded.shards[shard_for(42, 4)]
    assert sharded.remove(42) is True
    assert len(sharded) == 0


def test_shard_assignment_is_stable_and_balanced():
    owners = shard_for(np.arange(100_000), 4)

    assert shard_for(12345, 4) == shard_for(12345, 4) == int(owners[12345])
    assert np.bincount(owners).min() > 24_000
