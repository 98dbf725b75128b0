"""The held-out identities of a calibration, kept so that the next one can be incremental (R54).

A calibration (recognition.matching.calibration) holds identities out of the gallery and
measures, for one template of each, the distance to the nearest other identity (d1) and to the
second (d2). These are properties of the gallery, not of the declared rate, and a gallery that
changed a little leaves most of them true. `HeldOutSample` keeps them from one calibration to
the next together with the template ids involved, never a vector: the probes' templates are read
from the gallery, decrypted as a worker does, each time. `sample_update` brings a kept sample up
to the gallery's present contents:

- a template added since can only bring a look-alike nearer: d1 and d2 become the two nearest
  distinct identities among the old two and the added templates (exact distances, added x
  probes, the probe's own identity ignored);
- a template removed since matters to a probe only when it was the probe's own template (the
  probe leaves the sample) or the one at d1 or d2 (the probe is searched again, as a full
  calibration searches it);
- new identities join the sample, and old probes leave it, in the shares that keep it a uniform
  draw of the gallery's identities (a reservoir); joiners are searched like any held-out one.

With exact search the updated d1 and d2 equal a new search of every kept probe; with the index,
the added templates' distances are exact where the index's are approximate.
"""

import io
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from recognition.matching.exact import euclidean

# One distance block of (probes x added templates) at most this many entries (64 MB of float32).
_BLOCK_ENTRIES = 1 << 24
_EXACT_MARGIN = 8
_SLACK = 1e-3


class Contents(NamedTuple):
    """What a gallery holds: every label, and an identity number per label."""

    labels: np.ndarray  # template ids, in storage order
    identity: np.ndarray  # index into `subjects` for each label
    subjects: np.ndarray  # the distinct subject pseudonyms, sorted
    by_label: np.ndarray  # positions that sort `labels`, for lookups

    @property
    def identities(self) -> int:
        return len(self.subjects)

    def identity_of(self, labels) -> np.ndarray:
        """Return the identity number of each label (-1 for a label the gallery does not hold)."""
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        if not len(self.labels):
            return np.full(len(labels), -1, dtype=np.int64)
        sorted_labels = self.labels[self.by_label]
        at = np.minimum(np.searchsorted(sorted_labels, labels), len(sorted_labels) - 1)
        found = sorted_labels[at] == labels
        return np.where(found, self.identity[self.by_label[at]], -1)


def gallery_contents(gallery) -> Contents:
    """Return the labels and identities of a `Gallery` or a `ShardedGallery`."""
    shards = getattr(gallery, "shards", None) or [gallery]
    labels, subjects = [], []
    for shard in shards:
        shard_labels = shard.labels()
        labels.append(shard_labels)
        subjects.extend(shard.subject(int(label)) for label in shard_labels)
    all_labels = np.concatenate(labels) if labels else np.empty(0, dtype=np.int64)
    names, identity = np.unique(np.array(subjects, dtype=object).astype(str), return_inverse=True)
    all_labels = all_labels.astype(np.int64)
    return Contents(
        all_labels, identity.astype(np.int64), names, np.argsort(all_labels, kind="stable")
    )


def template_vector(gallery, label: int) -> np.ndarray:
    """Return one template's float32 vector from a `Gallery` or a `ShardedGallery`."""
    holder = gallery.shard_of(label) if hasattr(gallery, "shard_of") else gallery
    return holder.vector(int(label))


@dataclass(frozen=True, eq=False)
class HeldOutSample:
    """The held-out identities of one calibration and what each met, by template id."""

    labels: np.ndarray  # sorted template ids the gallery held when they were measured
    probes: np.ndarray  # the template searched for each held-out identity
    d1: np.ndarray  # distance to the nearest other identity (inf when none was found)
    d2: np.ndarray  # ...and to the second (inf when none was found)
    nearest: np.ndarray  # the template at d1 (-1 when none)
    second: np.ndarray  # the template at d2 (-1 when none)

    def to_bytes(self) -> bytes:
        """Serialise compactly (sorted labels as gaps, which compress to a few bits each)."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            label_gaps=np.diff(self.labels, prepend=0),
            probes=self.probes,
            d1=self.d1,
            d2=self.d2,
            nearest=self.nearest,
            second=self.second,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "HeldOutSample":
        """Rebuild a sample written by `to_bytes`."""
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as stored:
            return cls(
                labels=np.cumsum(stored["label_gaps"]).astype(np.int64),
                probes=stored["probes"].astype(np.int64),
                d1=stored["d1"].astype(np.float64),
                d2=stored["d2"].astype(np.float64),
                nearest=stored["nearest"].astype(np.int64),
                second=stored["second"].astype(np.int64),
            )


class Measured(NamedTuple):
    """Per probe: distance and template of the nearest and second-nearest OTHER identity."""

    d1: np.ndarray
    d2: np.ndarray
    nearest: np.ndarray
    second: np.ndarray


def held_out_distances(
    gallery, contents: Contents, probes: np.ndarray, *, exact: bool, search_k: int
) -> Measured:
    """Search each probe template in `gallery` as if its identity had never been enrolled.

    The probe's own identity's templates are skipped; the first other identity is d1, the next
    distinct one d2 (inf and -1 when the search returned none). One search per distinct k keeps a
    batch's k small when most identities hold one template.
    """
    probes = np.asarray(probes, dtype=np.int64)
    n = len(probes)
    out = Measured(
        np.full(n, np.inf), np.full(n, np.inf), np.full(n, -1, np.int64), np.full(n, -1, np.int64)
    )
    if not n:
        return out
    own = contents.identity_of(probes)
    own_counts = np.bincount(contents.identity, minlength=contents.identities)[own]
    own_subjects = contents.subjects[own]
    ks = np.minimum(own_counts, 64) + search_k
    for k in np.unique(ks):
        rows = np.flatnonzero(ks == k)
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            vectors = np.stack([template_vector(gallery, int(probes[r])) for r in chunk])
            results = gallery.search(vectors.astype(np.float32), int(k), exact=exact)
            for row, found in zip(chunk, results, strict=True):
                first = None
                for c in found:
                    if c.subject == own_subjects[row]:
                        continue
                    if first is None:
                        first = c.subject
                        out.d1[row], out.nearest[row] = c.distance, c.label
                    elif c.subject != first:
                        out.d2[row], out.second[row] = c.distance, c.label
                        break
    return out


def sample_draw(contents: Contents, sample: int, rng) -> np.ndarray:
    """Return the probe template of up to `sample` identities, drawn at random (one template
    of each, itself drawn at random)."""
    shuffled = rng.permutation(len(contents.labels))
    _, first_rows = np.unique(contents.identity[shuffled], return_index=True)
    one_per_identity = shuffled[first_rows]  # indexed by identity number
    held = rng.permutation(contents.identities)[: min(sample, contents.identities)]
    return contents.labels[one_per_identity[held]]


def _random_template_of(contents: Contents, identities: np.ndarray, rng) -> np.ndarray:
    """Return one template id of each identity, drawn at random."""
    if not len(identities):
        return np.empty(0, dtype=np.int64)
    wanted = np.zeros(contents.identities, dtype=bool)
    wanted[identities] = True
    rows = np.flatnonzero(wanted[contents.identity])
    rows = rows[rng.permutation(len(rows))]
    _, first = np.unique(contents.identity[rows], return_index=True)
    chosen = dict(zip(contents.identity[rows[first]].tolist(), rows[first].tolist(), strict=True))
    return contents.labels[[chosen[int(i)] for i in identities]]


def _nearer_from_added(
    gallery,
    contents: Contents,
    state: Measured,
    rows: np.ndarray,
    probes: np.ndarray,
    added: np.ndarray,
) -> None:
    """Update d1/d2 of `rows` in place with the templates `added` (exact distances)."""
    added_identity = contents.identity_of(added)
    vectors = np.stack([template_vector(gallery, int(label)) for label in added])
    sq_norms = np.einsum("ij,ij->i", vectors, vectors)
    # The nearest two other identities among the added templates lie within the first
    # (most templates of one identity + 1) of them; the extra rows keep float32 rounding in the
    # expanded product from pushing one out before the exact re-ranking.
    count = min(len(added), int(np.bincount(added_identity).max()) + 1 + _EXACT_MARGIN)
    probe_identity = contents.identity_of(probes[rows])
    nearest_identity = contents.identity_of(state.nearest[rows])
    second_identity = contents.identity_of(state.second[rows])
    chunk = max(1, _BLOCK_ENTRIES // len(added))
    for start in range(0, len(rows), chunk):
        block_rows = rows[start : start + chunk]
        block = np.stack([template_vector(gallery, int(probes[r])) for r in block_rows])
        scores = sq_norms[None, :] - 2.0 * (block @ vectors.T)
        own = probe_identity[start : start + chunk]
        # The probe's own identity is held out: its new templates are not look-alikes.
        scores[own[:, None] == added_identity[None, :]] = np.inf
        # Most probes meet no added template nearer than their second identity: nothing to
        # merge. The slack covers float32 rounding in the expanded product.
        reach = np.sqrt(np.maximum(scores.min(axis=1) + np.einsum("ij,ij->i", block, block), 0))
        touched = np.flatnonzero(reach <= state.d2[block_rows] + _SLACK)
        if not len(touched):
            continue
        near = np.argpartition(scores[touched], count - 1, axis=1)[:, :count]
        for j, i in enumerate(touched):
            row = block_rows[i]
            cols = near[j][np.isfinite(scores[i, near[j]])]
            # (distance, label) per identity, the nearest template of each; ties break on the
            # label as the gallery's search breaks them.
            best: dict[int, tuple[float, int]] = {}
            if state.nearest[row] >= 0:
                best[int(nearest_identity[start + i])] = (
                    float(state.d1[row]),
                    int(state.nearest[row]),
                )
            if state.second[row] >= 0:
                best[int(second_identity[start + i])] = (
                    float(state.d2[row]),
                    int(state.second[row]),
                )
            for col, distance in zip(cols, euclidean(block[i], vectors[cols]), strict=True):
                candidate = (float(distance), int(added[col]))
                key = int(added_identity[col])
                if key not in best or candidate < best[key]:
                    best[key] = candidate
            ranked = sorted(best.values())
            state.d1[row], state.nearest[row] = ranked[0]
            state.d2[row], state.second[row] = ranked[1] if len(ranked) > 1 else (np.inf, -1)


class Update(NamedTuple):
    """What `sample_update` did, or why it could not (then `sample` is None)."""

    sample: HeldOutSample | None
    added: int  # templates in the gallery now that were not when the sample was measured
    removed: int  # templates gone since
    searched: int  # probes searched in the gallery (again, or newly joined)
    reason: str = ""  # why a full calibration is needed instead, when it is


def sample_update(
    gallery,
    contents: Contents,
    previous: HeldOutSample,
    *,
    sample: int,
    rng,
    exact: bool,
    search_k: int,
    max_change: float,
    min_probes: int,
) -> Update:
    """Bring `previous` up to the gallery's present contents (module docstring).

    Return an Update without a sample, and the reason, when a full calibration is the better
    course: more than `max_change` of the gallery's templates changed, more than `max_change` of
    the probes would have to be searched anyway, or fewer than `min_probes` would remain.
    """
    if contents.identities < min_probes:
        return Update(None, 0, 0, 0, f"{contents.identities} identities")
    now = np.sort(contents.labels)
    added = np.setdiff1d(now, previous.labels, assume_unique=True)
    removed = np.setdiff1d(previous.labels, now, assume_unique=True)
    changed = len(added) + len(removed)
    if changed > max_change * max(len(previous.labels), 1):
        return Update(
            None,
            len(added),
            len(removed),
            0,
            f"{changed} of {len(previous.labels)} templates changed",
        )

    def held(labels: np.ndarray) -> np.ndarray:
        return (labels < 0) | np.isin(labels, now, assume_unique=False)

    kept = np.flatnonzero(np.isin(previous.probes, now))
    target = min(sample, contents.identities)
    # Identities none of whose present templates the previous gallery held are new.
    was_there = np.isin(contents.labels, previous.labels)
    old_identity = np.bincount(contents.identity[was_there], minlength=contents.identities) > 0
    new_identities = np.flatnonzero(~old_identity)
    # A uniform draw of the identities holds new ones in their share of the gallery.
    join_new = min(len(new_identities), round(target * len(new_identities) / contents.identities))
    want_old = target - join_new
    if len(kept) > want_old:
        kept = np.sort(rng.choice(kept, want_old, replace=False))
    probes = previous.probes[kept]
    refill = np.empty(0, dtype=np.int64)
    if len(kept) < want_old:
        probed = np.zeros(contents.identities, dtype=bool)
        probed[contents.identity_of(probes)] = True
        spare = np.flatnonzero(old_identity & ~probed)
        refill = rng.choice(spare, min(len(spare), want_old - len(kept)), replace=False)
    joiners = np.concatenate(
        [
            _random_template_of(contents, np.sort(refill), rng),
            _random_template_of(
                contents, np.sort(rng.choice(new_identities, join_new, replace=False)), rng
            ),
        ]
    )
    stale = ~held(previous.nearest[kept]) | ~held(previous.second[kept])
    searched = int(stale.sum()) + len(joiners)
    if len(probes) + len(joiners) < min_probes:
        return Update(
            None, len(added), len(removed), 0, f"{len(probes) + len(joiners)} probes remain"
        )
    if searched > max_change * max(target, 1):
        return Update(
            None,
            len(added),
            len(removed),
            0,
            f"{searched} of {target} probes would be searched again",
        )
    state = Measured(
        previous.d1[kept].copy(),
        previous.d2[kept].copy(),
        previous.nearest[kept].copy(),
        previous.second[kept].copy(),
    )
    fresh = np.flatnonzero(~stale)
    if len(added) and len(fresh):
        _nearer_from_added(gallery, contents, state, fresh, probes, added)
    again = np.flatnonzero(stale)
    redone = held_out_distances(gallery, contents, probes[again], exact=exact, search_k=search_k)
    for mine, theirs in zip(state, redone, strict=True):
        mine[again] = theirs
    joined = held_out_distances(gallery, contents, joiners, exact=exact, search_k=search_k)
    result = HeldOutSample(
        labels=now,
        probes=np.concatenate([probes, joiners]),
        d1=np.concatenate([state.d1, joined.d1]),
        d2=np.concatenate([state.d2, joined.d2]),
        nearest=np.concatenate([state.nearest, joined.nearest]),
        second=np.concatenate([state.second, joined.second]),
    )
    return Update(result, len(added), len(removed), searched)
