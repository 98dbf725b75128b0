"""The gallery of enrolled templates: exact search plus an HNSW index changed one at a time."""

import io
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import BinaryIO, NamedTuple

import numpy as np
from usearch.index import Index

from recognition.matching.exact import euclidean, nearest_rows

EMBEDDING_DIM = 128
# face_recognition's default tolerance: same person below this Euclidean distance.
MATCH_THRESHOLD = 0.6
# Extra rows taken from the matrix-product scan before exact re-ranking, so float32 rounding in
# the expanded product cannot push the true nearest row out of the top k.
_EXACT_MARGIN = 8


class Candidate(NamedTuple):
    """One search hit; a plain tuple so a shard's results survive JSON (Celery) unchanged."""

    label: int
    distance: float
    subject: str


@dataclass(frozen=True)
class IndexConfig:
    """HNSW parameters. On bench/match.py's galleries these defaults give recall@1 against exact
    search at 1M of 100% on a face-like one (local dimension about 20) and 98.1% on the isotropic
    worst case (about 38); `expansion_search` trades speed for recall without a rebuild
    (`Gallery.set_expansion_search`, RECOGNITION_INDEX_EXPANSION_SEARCH, docs/benchmarks.md)."""

    # Half precision halves index memory; every hit is re-ranked on the float32 vectors.
    dtype: str = "f16"
    # A denser graph built with a wider search: on clustered face-like data, 48 and 400 lift
    # recall@1 at 1M from 94.4% (32 and 128) to 98.1% at the same search breadth, for a build
    # about four times as long (adds are one at a time in service, 4.5 ms each at 1M).
    connectivity: int = 48
    expansion_add: int = 400
    expansion_search: int = 128
    # Candidates taken from the graph per probe before exact re-ranking.
    rerank: int = 10
    # One thread per search: workers scale by process, one per core, like dlib.
    threads: int = 1


class Gallery:
    """Templates keyed by integer label (template id), each tagged with a subject pseudonym.

    `add` and `remove` change one template at a time and are visible to the very next `search`
    without any rebuild. `version` increases with every change so a cached copy can tell it is
    stale. Not thread-safe: give each worker process its own gallery.
    """

    def __init__(
        self,
        *,
        indexed: bool = True,
        config: IndexConfig | None = None,
        dim: int = EMBEDDING_DIM,
    ) -> None:
        self.dim = dim
        self.config = config or IndexConfig()
        self.indexed = indexed
        self.version = 0
        self._vectors = np.empty((0, dim), dtype=np.float32)
        self._sq_norms = np.empty(0, dtype=np.float32)
        self._labels = np.empty(0, dtype=np.int64)
        self._subjects: list[str] = []
        self._row: dict[int, int] = {}
        self._index = self._new_index() if indexed else None

    def _new_index(self) -> Index:
        c = self.config
        return Index(
            ndim=self.dim,
            metric="l2sq",
            dtype=c.dtype,
            connectivity=c.connectivity,
            expansion_add=c.expansion_add,
            expansion_search=c.expansion_search,
        )

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, label: object) -> bool:
        return label in self._row

    def labels(self) -> np.ndarray:
        """Return the labels currently held, in storage order."""
        return self._labels[: len(self)].copy()

    def vectors(self) -> np.ndarray:
        """Return a copy of the templates held, in storage order (the order of `labels`)."""
        return self._vectors[: len(self)].copy()

    def subject(self, label: int) -> str:
        """Return the subject pseudonym of a template; raise KeyError for an unknown label."""
        return self._subjects[self._row[label]]

    def vector(self, label: int) -> np.ndarray:
        """Return a copy of a template's float32 vector; raise KeyError for an unknown label."""
        return self._vectors[self._row[label]].copy()

    def add(self, label: int, vector: np.ndarray, *, subject: str = "") -> None:
        """Add one template; raise ValueError for a duplicate label or a malformed vector."""
        self.add_many([label], np.asarray(vector, dtype=np.float32)[None, :], [subject])

    def add_many(
        self,
        labels,
        vectors: np.ndarray,
        subjects: list[str] | None = None,
        *,
        threads: int | None = None,
    ) -> None:
        """Add templates in bulk (same rules as `add`); index with `threads` (default: config)."""
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        vectors = self._checked(vectors, len(labels))
        subjects = list(subjects) if subjects is not None else [""] * len(labels)
        if len(subjects) != len(labels):
            raise ValueError("one subject per label is required")
        if (labels < 0).any():
            raise ValueError("labels must be non-negative integers")
        if len(set(labels.tolist())) != len(labels) or any(int(x) in self._row for x in labels):
            raise ValueError("duplicate template label")
        if not len(labels):
            return
        start = len(self)
        self._reserve(start + len(labels))
        stop = start + len(labels)
        self._vectors[start:stop] = vectors
        self._sq_norms[start:stop] = np.einsum("ij,ij->i", vectors, vectors)
        self._labels[start:stop] = labels
        self._subjects.extend(subjects)
        self._row.update((int(x), start + i) for i, x in enumerate(labels))
        if self._index is not None:
            self._index.add(
                labels.astype(np.uint64),
                vectors,
                threads=self.config.threads if threads is None else threads,
            )
        self.version += 1

    def remove(self, label: int) -> bool:
        """Remove one template; return False when the label is not in the gallery."""
        row = self._row.pop(int(label), None)
        if row is None:
            return False
        last = len(self)  # already one less after the pop: the old last row
        if row != last:
            # Move the last template into the hole so the live rows stay contiguous for the scan.
            moved = int(self._labels[last])
            self._vectors[row] = self._vectors[last]
            self._sq_norms[row] = self._sq_norms[last]
            self._labels[row] = moved
            self._subjects[row] = self._subjects[last]
            self._row[moved] = row
        self._subjects.pop()
        if self._index is not None:
            self._index.remove(int(label))
        self.version += 1
        return True

    def search(
        self,
        probes: np.ndarray,
        k: int = 1,
        *,
        exact: bool = False,
        max_distance: float | None = None,
    ) -> list[list[Candidate]]:
        """Return, per probe, up to k candidates nearest first by Euclidean distance.

        Uses the HNSW index unless the gallery is not indexed or `exact` is set; either way the
        returned distances are exact float32 distances, so indexed results can be checked against
        exact ones. `max_distance` (e.g. MATCH_THRESHOLD) drops farther candidates.
        """
        probes = self._checked(probes, None)
        n = len(self)
        if n == 0 or k <= 0:
            return [[] for _ in range(len(probes))]
        if exact or self._index is None:
            rows_per_probe = list(
                nearest_rows(self._vectors[:n], self._sq_norms[:n], probes, k + _EXACT_MARGIN)
            )
        else:
            found = self._index.search(
                probes, count=max(k, self.config.rerank), threads=self.config.threads
            )
            # usearch answers a single probe with flat arrays and a batch with (n, count) ones.
            keys = np.atleast_2d(found.keys)
            counts = np.atleast_1d(getattr(found, "counts", keys.shape[1]))
            rows_per_probe = [
                [self._row[int(key)] for key in keys[i, : counts[i]]] for i in range(len(probes))
            ]
        return [
            self._ranked(probe, rows, k, max_distance)
            for probe, rows in zip(probes, rows_per_probe, strict=True)
        ]

    def _ranked(
        self, probe: np.ndarray, rows, k: int, max_distance: float | None
    ) -> list[Candidate]:
        rows = np.asarray(rows, dtype=np.int64)
        distances = euclidean(probe, self._vectors[rows])
        labels = self._labels[rows]
        # Ties break on the label so one gallery and its shards agree exactly.
        order = np.lexsort((labels, distances))[:k]
        return [
            Candidate(int(labels[i]), float(distances[i]), self._subjects[rows[i]])
            for i in order
            if max_distance is None or distances[i] <= max_distance
        ]

    def _checked(self, vectors, expected_rows: int | None) -> np.ndarray:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim == 1:
            vectors = vectors[None, :]
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors must have shape (n, {self.dim}), got {vectors.shape}")
        if expected_rows is not None and vectors.shape[0] != expected_rows:
            raise ValueError("one vector per label is required")
        if not np.isfinite(vectors).all():
            raise ValueError("vectors must be finite")
        return vectors

    def _reserve(self, size: int) -> None:
        capacity = self._vectors.shape[0]
        if size <= capacity:
            return
        # Doubling keeps one-at-a-time adds amortised O(1).
        capacity = max(size, 2 * capacity, 1024)
        n = len(self)
        vectors = np.empty((capacity, self.dim), dtype=np.float32)
        vectors[:n] = self._vectors[:n]
        sq_norms = np.empty(capacity, dtype=np.float32)
        sq_norms[:n] = self._sq_norms[:n]
        labels = np.empty(capacity, dtype=np.int64)
        labels[:n] = self._labels[:n]
        self._vectors, self._sq_norms, self._labels = vectors, sq_norms, labels

    def set_expansion_search(self, value: int) -> None:
        """Change how many graph nodes a search visits (recall against speed) without a rebuild."""
        self.config = replace(self.config, expansion_search=value)
        if self._index is not None:
            self._index.expansion_search = value

    def memory_bytes(self) -> dict[str, int]:
        """Return the bytes held by the float32 vectors and by the HNSW index."""
        index = self._index.memory_usage if self._index is not None else 0
        return {"vectors": int(self._vectors.nbytes), "index": int(index)}

    def to_bytes(self) -> bytes:
        """Serialise templates, labels, subjects, version and the built index.

        The result holds biometric templates in the clear: encrypt it (recognition.crypto) before
        it touches a disk or a cache shared with other processes.
        """
        n = len(self)
        meta = {"version": self.version, "indexed": self.indexed, "config": asdict(self.config)}
        arrays = {
            "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            "vectors": self._vectors[:n],
            "labels": self._labels[:n],
            "subjects": np.array(self._subjects, dtype=np.str_),
        }
        if self._index is not None:
            arrays["index"] = np.frombuffer(bytes(self._index.save()), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Gallery":
        """Rebuild a gallery from `to_bytes` output without rebuilding the index."""
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            meta = json.loads(stored["meta"].tobytes())
            gallery = cls(indexed=False, config=IndexConfig(**meta["config"]))
            vectors = stored["vectors"]
            labels = stored["labels"]
            gallery.add_many(labels, vectors, [str(s) for s in stored["subjects"]])
            if meta["indexed"]:
                gallery.indexed = True
                index = Index.restore(bytearray(stored["index"].tobytes()))
                # Search breadth is a runtime knob, not part of the stored graph.
                index.expansion_search = gallery.config.expansion_search
                gallery._index = index
        gallery.version = meta["version"]
        return gallery

    def save(self, target: str | Path | BinaryIO) -> None:
        """Write `to_bytes` to a path or binary file (see its warning about encryption)."""
        data = self.to_bytes()
        if isinstance(target, str | Path):
            Path(target).write_bytes(data)
        else:
            target.write(data)

    @classmethod
    def load(cls, source: str | Path | BinaryIO) -> "Gallery":
        """Read a gallery written by `save`."""
        data = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
        return cls.from_bytes(data)
