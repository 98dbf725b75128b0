"""How often the HNSW index finds what exact search finds, measured on a gallery's own templates.

The benchmark's recall comes from synthetic vectors; a real gallery may be easier or harder (the
shape that decides it is the local intrinsic dimension, bench/synthetic_faces.py). Probe photos
are deleted after each job, so the check holds some templates out: it indexes the others and
asks, for each held-out template, whether the index's nearest template is exact search's. A
template the index already holds would not do: its own node links straight to its nearest
neighbours, so the answer is almost always right (measured: 100% where fresh probes got 99%).
A held-out template is the question a probe poses, a face the graph has not seen.
"""

import statistics
import time
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from recognition.matching.gallery import Gallery, IndexConfig


class IndexRecall(NamedTuple):
    expansion_search: int
    sample: int
    recall_at_1: float
    median_ms: float


def held_out_recall(
    labels,
    vectors: np.ndarray,
    *,
    expansion_search: Sequence[int],
    sample: int = 1000,
    seed: int = 0,
    config: IndexConfig | None = None,
    threads: int | None = None,
) -> list[IndexRecall]:
    """Index all templates but the held-out ones; return recall@1 against exact search per breadth.

    Each breadth gets its own held-out templates (searched before, they would answer from warm
    caches), up to `sample` each, searched once, one at a time; the median time is that of one
    indexed search. `threads` is for building the index only.
    """
    labels = np.asarray(labels, dtype=np.int64)
    breadths = list(expansion_search)
    per_breadth = min(sample, (len(labels) - 1) // (len(breadths) + 1))
    if not breadths or per_breadth < 1:
        raise ValueError(
            f"{len(labels)} template(s) are too few to hold some out for "
            f"{len(breadths)} search breadth(s)"
        )
    order = np.random.default_rng(seed).permutation(len(labels))
    held = order[: per_breadth * len(breadths)].reshape(len(breadths), per_breadth)
    kept = order[per_breadth * len(breadths) :]
    gallery = Gallery(indexed=True, config=config)
    gallery.add_many(labels[kept], vectors[kept], threads=threads)
    results = []
    for breadth, rows in zip(breadths, held, strict=True):
        queries = vectors[rows]
        expected = [found[0].label for found in gallery.search(queries, 1, exact=True)]
        gallery.set_expansion_search(breadth)
        hits, times = 0, []
        for query, label in zip(queries, expected, strict=True):
            start = time.perf_counter()
            found = gallery.search(query, 1)[0]
            times.append((time.perf_counter() - start) * 1000)
            hits += bool(found) and found[0].label == label
        results.append(
            IndexRecall(
                expansion_search=breadth,
                sample=per_breadth,
                recall_at_1=hits / per_breadth,
                median_ms=statistics.median(times),
            )
        )
    return results
