"""How often the HNSW index finds what exact search finds, measured on a gallery's own templates.

The benchmark's recall comes from synthetic vectors; a real gallery may be easier or harder (the
shape that decides it is the local intrinsic dimension, bench/synthetic_faces.py). Probe photos
are deleted after each job, so the check asks with the templates themselves: for each sampled
template, is the nearest *other* template the index returns the one exact search returns? That
question is harder than a real probe's (a probe has its own person's template about 0.35 away,
a template's nearest other is a stranger or a second photo), so on the synthetic galleries this
figure is at or below the probe recall (docs/benchmarks.md): a floor for the real one.
"""

import statistics
import time
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from recognition.matching.gallery import Gallery


class IndexRecall(NamedTuple):
    expansion_search: int
    sample: int
    recall_at_1: float
    median_ms: float


def _nearest_other(candidates, own: int) -> int | None:
    return next((c.label for c in candidates if c.label != own), None)


def leave_one_out_recall(
    gallery: Gallery, *, expansion_search: Sequence[int], sample: int = 1000, seed: int = 0
) -> list[IndexRecall]:
    """Return the index's recall@1 against exact search at each search breadth.

    Each breadth gets its own sample of templates, each searched once, one at a time (the
    median time is that of one indexed search on this machine). The gallery's own search
    breadth is left as it was.
    """
    if not gallery.indexed:
        raise ValueError("the gallery has no index to check: it is always searched exactly")
    labels = gallery.labels()
    if len(labels) < 2:
        raise ValueError("a gallery needs at least two templates to check its index")
    rng = np.random.default_rng(seed)
    before = gallery.config.expansion_search
    results = []
    try:
        for breadth in expansion_search:
            # A new sample per breadth: templates searched before would answer from warm caches.
            chosen = rng.choice(labels, min(sample, len(labels)), replace=False)
            queries = np.stack([gallery.vector(int(label)) for label in chosen])
            exact = gallery.search(queries, 2, exact=True)
            gallery.set_expansion_search(breadth)
            hits, times = 0, []
            for query, label, reference in zip(queries, chosen, exact, strict=True):
                start = time.perf_counter()
                found = gallery.search(query, 2)[0]
                times.append((time.perf_counter() - start) * 1000)
                hits += _nearest_other(found, int(label)) == _nearest_other(reference, int(label))
            results.append(
                IndexRecall(
                    expansion_search=breadth,
                    sample=len(chosen),
                    recall_at_1=hits / len(chosen),
                    median_ms=statistics.median(times),
                )
            )
    finally:
        gallery.set_expansion_search(before)
    return results
