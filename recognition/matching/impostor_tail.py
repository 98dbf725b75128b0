"""The impostor side of a calibration: the tail of held-out nearest-other distances, the share of
near strangers whose runner-up clears the margin, the margin itself and the FNIR.

Split from recognition/matching/calibration.py, which fits an operating point from these pieces;
docs/accuracy.md explains the model. No Django imports here.
"""

import math
from typing import NamedTuple

import numpy as np

# Fewer held-out identities than this and the gallery cannot speak for its own impostor tail.
MIN_IMPOSTOR_SAMPLES = 30
# The power-law tail is fitted to the lowest share of held-out nearest-other distances...
TAIL_SHARE = 0.02
# ...but on no fewer and no more points than these.
TAIL_MIN, TAIL_MAX = 30, 1000
# One-sided z of the lower confidence bound on the tail exponent (a smaller exponent is a fatter
# tail: more strangers estimated near, so a lower threshold).
TAIL_Z = 1.28
# The margin keeps enrolled people whose look-alike is nearer than their own template from being
# named as the look-alike: at most this share of such near misses may be named wrongly.
MISIDENTIFICATION_SHARE = 0.1
# Below this the second identity is "a hair" behind: float16 index storage and photo noise alone
# move distances by about this much.
MIN_MARGIN = 0.01
_MARGIN_GRID = np.round(np.arange(0.0, 0.3001, 0.005), 3)


class Tail(NamedTuple):
    distance: float  # fitted below this distance
    fpir: float  # empirical share of held-out identities with a look-alike within `distance`
    exponent: float  # lower confidence bound of the local dimension
    points: int  # how many of the lowest distances the fit used


def fit_tail(d1_sorted: np.ndarray) -> Tail:
    """Fit P(d1 <= t) = F0 (t / t0)^D to the lowest distances (Hill's estimator, lower bound
    on D: a smaller exponent is a fatter tail, more strangers near, a lower threshold)."""
    n = len(d1_sorted)
    m = int(min(max(TAIL_SHARE * n, TAIL_MIN), TAIL_MAX, n))
    low = d1_sorted[:m]
    t0 = float(low[-1])
    logs = np.log(t0 / np.maximum(low[:-1], 1e-12))
    exponent = (m - 1) / max(float(logs.sum()), 1e-12)
    exponent *= max(0.25, 1.0 - TAIL_Z / math.sqrt(m - 1))
    return Tail(t0, m / n, float(exponent), m)


class Impostors(NamedTuple):
    """Held-out identities' nearest (d1) and second-nearest (d2) other identity, sorted by d1."""

    d1: np.ndarray
    d2: np.ndarray
    tail: Tail
    # kappa per margin: it depends on the margin only, and the threshold search asks for the
    # same margin at thousands of thresholds.
    kappas: dict

    def near(self, t):
        """P(d1 <= t): empirical above the tail's anchor, the fitted power law below it."""
        t = np.asarray(t, dtype=float)
        tail = self.tail
        fitted = tail.fpir * (np.maximum(t, 0.0) / tail.distance) ** tail.exponent
        empirical = np.searchsorted(self.d1, t, side="right") / len(self.d1)
        out = np.where(t < tail.distance, fitted, np.maximum(empirical, tail.fpir))
        return float(out) if out.ndim == 0 else out

    def _stays_clear(self, x: np.ndarray, m: float, kappa: float) -> np.ndarray:
        # Chance that no other identity lies between x and x + m, for identities scattered
        # around a probe as a Poisson process with the gallery's own d1 distribution; kappa > 1
        # says near look-alikes crowd together more than that (probes in dense regions).
        inside = np.clip(1.0 - self.near(x), 1e-12, 1.0)
        return (np.clip(1.0 - self.near(x + m), 0.0, 1.0) / inside) ** kappa

    def clear(self, t: float, m: float) -> float:
        """Share of probes with a look-alike within t whose runner-up is at least m behind.

        Measured directly on the held-out identities within t when the tail holds enough of
        them. Deeper, where only a few do, the closer the look-alike the further the runner-up
        tends to stand behind it, and a plain window above t would understate the share (so the
        FPIR). There the share follows a model: the runner-up clears m with probability
        ((1 - F(x + m)) / (1 - F(x)))^kappa for a look-alike at x, F the d1 distribution (a
        Poisson process of identities around the probe), with kappa fitted so the model gives
        the measured share on the tail's held-out identities; it is then averaged over the
        look-alike distances below t that the fitted tail implies.
        """
        within = int(np.searchsorted(self.d1, t, side="right"))
        if within >= self.tail.points:
            gap = self.d2[:within] - self.d1[:within]
            return float(np.mean(gap >= m))
        kappa = self._kappa(m)
        # Look-alike distances below t as the power-law tail distributes them (quantiles).
        u = (np.arange(64) + 0.5) / 64
        below = t * u ** (1.0 / self.tail.exponent)
        return float(np.mean(self._stays_clear(below, m, kappa)))

    def _kappa(self, m: float) -> float:
        """Fit kappa so the model gives the share measured on the tail's held-out identities."""
        if m in self.kappas:
            return self.kappas[m]
        count = self.tail.points
        x = self.d1[:count]
        measured = float(np.mean(self.d2[:count] - x >= m))
        lo, hi = math.log(0.02), math.log(50.0)
        for _ in range(40):  # mean((...)^kappa) falls as kappa grows: bisect on log kappa
            mid = (lo + hi) / 2
            if float(np.mean(self._stays_clear(x, m, math.exp(mid)))) > measured:
                lo = mid
            else:
                hi = mid
        self.kappas[m] = math.exp((lo + hi) / 2)
        return self.kappas[m]

    def fpir(self, t: float, m: float) -> float:
        """Estimated share of strangers named at threshold t and margin m."""
        return self.near(t) * self.clear(t, m)


def fpir_curve(impostors: Impostors, grid: np.ndarray, m: float) -> np.ndarray:
    """FPIR along an increasing grid of thresholds, made monotone (running maximum)."""
    return np.maximum.accumulate(np.array([impostors.fpir(float(t), m) for t in grid]))


def threshold_for(fpir: float, impostors: Impostors, m: float) -> float:
    """Return the largest distance whose (monotone) estimated FPIR is at most `fpir`."""
    finite = impostors.d1[np.isfinite(impostors.d1)]
    top = float(finite[-1]) if len(finite) else 2.0
    grid = np.linspace(0.0, top, 4001)
    curve = fpir_curve(impostors, grid, m)
    ok = np.flatnonzero(curve <= fpir)
    if not len(ok):
        return 0.0
    # Refine between the last grid point that meets the rate and the next one.
    lo = float(grid[ok[-1]])
    hi = float(grid[min(ok[-1] + 1, len(grid) - 1)])
    for _ in range(30):
        mid = (lo + hi) / 2
        if max(impostors.fpir(mid, m), float(curve[ok[-1]])) <= fpir:
            lo = mid
        else:
            hi = mid
    return lo


def _survival(sorted_values: np.ndarray, x) -> np.ndarray:
    """P(value >= x) from sorted samples."""
    return 1.0 - np.searchsorted(sorted_values, x, side="left") / len(sorted_values)


def fnir_at(t: float, m: float, genuine: np.ndarray, d1_sorted: np.ndarray) -> float:
    """Share of enrolled people's probes not named: own template beyond t, or the nearest other
    identity closer than own + m (the probe then goes unknown, ambiguous or to someone else)."""
    named = (genuine <= t) * _survival(d1_sorted, genuine + m)
    return float(1.0 - named.mean())


def margin_for(t: float, d1: np.ndarray, d2: np.ndarray, genuine_sorted: np.ndarray) -> float:
    """Measure how far the runner-up identity must stay behind the best one; the larger of:

    - noise: the median of |g - g'| over pairs of genuine distances. Two photos of one face lie
      about this much apart in distance from the same probe, so a runner-up closer than this
      is "a hair" behind: the order of the two is as likely noise as identity;
    - look-alikes: the smallest margin at which, among enrolled people whose nearest other
      identity lies within the threshold t, at most MISIDENTIFICATION_SHARE would be named as
      that look-alike. Such a person, own template at g, look-alike at d1 < g and the next other
      identity at d2, is named as the look-alike when min(g, d2) - d1 >= m; g comes from the
      genuine distances, (d1, d2) from the held-out identities, evaluated at min(d1, t) where
      g beyond d1 is likelier (so as not to understate the share).

    `t` is the threshold found without a margin: the margin then only raises it a little (fewer
    strangers clear the margin), and measuring at the final threshold would feed back.
    """
    pairs = np.random.default_rng(1).integers(0, len(genuine_sorted), (2, 4000))
    noise = float(np.median(np.abs(genuine_sorted[pairs[0]] - genuine_sorted[pairs[1]])))
    order = np.argsort(d1)
    count = max(int((d1 <= t).sum()), MIN_IMPOSTOR_SAMPLES)
    near = order[:count]
    x = np.minimum(d1[near], t)
    gap = d2[near] - d1[near]
    look_alike = float(_MARGIN_GRID[-1])
    for m in _MARGIN_GRID:
        share = float(np.mean((gap >= m) * _survival(genuine_sorted, x + m)))
        if share <= MISIDENTIFICATION_SHARE:
            look_alike = float(m)
            break
    return round(max(noise, look_alike, MIN_MARGIN), 4)
