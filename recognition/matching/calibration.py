"""Open-set 1:N operating points: a threshold and a margin derived from the gallery itself (R54).

A 1:N search answers "who is this?" for probes of people who may never have been enrolled. NIST
FRTE 1:N reports such a system by two rates at a fixed gallery size:

- FPIR, the share of never-enrolled probes that are named (someone is returned), and
- FNIR, the share of enrolled people's probes whose own identity is not named.

`calibrate` turns the FPIR a purpose declares into an operating point for one gallery at its
current size. It holds identities out one at a time (searching the live index and ignoring the
held-out identity's own templates, so no index is rebuilt): the nearest other identity of a
held-out identity is exactly what a stranger's probe would meet. The low tail of those distances,
where the declared rate lies and samples run out, is extrapolated with a power law whose exponent
is the tail's local dimension, taken at its lower confidence bound so the estimate errs towards
naming fewer people; the share of near strangers whose runner-up clears the margin is measured,
and modelled below the measured tail. Genuine distances (same identity) come from identities
that hold several templates and from the product's own records; they give the FNIR, the margin
and the capacity gate. docs/accuracy.md explains and measures the method.

`recalibrate` does the same starting from the previous calibration's held-out sample: when the
gallery changed by a little, only the change is searched (recognition/matching/held_out.py).

`decide` applies an operating point to one probe's candidates. No Django imports here: the
product stores `OperatingPoint.to_dict()` and pins it to the jobs that used it.
"""

import math
import time
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

from recognition.matching.gallery import Candidate
from recognition.matching.held_out import (
    HeldOutSample,
    gallery_contents,
    held_out_distances,
    sample_draw,
    sample_update,
    template_vector,
)
from recognition.matching.impostor_tail import (
    MIN_IMPOSTOR_SAMPLES,
    Impostors,
    fit_tail,
    fnir_at,
    fpir_curve,
    margin_for,
    threshold_for,
)

METHOD = "loo-nn-powertail-v1"

# Templates a job fetches per probe: enough to see the second identity behind several templates
# of the first (people re-enrol; the portal keeps at most a handful of templates per subject).
SEARCH_K = 10

# Median distance between two photos of one person, used for the capacity gate, the FNIR and the
# margin when a gallery has no genuine pairs. dlib's encoder reaches 99.38% on LFW with same-person
# pairs below 0.6; the real test photos in tests/faces put six pairs of distinct Obama photos at
# 0.235-0.425 (median 0.36, standard deviation 0.07), and bench/synthetic_faces.py is calibrated
# to 0.35. 0.42 lies above all of these on purpose: a higher prior makes the capacity gate refuse
# sooner (docs/accuracy.md).
GENUINE_PRIOR_MEDIAN = 0.42
# Spread of the prior genuine distribution (a normal around the median, cut at 0), as measured on
# the real photos; it sets the margin's noise term when no genuine pairs exist.
GENUINE_PRIOR_SD = 0.07
# The capacity gate's hit rate: a point that would leave more than half of enrolled people
# unnamed (threshold and margin together) is not a usable identification (issue 13).
CAPACITY_MAX_FNIR = 0.5

# An incremental calibration gives way to a full one when more than this share of the gallery's
# templates changed since the last, or of the held-out probes would be searched anyway: beyond
# it the kept sample saves little, and a new draw costs no more.
MAX_INCREMENTAL_CHANGE = 0.2
FULL, INCREMENTAL = "full", "incremental"
_DET_POINTS = 60


@dataclass(frozen=True)
class OperatingPoint:
    """Where one gallery, at its size when calibrated, may name a probe for one declared FPIR."""

    declared_fpir: float  # the rate the purpose accepts, e.g. 0.001
    threshold: float  # a probe's best identity may be named only at distance <= threshold
    margin: float  # ...and only if the nearest OTHER identity is at least `margin` farther
    # Estimated share of never-enrolled probes named at (threshold, margin), at this gallery size.
    estimated_fpir: float
    # Estimated share of enrolled people's probes not named at this point; None without genuine.
    estimated_fnir: float | None
    # Median genuine distance (measured, or the prior when none) used by the capacity gate.
    genuine_median: float | None
    identities: int  # distinct subjects in the gallery
    templates: int
    impostor_samples: int
    genuine_samples: int
    # Capacity gate: False when the threshold falls below genuine_median or threshold and margin
    # together would miss more than CAPACITY_MAX_FNIR of enrolled people (the model cannot reach
    # the declared FPIR with a usable hit rate), or when the gallery is too small to calibrate.
    usable: bool
    # (threshold, fpir, fnir) points, threshold increasing, for the DET chart.
    det: tuple[tuple[float, float, float | None], ...]
    method: str  # short id of the method and version, plus a note when it could not run
    # Fitted tail: P(a look-alike within t) = tail_fpir * (t / tail_distance) ** tail_exponent
    # below tail_distance (0 when not fitted); fpir_at bounds the FPIR below the DET chart by it.
    tail_distance: float = 0.0
    tail_fpir: float = 0.0
    tail_exponent: float = 0.0
    genuine_from_prior: bool = False
    seconds: float = 0.0  # how long the calibration took
    # FULL: a new sample of held-out identities was drawn and searched. INCREMENTAL: the
    # previous calibration's sample was brought up to the gallery's changes (held_out.py).
    kind: str = FULL
    # Why a full calibration ran where an incremental one was asked for ("" otherwise).
    fallback: str = ""
    added_templates: int = 0  # templates added since the previous calibration (incremental)
    removed_templates: int = 0  # ...and removed since
    probes_searched: int = 0  # held-out probes searched in the gallery this time

    def to_dict(self) -> dict:
        """Return a JSON-safe dict (lists for tuples, plain floats)."""
        data = asdict(self)
        data["det"] = [
            [float(t), float(f), None if n is None else float(n)] for t, f, n in self.det
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "OperatingPoint":
        """Rebuild a point from `to_dict` output, ignoring keys of other versions."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["det"] = tuple(
            (float(t), float(f), None if n is None else float(n)) for t, f, n in data["det"]
        )
        return cls(**values)


@dataclass(frozen=True)
class Decision:
    """The answer for one probe."""

    kind: str  # "named" | "unknown" | "ambiguous"
    best: Candidate | None  # the nearest candidate (whatever kind)
    distance: float | None  # best distance
    # Distance of the nearest other identity minus the best distance; None when no other
    # identity is among the candidates.
    margin: float | None
    estimated_fpir: float | None  # fpir_at(point, distance) when there is a best candidate


NAMED, UNKNOWN, AMBIGUOUS = "named", "unknown", "ambiguous"


@lru_cache(maxsize=64)
def _det_arrays(det: tuple) -> tuple[np.ndarray, np.ndarray]:
    # decide() runs once per probe with the same point: build the arrays once per chart.
    ts = np.array([p[0] for p in det])
    fs = np.maximum(np.array([p[1] for p in det]), 1e-300)
    return ts, fs


def fpir_at(point: OperatingPoint, distance: float) -> float:
    """Return the estimated FPIR if a probe were named at `distance` (monotone in distance).

    Interpolates the DET chart (log FPIR, linear distance); below it, the fitted tail; above it,
    the last point. Never below 0, never above 1.
    """
    if not point.det:
        return 1.0
    ts, fs = _det_arrays(point.det)
    d = float(distance)
    if d < ts[0]:
        if point.tail_distance > 0 and point.tail_exponent > 0:
            value = point.tail_fpir * (max(d, 0.0) / point.tail_distance) ** point.tail_exponent
            return float(min(value, fs[0]))
        return float(fs[0])
    value = float(np.exp(np.interp(d, ts, np.log(fs))))
    return float(min(1.0, max(0.0, value)))


def decide(candidates: list[Candidate], point: OperatingPoint) -> Decision:
    """Return the answer for one probe's nearest templates (nearest first or in any order).

    Named only when the best identity is within `point.threshold` and the nearest OTHER identity
    is at least `point.margin` farther; "ambiguous" when within the threshold but the margin rule
    fails (the purpose sends those to review with their candidates, or reports "unknown");
    otherwise "unknown". An unusable point (capacity gate) names nobody.

    When no other identity is among the candidates, `margin` is reported as None and the rule
    uses what is known: the other identity is at least as far as the farthest candidate, so that
    gap is the margin's lower bound. A gallery of a single identity has no runner-up at all, and
    the margin rule does not apply.
    """
    if not candidates:
        return Decision(UNKNOWN, None, None, None, None)
    ordered = sorted(candidates, key=lambda c: (c.distance, c.label))
    best = ordered[0]
    other = next((c for c in ordered if c.subject != best.subject), None)
    margin = None if other is None else other.distance - best.distance
    estimate = fpir_at(point, best.distance)
    if other is not None:
        known_margin = margin
    elif point.identities <= 1 or len(candidates) < SEARCH_K:
        # Fewer candidates than asked for: the search returned the whole gallery, and it holds
        # no other identity (at least not any more, since the calibration).
        known_margin = math.inf
    else:
        known_margin = ordered[-1].distance - best.distance
    if not point.usable or best.distance > point.threshold:
        kind = UNKNOWN
    elif known_margin < point.margin:
        kind = AMBIGUOUS
    else:
        kind = NAMED
    return Decision(kind, best, best.distance, margin, estimate)


# --- calibration -----------------------------------------------------------------------------


def _genuine_from_gallery(
    gallery, labels: np.ndarray, subject_ids: np.ndarray, rng, limit: int
) -> np.ndarray:
    """Return distances between templates of the same identity held in the gallery."""
    order = np.argsort(subject_ids, kind="stable")
    sorted_ids = subject_ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    counts = np.diff(np.r_[starts, len(sorted_ids)])
    multi = np.flatnonzero(counts >= 2)
    if not len(multi):
        return np.empty(0)
    chosen = rng.permutation(multi)[:limit]
    out = []
    for group in chosen:
        rows = order[starts[group] : starts[group] + min(counts[group], 8)]
        vecs = np.stack([template_vector(gallery, int(labels[r])) for r in rows])
        diff = vecs[:, None, :] - vecs[None, :, :]
        dist = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
        out.append(dist[np.triu_indices(len(rows), 1)])
    return np.concatenate(out).astype(np.float64)


def _prior_genuine(median: float, size: int = 2000) -> np.ndarray:
    """Quantiles of the prior genuine distribution (normal around `median`, cut at 0)."""
    dist = NormalDist(median, GENUINE_PRIOR_SD)
    q = (np.arange(size) + 0.5) / size
    return np.maximum(np.array([dist.inv_cdf(p) for p in q]), 0.0)


def _not_calibrated(declared_fpir, identities, templates, samples, genuine_n, note, seconds):
    return OperatingPoint(
        declared_fpir=float(declared_fpir),
        threshold=0.0,
        margin=0.0,
        estimated_fpir=0.0,
        estimated_fnir=None,
        genuine_median=None,
        identities=int(identities),
        templates=int(templates),
        impostor_samples=int(samples),
        genuine_samples=int(genuine_n),
        usable=False,
        det=(),
        method=f"{METHOD}:{note}",
        seconds=seconds,
    )


class Calibrated(NamedTuple):
    """An operating point and the held-out sample it was fitted on (None: too few identities)."""

    point: OperatingPoint
    held_out: HeldOutSample | None


def calibrate(
    gallery,
    *,
    declared_fpir: float,
    sample: int = 20000,
    seed: int = 0,
    genuine_distances: np.ndarray | None = None,
    genuine_prior_median: float = GENUINE_PRIOR_MEDIAN,
    exact: bool = False,
) -> OperatingPoint:
    """Return the operating point at which `gallery`, at its current size, names at most
    `declared_fpir` of never-enrolled probes.

    `gallery` is a `Gallery` or `ShardedGallery`; subject pseudonyms are the identities. Up to
    `sample` identities are held out in turn: one of their templates is searched (with the index
    unless `exact`, as jobs search) and their own templates are ignored, so the nearest other
    identity is what a stranger would meet. `genuine_distances` are same-person distances from the
    product's records (re-enrollments, verifications); pairs within the gallery are added. Without
    any, the FNIR is None and the prior `genuine_prior_median` drives the capacity gate.

    A gallery of fewer than MIN_IMPOSTOR_SAMPLES identities cannot be calibrated from itself: the
    point then has threshold 0, usable False and the reason in `method`.
    """
    return recalibrate(
        gallery,
        previous=None,
        declared_fpir=declared_fpir,
        sample=sample,
        seed=seed,
        genuine_distances=genuine_distances,
        genuine_prior_median=genuine_prior_median,
        exact=exact,
    ).point


def recalibrate(
    gallery,
    *,
    previous: HeldOutSample | None,
    declared_fpir: float,
    sample: int = 20000,
    seed: int = 0,
    genuine_distances: np.ndarray | None = None,
    genuine_prior_median: float = GENUINE_PRIOR_MEDIAN,
    exact: bool = False,
    max_change: float = MAX_INCREMENTAL_CHANGE,
) -> Calibrated:
    """Return `calibrate`'s point for `gallery` and the held-out sample it rests on, starting
    from the `previous` calibration's sample when there is one (an incremental calibration).

    Incremental: only the templates added since are compared with the kept probes, and only
    probes whose own, nearest or second-nearest template left are searched again, with new
    identities joining in their share (recognition/matching/held_out.py); the tail, margin and
    DET chart are then fitted exactly as in a full calibration. A full calibration runs instead,
    its `fallback` saying why, when more than `max_change` of the gallery's templates changed,
    when more than `max_change` of the probes would have to be searched anyway, or when fewer
    than MIN_IMPOSTOR_SAMPLES probes would remain. The point's `kind` says which ran.
    """
    if not 0.0 < declared_fpir < 1.0:
        raise ValueError("declared_fpir must lie strictly between 0 and 1")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    contents = gallery_contents(gallery)
    labels, subject_ids = contents.labels, contents.identity
    templates, identities = len(labels), contents.identities

    genuine_parts = [] if genuine_distances is None else [np.asarray(genuine_distances, float)]
    if identities:
        genuine_parts.append(_genuine_from_gallery(gallery, labels, subject_ids, rng, sample))
    genuine = np.concatenate(genuine_parts) if genuine_parts else np.empty(0)
    genuine = np.sort(genuine[np.isfinite(genuine)])

    if identities < MIN_IMPOSTOR_SAMPLES:
        return Calibrated(
            _not_calibrated(
                declared_fpir,
                identities,
                templates,
                0,
                len(genuine),
                f"too-few-identities(<{MIN_IMPOSTOR_SAMPLES})",
                time.perf_counter() - started,
            ),
            None,
        )

    change = {}
    held = None
    if previous is not None:
        update = sample_update(
            gallery,
            contents,
            previous,
            sample=sample,
            rng=rng,
            exact=exact,
            search_k=SEARCH_K,
            max_change=max_change,
            min_probes=MIN_IMPOSTOR_SAMPLES,
        )
        held = update.sample
        change = {
            "added_templates": update.added,
            "removed_templates": update.removed,
            "probes_searched": update.searched,
            "kind": INCREMENTAL,
        }
        if held is None:
            change = {
                "fallback": update.reason,
                "added_templates": update.added,
                "removed_templates": update.removed,
            }
    if held is None:
        probes = sample_draw(contents, sample, rng)
        measured = held_out_distances(gallery, contents, probes, exact=exact, search_k=SEARCH_K)
        held = HeldOutSample(np.sort(labels), probes, *measured)
        change["probes_searched"] = len(probes)
    point = _fit(
        held,
        declared_fpir=declared_fpir,
        genuine=genuine,
        genuine_prior_median=genuine_prior_median,
        identities=identities,
        templates=templates,
    )
    seconds = round(time.perf_counter() - started, 3)
    return Calibrated(replace(point, seconds=seconds, **change), held)


def _fit(
    held: HeldOutSample,
    *,
    declared_fpir: float,
    genuine: np.ndarray,
    genuine_prior_median: float,
    identities: int,
    templates: int,
) -> OperatingPoint:
    """Fit the tail, margin, threshold and DET chart to the held-out distances."""
    d1, d2 = held.d1, held.d2
    order = np.argsort(d1, kind="stable")
    d1_sorted = d1[order]
    impostors = Impostors(d1_sorted, d2[order], fit_tail(d1_sorted), {})
    tail = impostors.tail

    from_prior = not len(genuine)
    genuine_used = _prior_genuine(genuine_prior_median) if from_prior else genuine
    margin = margin_for(threshold_for(declared_fpir, impostors, 0.0), d1, d2, genuine_used)
    threshold = threshold_for(declared_fpir, impostors, margin)
    genuine_median = float(np.median(genuine_used))
    fnir = None if from_prior else fnir_at(threshold, margin, genuine, d1_sorted)
    # The gate judges the hit rate the margin leaves, not the threshold alone: in a dense gallery
    # the margin can exclude most genuine answers while the threshold stays high (1M face-like:
    # threshold 0.51 above the genuine median, yet 74% of enrolled people unnamed). Without
    # genuine records the prior stands in, for the gate only.
    gate_fnir = fnir if fnir is not None else fnir_at(threshold, margin, genuine_used, d1_sorted)
    estimated = impostors.fpir(threshold, margin)

    finite = d1_sorted[np.isfinite(d1_sorted)]
    low = tail.distance * (1e-7 / tail.fpir) ** (1.0 / tail.exponent)
    high = float(np.quantile(finite, 0.99)) if len(finite) else threshold
    if len(genuine_used):
        high = max(high, float(np.quantile(genuine_used, 0.99)))
    grid = np.linspace(min(low, threshold), max(high, threshold * 1.01), _DET_POINTS)
    fpirs = fpir_curve(impostors, grid, margin)
    det = tuple(
        (
            round(float(t), 6),
            float(f),
            None if from_prior else round(fnir_at(float(t), margin, genuine, d1_sorted), 6),
        )
        for t, f in zip(grid, fpirs, strict=True)
    )
    return OperatingPoint(
        declared_fpir=float(declared_fpir),
        threshold=round(threshold, 6),
        margin=margin,
        estimated_fpir=estimated,
        estimated_fnir=None if fnir is None else round(fnir, 6),
        genuine_median=round(genuine_median, 6),
        identities=identities,
        templates=templates,
        impostor_samples=len(d1),
        genuine_samples=0 if from_prior else len(genuine),
        usable=bool(threshold >= genuine_median and gate_fnir <= CAPACITY_MAX_FNIR),
        det=det,
        method=METHOD + (":genuine-prior" if from_prior else ""),
        tail_distance=tail.distance,
        tail_fpir=tail.fpir,
        tail_exponent=tail.exponent,
        genuine_from_prior=from_prior,
    )
