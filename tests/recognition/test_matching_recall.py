"""Held-out recall of the index against exact search (recognition/matching/recall.py)."""

import numpy as np
import pytest

from recognition.matching import IndexConfig
from recognition.matching.recall import held_out_recall

SIZE = 3_000


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return np.random.default_rng(11).normal(0.0, 0.1, (SIZE, 128)).astype(np.float32)


def test_a_sound_index_finds_what_exact_search_finds(vectors):
    results = held_out_recall(
        np.arange(SIZE), vectors, expansion_search=[256, 512], sample=300, threads=2
    )
    assert [r.expansion_search for r in results] == [256, 512]
    assert all(r.sample == 300 for r in results)
    assert all(r.recall_at_1 >= 0.97 for r in results)
    assert all(r.median_ms > 0 for r in results)


def test_a_starved_index_is_reported_as_missing_neighbours(vectors):
    # Two links per node searched one node wide miss most true neighbours on 128-d noise: the
    # check must say so rather than echo the index's own answers.
    starved = IndexConfig(connectivity=2, expansion_add=2, rerank=1)
    (result,) = held_out_recall(
        np.arange(SIZE), vectors, expansion_search=[1], sample=300, config=starved
    )
    assert result.recall_at_1 < 0.5


def test_held_out_templates_are_not_in_the_index_they_query():
    # Two far-apart pairs: held out, each template's answer is its partner, never itself.
    pair = np.zeros((4, 128), dtype=np.float32)
    pair[2:] += 5.0
    pair[1] += 0.01
    pair[3] += 0.01
    (result,) = held_out_recall([10, 11, 12, 13], pair, expansion_search=[16], sample=5)
    assert result.sample == 1
    assert result.recall_at_1 == 1.0


def test_too_few_templates_for_the_breadths_asked_are_refused():
    with pytest.raises(ValueError, match="2 template\\(s\\) are too few"):
        held_out_recall([1, 2], np.zeros((2, 128), dtype=np.float32), expansion_search=[8])
    with pytest.raises(ValueError, match="too few"):
        held_out_recall(range(5), np.zeros((5, 128), dtype=np.float32), expansion_search=[])
