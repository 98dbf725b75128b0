"""Incremental recalibration (issue 13, R54): the kept held-out sample, brought up to a changed
gallery, gives the distances a new search would and the operating point a full calibration would.

Galleries here are searched exactly, so "a new search" is the reference to the last digit.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from recognition.matching import Gallery
from recognition.matching.calibration import (
    FULL,
    INCREMENTAL,
    SEARCH_K,
    calibrate,
    recalibrate,
)
from recognition.matching.held_out import HeldOutSample, gallery_contents, held_out_distances

_spec = importlib.util.spec_from_file_location(
    "synthetic_faces", Path(__file__).resolve().parents[2] / "bench" / "synthetic_faces.py"
)
synthetic_faces = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic_faces)

DECLARED = 1e-2


@pytest.fixture(scope="module")
def population():
    """4,000 face-like people, a photo of each, a second photo of each, genuine distances."""
    faces = synthetic_faces.IsotropicFaces(seed=23)
    people = faces.identities(4000)
    first, second = faces.photos_of(people), faces.photos_of(people)
    genuine = np.linalg.norm(first[:1000] - second[:1000], axis=1)
    return {"faces": faces, "first": first, "second": second, "genuine": genuine}


def _gallery(population, people: int) -> Gallery:
    gallery = Gallery(indexed=False)
    gallery.add_many(
        np.arange(people), population["first"][:people], [f"s{i}" for i in range(people)]
    )
    return gallery


def _add_people(gallery: Gallery, population, start: int, stop: int) -> None:
    gallery.add_many(
        np.arange(start, stop),
        population["first"][start:stop],
        [f"s{i}" for i in range(start, stop)],
    )


def _run(gallery, population, previous=None, **kw):
    return recalibrate(
        gallery,
        previous=previous,
        declared_fpir=DECLARED,
        genuine_distances=population["genuine"],
        exact=True,
        **kw,
    )


def _assert_as_searched_anew(gallery, held: HeldOutSample) -> None:
    fresh = held_out_distances(
        gallery, gallery_contents(gallery), held.probes, exact=True, search_k=SEARCH_K
    )
    np.testing.assert_allclose(held.d1, fresh.d1, rtol=0, atol=1e-6)
    np.testing.assert_allclose(held.d2, fresh.d2, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(held.nearest, fresh.nearest)
    np.testing.assert_array_equal(held.second, fresh.second)


def test_r54_incremental_after_additions_equals_full(population):
    gallery = _gallery(population, 2000)
    first = _run(gallery, population)
    assert first.point.kind == FULL and first.point.probes_searched == 2000
    probe = int(first.held_out.probes[0])
    old_d1 = float(first.held_out.d1[0])
    # 2% more people; one of them a near look-alike of a held-out person, who also re-enrols
    # with a photo nearer still (their own template, never a look-alike of themselves).
    _add_people(gallery, population, 2000, 2040)
    look_alike = gallery.vector(probe) + np.float32(old_d1 / 4 / np.sqrt(128))
    gallery.add(9000, look_alike, subject="look-alike")
    gallery.add(9001, gallery.vector(probe) + np.float32(0.001), subject=gallery.subject(probe))

    again = _run(gallery, population, previous=first.held_out)
    point, held = again.point, again.held_out
    assert point.kind == INCREMENTAL and not point.fallback
    assert (point.added_templates, point.removed_templates) == (42, 0)
    # Only the 41 new identities were searched; every kept probe was compared with 42 vectors.
    assert point.probes_searched == 41
    assert point.impostor_samples == 2041
    _assert_as_searched_anew(gallery, held)
    row = int(np.flatnonzero(held.probes == probe)[0])
    assert held.nearest[row] == 9000
    assert held.d1[row] == pytest.approx(old_d1 / 4, rel=1e-3)
    assert held.second[row] == first.held_out.nearest[0]

    full = _run(gallery, population).point
    assert full.kind == FULL
    assert point.threshold == pytest.approx(full.threshold, abs=2e-3)
    assert point.margin == pytest.approx(full.margin, abs=5e-3)
    assert point.estimated_fpir == pytest.approx(full.estimated_fpir, rel=0.1)


def test_r54_incremental_keeps_a_capped_sample_uniform_and_exact(population):
    gallery = _gallery(population, 3000)
    first = _run(gallery, population, sample=1000)
    _add_people(gallery, population, 3000, 3150)  # 5% more people
    again = _run(gallery, population, previous=first.held_out, sample=1000)
    point, held = again.point, again.held_out
    assert point.kind == INCREMENTAL
    assert len(held.probes) == 1000 == len(set(held.probes.tolist()))
    # New people join the sample in their share of the gallery (150 of 3,150), old ones leave.
    joined = int((held.probes >= 3000).sum())
    assert joined == round(1000 * 150 / 3150)
    assert point.probes_searched == joined
    _assert_as_searched_anew(gallery, held)
    full = _run(gallery, population, sample=1000).point
    assert point.threshold == pytest.approx(full.threshold, abs=0.02)


def _apart(gallery, held: HeldOutSample, count: int) -> list[int]:
    """Rows of `count` probes none of which is another chosen probe's nearest identity."""
    rows, own, nearest = [], set(), set()
    for row, probe in enumerate(held.probes):
        mine, theirs = gallery.subject(int(probe)), gallery.subject(int(held.nearest[row]))
        if mine in nearest or theirs in own or theirs == mine:
            continue
        rows.append(row)
        own.add(mine)
        nearest.add(theirs)
        if len(rows) == count:
            return rows
    raise AssertionError("not enough separate probes")


def test_r54_removal_of_a_probes_nearest_identity_is_searched_again(population):
    gallery = _gallery(population, 2000)
    # A second template for some people: a removal then leaves an identity with one.
    gallery.add_many(
        np.arange(10_000, 10_100), population["second"][:100], [f"s{i}" for i in range(100)]
    )
    first = _run(gallery, population).held_out
    chosen = _apart(gallery, first, 5)
    # Withdrawal purges: the nearest identity of five probes leaves entirely...
    gone_nearest = {gallery.subject(int(first.nearest[row])) for row in chosen}
    for label in gallery.labels():
        if gallery.subject(int(label)) in gone_nearest:
            gallery.remove(int(label))
    # ...and three other probes' own templates leave (some of their people keep another).
    others = [
        int(p)
        for row, p in enumerate(first.probes)
        if row not in chosen and int(p) in gallery and int(p) not in first.nearest[chosen]
    ]
    own_gone = others[:3]
    for label in own_gone:
        gallery.remove(label)

    again = _run(gallery, population, previous=first)
    point, held = again.point, again.held_out
    assert point.kind == INCREMENTAL
    assert not set(own_gone) & set(held.probes.tolist())
    for row in chosen:
        new_row = int(np.flatnonzero(held.probes == first.probes[row])[0])
        assert gallery.subject(int(held.nearest[new_row])) not in gone_nearest
        assert held.d1[new_row] >= first.d1[row]
    # Searched again: only the kept probes whose nearest or second template left, and the
    # people drawn to replace dropped probes.
    now = set(gallery.labels().tolist())
    stale = sum(
        1
        for row, probe in enumerate(first.probes)
        if int(probe) in now
        and (
            (first.nearest[row] >= 0 and int(first.nearest[row]) not in now)
            or (first.second[row] >= 0 and int(first.second[row]) not in now)
        )
    )
    joined = set(held.probes.tolist()) - set(first.probes.tolist())
    assert stale >= 5
    assert point.probes_searched == stale + len(joined)
    _assert_as_searched_anew(gallery, held)
    full = _run(gallery, population).point
    assert point.threshold == pytest.approx(full.threshold, abs=5e-3)


def test_r54_unchanged_gallery_recalibrates_without_searching(population):
    gallery = _gallery(population, 1500)
    first = _run(gallery, population)
    again = _run(gallery, population, previous=first.held_out)
    assert again.point.kind == INCREMENTAL
    assert again.point.probes_searched == 0
    assert again.point.threshold == first.point.threshold
    assert again.point.det == first.point.det


def test_r54_large_change_falls_back_to_full(population):
    gallery = _gallery(population, 2000)
    first = _run(gallery, population)
    _add_people(gallery, population, 2000, 2500)  # 25% more
    again = _run(gallery, population, previous=first.held_out)
    assert again.point.kind == FULL
    assert again.point.fallback == "500 of 2000 templates changed"
    assert again.point.added_templates == 500
    assert again.point.probes_searched == 2500


def test_r54_too_many_probes_to_search_again_falls_back_to_full(population):
    gallery = _gallery(population, 3000)
    first = _run(gallery, population, sample=300)
    # 80 held-out people leave (under 3% of the gallery): 80 of 300 probes must be redrawn.
    for label in first.held_out.probes[:80]:
        gallery.remove(int(label))
    again = _run(gallery, population, previous=first.held_out, sample=300)
    assert again.point.kind == FULL
    searched, _of, target = again.point.fallback.split()[:3]
    assert again.point.fallback.endswith("probes would be searched again")
    assert int(searched) >= 80 and target == "300"


def test_held_out_sample_round_trips_and_holds_no_vectors(population):
    gallery = _gallery(population, 500)
    held = _run(gallery, population).held_out
    data = held.to_bytes()
    back = HeldOutSample.from_bytes(data)
    for name in ("labels", "probes", "d1", "d2", "nearest", "second"):
        np.testing.assert_array_equal(getattr(back, name), getattr(held, name))
        # Template ids and distances only: one number per template or probe.
        assert getattr(back, name).ndim == 1
    assert len(back.labels) == 500 and len(back.probes) == 500


def test_full_calibration_is_unchanged_by_keeping_the_sample(population):
    gallery = _gallery(population, 1500)
    point = calibrate(gallery, declared_fpir=DECLARED, genuine_distances=population["genuine"])
    assert point.kind == FULL and not point.fallback
    assert point.probes_searched == 1500
