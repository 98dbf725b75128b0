"""An operating point for galleries too small to calibrate from themselves (R54).

Below ``impostor_tail.MIN_IMPOSTOR_SAMPLES`` identities a gallery holds too few strangers to
measure its own impostor tail, yet small galleries (a door with thirty staff) are exactly where
1:N is least risky. They get a point from a published-style prior instead: the distance between
two different people's dlib encodings taken as normal, placed so that one pair in 200 falls
within 0.6, the pessimistic end of the 0.1-0.5% false match rate reported for this encoder at
its 1:1 tolerance. The chance that a stranger lands within ``t`` of at least one of N people is
then 1 - (1 - F(t))^N, and the threshold is where that equals the declared rate. The same prior
genuine distribution as the calibration's drives the FNIR and the capacity gate, so the point
is marked as coming from priors (``genuine_from_prior``; ``method`` says "prior").
"""

from statistics import NormalDist

import numpy as np

from recognition.matching.calibration import (
    GENUINE_PRIOR_MEDIAN,
    GENUINE_PRIOR_SD,
    OperatingPoint,
)
from recognition.matching.impostor_tail import MIN_MARGIN

# FMR(0.6) = 0.5% for N(0.84, 0.093): P(d <= 0.6) = Phi(-2.58).
IMPOSTOR_PRIOR_MEAN = 0.84
IMPOSTOR_PRIOR_SD = 0.093
METHOD = "impostor-prior-v1"
_GRID = np.round(np.arange(0.20, 0.7001, 0.01), 3)


def _fpir(t: float, identities: int) -> float:
    per_pair = NormalDist(IMPOSTOR_PRIOR_MEAN, IMPOSTOR_PRIOR_SD).cdf(t)
    return float(-np.expm1(identities * np.log1p(-min(per_pair, 1 - 1e-16))))


def _fnir(t: float, median: float) -> float:
    return 1.0 - NormalDist(median, GENUINE_PRIOR_SD).cdf(t)


def prior_point(
    *,
    declared_fpir: float,
    identities: int,
    templates: int,
    genuine_median: float = GENUINE_PRIOR_MEDIAN,
) -> OperatingPoint:
    """Return the operating point of a gallery of ``identities`` people under the priors."""
    n = max(identities, 1)
    # Per-pair rate that keeps the chance of any false candidate among n at the declared rate.
    per_pair = -np.expm1(np.log1p(-declared_fpir) / n)
    threshold = NormalDist(IMPOSTOR_PRIOR_MEAN, IMPOSTOR_PRIOR_SD).inv_cdf(float(per_pair))
    det = tuple((float(t), _fpir(float(t), n), _fnir(float(t), genuine_median)) for t in _GRID)
    return OperatingPoint(
        declared_fpir=float(declared_fpir),
        threshold=float(threshold),
        margin=MIN_MARGIN,
        estimated_fpir=_fpir(threshold, n),
        estimated_fnir=_fnir(threshold, genuine_median),
        genuine_median=float(genuine_median),
        identities=int(identities),
        templates=int(templates),
        impostor_samples=0,
        genuine_samples=0,
        usable=bool(threshold >= genuine_median),
        det=det,
        method=METHOD,
        genuine_from_prior=True,
    )
