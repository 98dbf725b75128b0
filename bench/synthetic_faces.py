"""Synthetic galleries shaped like face_recognition encodings, for bench/match.py.

Two models of where encodings lie, both calibrated to the distances face_recognition gives (two
photos of one person about 0.35 apart, two people about 0.88, norms 1.3-1.4):

- ``IsotropicFaces``: people and photos scattered in all 128 directions (Gaussian noise with a
  1/i variance spectrum). Its local intrinsic dimension is about 38, so near neighbours are
  needles in a haystack: the worst case for any graph index.
- ``ManifoldFaces``: people and photos on a smooth curved surface of a few latent dimensions
  (identity plus pose/lighting) mapped into 128 dimensions. Measured face embeddings are like
  this: Gong, Boddeti and Jain (CVPR 2019, arXiv 1803.09672) estimate an intrinsic dimension of
  9-12 for FaceNet's 128-d encodings and 16 for SphereFace's 512-d ones.

``local_dimension`` estimates what a gallery actually has (Levina-Bickel maximum likelihood), so
a figure quoted for either model comes with the property that decides how hard it is.
"""

import numpy as np

from recognition.matching import EMBEDDING_DIM
from recognition.matching.exact import euclidean, nearest_rows

WITHIN = 0.35  # mean distance between two photos of one person
BETWEEN = 0.88  # mean distance between photos of two people
_MEAN_NORM = 1.2
_GROUPS = 256


class IsotropicFaces:
    """Groups, identities and photos as Gaussian noise around each other in all 128 dimensions."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        dim = EMBEDDING_DIM
        # Real encodings are anisotropic: a few directions carry most of the spread.
        spectrum = 1.0 / np.sqrt(np.arange(1, dim + 1))
        self.scale = (spectrum / np.sqrt((spectrum**2).sum() / dim)).astype(np.float32)
        mean = self.rng.standard_normal(dim).astype(np.float32)
        self.mean = mean / np.linalg.norm(mean) * _MEAN_NORM
        # Groups (think demographics) take a quarter of the between-identity variance.
        self.groups = self.mean + self._noise(_GROUPS, 0.85 * np.sqrt(0.25))

    def _noise(self, n: int, distance: float) -> np.ndarray:
        # Two independent draws of this noise lie `distance` apart on average.
        sigma = distance / np.sqrt(2 * EMBEDDING_DIM)
        z = self.rng.standard_normal((n, EMBEDDING_DIM), dtype=np.float32)
        return z * (sigma * self.scale)

    def identities(self, n: int) -> np.ndarray:
        group = self.rng.integers(0, _GROUPS, n)
        out = np.empty((n, EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, n, 100_000):
            stop = min(n, start + 100_000)
            out[start:stop] = self.groups[group[start:stop]] + self._noise(
                stop - start, 0.85 * np.sqrt(0.75)
            )
        return out

    def photos_of(self, identities: np.ndarray) -> np.ndarray:
        return (identities + self._noise(len(identities), WITHIN)).astype(np.float32)


class ManifoldFaces:
    """People as points of an `identity_dims`-dimensional latent space, photos adding a small
    change of identity and `nuisance_dims` of pose and lighting; one random tanh layer maps the
    latent point to 128 dimensions, so the gallery lies on a curved surface of
    identity_dims + nuisance_dims dimensions, scaled to face_recognition's distances."""

    _HIDDEN = 96

    def __init__(self, seed: int = 7, identity_dims: int = 24, nuisance_dims: int = 4) -> None:
        self.rng = np.random.default_rng(seed)
        self.identity_dims, self.nuisance_dims = identity_dims, nuisance_dims
        latent = identity_dims + nuisance_dims
        self._w1 = self.rng.standard_normal((latent, self._HIDDEN)).astype(np.float32)
        self._w1 *= 1.5 / np.sqrt(latent)
        self._b1 = (0.5 * self.rng.standard_normal(self._HIDDEN)).astype(np.float32)
        self._w2 = self.rng.standard_normal((self._HIDDEN, EMBEDDING_DIM)).astype(np.float32)
        self._w2 /= np.sqrt(self._HIDDEN)
        mean = self.rng.standard_normal(EMBEDDING_DIM).astype(np.float32)
        self._mean = mean / np.linalg.norm(mean) * _MEAN_NORM
        self._spread, self._scale = 0.25, 1.0
        self._calibrate()

    def _calibrate(self) -> None:
        # Scale the within-person spread until within/between matches, then the whole map.
        people = self.identities(4000)
        for _ in range(20):
            within, between = self._distances(people)
            self._spread *= (WITHIN / BETWEEN) / (within / between)
        self._scale *= BETWEEN / self._distances(people)[1]

    def _distances(self, people: np.ndarray) -> tuple[float, float]:
        a, b = self.photos_of(people), self.photos_of(people)
        within = float(np.linalg.norm(a - b, axis=1).mean())
        between = float(np.linalg.norm(a - np.roll(b, 1, axis=0), axis=1).mean())
        return within, between

    def identities(self, n: int) -> np.ndarray:
        """Return n new people as latent identity points (pass them to `photos_of`)."""
        return self.rng.standard_normal((n, self.identity_dims), dtype=np.float32)

    def photos_of(self, identities: np.ndarray) -> np.ndarray:
        n = len(identities)
        out = np.empty((n, EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, n, 100_000):
            people = identities[start : start + 100_000]
            shift = self.rng.standard_normal(people.shape, dtype=np.float32)
            pose = self.rng.standard_normal((len(people), self.nuisance_dims), dtype=np.float32)
            latent = np.concatenate([people + self._spread * shift, self._spread * 4 * pose], 1)
            hidden = np.tanh(latent @ self._w1 + self._b1)
            out[start : start + len(people)] = self._mean + self._scale * (hidden @ self._w2)
        return out


def generator(kind: str, seed: int, latent_dims: int = 28):
    """Return the named generator; `latent_dims` (ManifoldFaces) counts 4 of pose and lighting."""
    if kind == "isotropic":
        return IsotropicFaces(seed=seed)
    if kind == "manifold":
        return ManifoldFaces(seed=seed, identity_dims=max(1, latent_dims - 4), nuisance_dims=4)
    raise ValueError(f"unknown synthetic gallery {kind!r}")


def local_dimension(
    vectors: np.ndarray, *, sample: int = 1000, k: int = 20, seed: int = 0
) -> float:
    """Estimate the intrinsic dimension around `sample` rows from their k nearest neighbours.

    Levina and Bickel's estimator, averaged as MacKay and Ghahramani suggest (mean of the inverse
    estimates, then inverted).
    """
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(vectors), min(sample, len(vectors)), replace=False)
    sq_norms = np.einsum("ij,ij->i", vectors, vectors)
    inverse = []
    for row, near in zip(rows, nearest_rows(vectors, sq_norms, vectors[rows], k + 1), strict=True):
        distances = np.sort(euclidean(vectors[row], vectors[near]))
        distances = distances[distances > 0][:k]
        inverse.append(np.mean(np.log(distances[-1] / distances[:-1])))
    return float(1.0 / np.mean(inverse))
