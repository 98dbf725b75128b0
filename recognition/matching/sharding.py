"""Splitting a gallery over shards that can be searched apart (one Celery task each) and merged."""

from collections.abc import Iterable, Sequence

import numpy as np

from recognition.matching.gallery import Candidate, Gallery, IndexConfig


def shard_for(labels, shard_count: int):
    """Return the shard number of each label (an int for an int), stable across processes.

    A splitmix64 mix rather than `label % n`, so labels handed out in strides still spread evenly.
    """
    # 1-d even for one label: numpy wraps uint64 arithmetic silently on arrays, warns on scalars.
    x = np.atleast_1d(np.asarray(labels, dtype=np.uint64))
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    shards = (x % np.uint64(shard_count)).astype(np.int64)
    return int(shards[0]) if np.ndim(labels) == 0 else shards


def merge_candidates(shard_results: Iterable[Sequence[Sequence]], k: int) -> list[list[Candidate]]:
    """Merge per-shard search results into the global top k per probe.

    `shard_results` holds one `Gallery.search` result per shard (lists of candidates per probe,
    as tuples or as the lists JSON turns them into). Ties break on the label, as in `Gallery`.
    """
    merged: list[list[Candidate]] | None = None
    for result in shard_results:
        if merged is None:
            merged = [[] for _ in result]
        if len(result) != len(merged):
            raise ValueError("every shard must answer the same probes")
        for pooled, candidates in zip(merged, result, strict=True):
            pooled.extend(Candidate(int(c[0]), float(c[1]), str(c[2])) for c in candidates)
    if merged is None:
        return []
    return [sorted(pooled, key=lambda c: (c.distance, c.label))[:k] for pooled in merged]


class ShardedGallery:
    """A gallery split over `shard_count` independent `Gallery` shards by label hash.

    Each shard in `shards` can be searched on its own (and in another process); `search` here does
    it in-process and merges, giving the same answer as one gallery holding every template.
    """

    def __init__(
        self, shard_count: int, *, indexed: bool = True, config: IndexConfig | None = None
    ) -> None:
        if shard_count < 1:
            raise ValueError("shard_count must be at least 1")
        self.shards = [Gallery(indexed=indexed, config=config) for _ in range(shard_count)]

    @property
    def version(self) -> int:
        """Increase with every change to any shard."""
        return sum(shard.version for shard in self.shards)

    def __len__(self) -> int:
        return sum(len(shard) for shard in self.shards)

    def __contains__(self, label: object) -> bool:
        return isinstance(label, int) and label in self.shard_of(label)

    def shard_of(self, label: int) -> Gallery:
        """Return the shard that holds (or would hold) `label`."""
        return self.shards[shard_for(label, len(self.shards))]

    def add(self, label: int, vector: np.ndarray, *, subject: str = "") -> None:
        """Add one template to its shard (same rules as `Gallery.add`)."""
        self.shard_of(label).add(label, vector, subject=subject)

    def add_many(self, labels, vectors: np.ndarray, subjects: list[str] | None = None) -> None:
        """Add templates in bulk, each to its shard."""
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        vectors = np.asarray(vectors, dtype=np.float32)
        subjects = list(subjects) if subjects is not None else [""] * len(labels)
        owners = shard_for(labels, len(self.shards))
        for number, shard in enumerate(self.shards):
            rows = np.flatnonzero(owners == number)
            shard.add_many(labels[rows], vectors[rows], [subjects[i] for i in rows])

    def remove(self, label: int) -> bool:
        """Remove one template; return False when it is not held."""
        return self.shard_of(label).remove(label)

    def search(
        self,
        probes: np.ndarray,
        k: int = 1,
        *,
        exact: bool = False,
        max_distance: float | None = None,
    ) -> list[list[Candidate]]:
        """Search every shard and merge: the same contract as `Gallery.search`."""
        return merge_candidates(
            (
                shard.search(probes, k, exact=exact, max_distance=max_distance)
                for shard in self.shards
            ),
            k,
        )
