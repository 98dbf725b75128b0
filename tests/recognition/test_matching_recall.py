"""Leave-one-out recall of the index against exact search (recognition/matching/recall.py)."""

import numpy as np
import pytest

from recognition.matching import Gallery, IndexConfig
from recognition.matching.recall import leave_one_out_recall

SIZE = 3_000


def _gallery(config: IndexConfig) -> Gallery:
    vectors = np.random.default_rng(11).normal(0.0, 0.1, (SIZE, 128)).astype(np.float32)
    gallery = Gallery(config=config)
    gallery.add_many(np.arange(SIZE), vectors)
    return gallery


def test_a_sound_index_finds_what_exact_search_finds_and_keeps_its_breadth():
    gallery = _gallery(IndexConfig(expansion_search=48))
    results = leave_one_out_recall(gallery, expansion_search=[256, 512], sample=300)
    assert [r.expansion_search for r in results] == [256, 512]
    assert all(r.sample == 300 for r in results)
    assert all(r.recall_at_1 >= 0.98 for r in results)
    assert all(r.median_ms > 0 for r in results)
    assert gallery.config.expansion_search == 48


def test_a_starved_index_is_reported_as_missing_neighbours():
    # A graph of two links per node searched one node wide misses most true neighbours on
    # 128-d noise: the check must say so rather than echo the index's own answers.
    gallery = _gallery(IndexConfig(connectivity=2, expansion_add=2, expansion_search=1, rerank=1))
    (result,) = leave_one_out_recall(gallery, expansion_search=[1], sample=300)
    assert result.recall_at_1 < 0.5


def test_a_template_is_never_its_own_nearest_other():
    gallery = Gallery()
    gallery.add_many([1, 2], np.stack([np.zeros(128), np.full(128, 0.01)]).astype(np.float32))
    (result,) = leave_one_out_recall(gallery, expansion_search=[16], sample=10)
    assert result.sample == 2
    assert result.recall_at_1 == 1.0


def test_an_exact_gallery_or_a_single_template_cannot_be_checked():
    exact = Gallery(indexed=False)
    exact.add_many([1, 2], np.zeros((2, 128), dtype=np.float32))
    with pytest.raises(ValueError, match="no index"):
        leave_one_out_recall(exact, expansion_search=[64])
    single = Gallery()
    single.add(1, np.zeros(128, dtype=np.float32))
    with pytest.raises(ValueError, match="at least two"):
        leave_one_out_recall(single, expansion_search=[64])
