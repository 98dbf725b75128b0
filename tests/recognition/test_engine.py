"""Face detection and encoding on the test photos in tests/faces (recognition/engine.py)."""

import builtins

import numpy as np
import pytest

from recognition import engine
from recognition.engine import EngineUnavailable, EnrollmentImageInvalid
from recognition.intake import accept_image
from recognition.matching import MATCH_THRESHOLD


@pytest.fixture(scope="session")
def pixels(faces) -> dict[str, np.ndarray]:
    return {name: accept_image(faces.read(name)).pixels for name in faces.manifest}


@pytest.fixture(scope="session")
def found(pixels) -> dict[str, list[engine.DetectedFace]]:
    """Every test photo through detect_and_encode once (about 0.3 s a photo)."""
    return {name: engine.detect_and_encode(image) for name, image in pixels.items()}


def _iou(a, b) -> float:
    top, right = max(a[0], b[0]), min(a[1], b[1])
    bottom, left = min(a[2], b[2]), max(a[3], b[3])
    inter = max(0, bottom - top) * max(0, right - left)

    def area(box):
        return (box[2] - box[0]) * (box[1] - box[3])

    return inter / (area(a) + area(b) - inter)


def test_face_counts_match_the_naive_pipeline_on_every_test_photo(faces, found):
    # The manifest counts real faces; the detector also fires on the astronaut's mission patch,
    # and the naive full-size pipeline finds the same two detections.
    expected = {name: entry["faces"] for name, entry in faces.manifest.items()}
    expected["astronaut_skimage.jpg"] = 2

    assert {name: len(detected) for name, detected in found.items()} == expected


def test_two_people_photo_yields_two_faces(found):
    assert len(found["two_people.jpg"]) == 2


def test_photo_without_face_yields_no_faces(found):
    assert found["no_face_coffee_skimage.jpg"] == []
    assert found["no_face_cat_chelsea_skimage.jpg"] == []


def test_encodings_are_128_float32_values(found):
    (face,) = found["obama.jpg"]

    assert face.encoding.shape == (128,)
    assert face.encoding.dtype == np.float32
    assert 1.0 < np.linalg.norm(face.encoding) < 1.8


def test_obama_photos_match_within_threshold(found):
    distance = engine.face_distance(found["obama.jpg"][0].encoding, found["obama2.jpg"][0].encoding)

    assert distance < MATCH_THRESHOLD
    assert distance == pytest.approx(0.35, abs=0.08)


def test_different_people_do_not_match(found):
    distance = engine.face_distance(found["obama.jpg"][0].encoding, found["biden.jpg"][0].encoding)

    assert distance > MATCH_THRESHOLD
    assert distance == pytest.approx(0.84, abs=0.08)


def test_each_person_in_group_photo_matches_their_portrait(found):
    group = [face.encoding for face in found["two_people.jpg"]]

    for portrait in ("obama.jpg", "biden.jpg"):
        distances = [engine.face_distance(found[portrait][0].encoding, e) for e in group]
        assert sorted(distances)[0] < MATCH_THRESHOLD < sorted(distances)[1]


def test_boxes_from_scaled_detection_are_in_original_coordinates(pixels, found):
    # biden.jpg is 970x2204, so detection ran at 440x1000; the naive full-size box is below.
    naive_box = (241, 740, 562, 419)
    (face,) = found["biden.jpg"]
    height, width = pixels["biden.jpg"].shape[:2]

    assert 0 <= face.box[0] < face.box[2] <= height
    assert 0 <= face.box[3] < face.box[1] <= width
    assert _iou(face.box, naive_box) > 0.7


def test_enrollment_refuses_photo_without_face(pixels):
    with pytest.raises(EnrollmentImageInvalid, match="No face") as caught:
        engine.enrollment_face(pixels["no_face_coffee_skimage.jpg"])

    assert caught.value.code == "no_face"


@pytest.mark.parametrize(
    ("longest", "smallest_face_px", "expected"),
    [
        (1581, None, 1000 / 1581),  # probes: the long side capped at 1000 px
        (800, None, 1.0),  # never enlarged
        (1581, 100, 0.5),  # enrollment, 2 MP portrait: a 100 px face is 50 px for HOG
        (2236, 100, 1000 / 2236),  # the long-side cap still applies
        (1000, 100, 0.64),  # never under 640 px on the long side
        (427, 100, 1.0),  # small photos at full size: a small face is "too small", not missing
    ],
)
def test_detection_scale_follows_long_side_and_smallest_enrollable_face(
    longest, smallest_face_px, expected
):
    scale = engine.detection_scale(longest, engine.DETECT_LONG_SIDE, smallest_face_px)

    assert scale == pytest.approx(expected)


def test_enrollment_refuses_photo_with_two_people(pixels):
    with pytest.raises(EnrollmentImageInvalid, match="2 faces") as caught:
        engine.enrollment_face(pixels["two_people.jpg"])

    assert caught.value.code == "several_faces"


def test_enrollment_refuses_astronaut_photo_where_detector_also_fires_on_mission_patch(pixels):
    with pytest.raises(EnrollmentImageInvalid) as caught:
        engine.enrollment_face(pixels["astronaut_skimage.jpg"])

    assert caught.value.code == "several_faces"


def test_enrollment_refuses_face_smaller_than_minimum(pixels):
    with pytest.raises(EnrollmentImageInvalid, match="62 px") as caught:
        engine.enrollment_face(pixels["obama-240p.jpg"], min_face_px=80)

    assert caught.value.code == "face_too_small"


def test_enrollment_accepts_single_large_face_and_matches_its_person(pixels, found):
    face = engine.enrollment_face(pixels["obama_small.jpg"])

    assert face.size >= engine.MIN_ENROLL_FACE_PX
    assert engine.face_distance(face.encoding, found["obama.jpg"][0].encoding) < MATCH_THRESHOLD


def test_engine_unavailable_when_face_recognition_import_quits(monkeypatch):
    real_import = builtins.__import__

    def quitting_import(name, *args, **kwargs):
        if name == "face_recognition":
            raise SystemExit(0)  # what face_recognition does without its models
        return real_import(name, *args, **kwargs)

    engine._library.cache_clear()
    monkeypatch.setattr(builtins, "__import__", quitting_import)
    try:
        with pytest.raises(EngineUnavailable, match="setuptools<81"):
            engine.detect(np.zeros((10, 10, 3), dtype=np.uint8))
    finally:
        monkeypatch.undo()
        engine._library.cache_clear()


def test_engine_refuses_arrays_that_are_not_rgb_uint8():
    with pytest.raises(ValueError, match="RGB uint8"):
        engine.detect(np.zeros((10, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match="RGB uint8"):
        engine.detect(np.zeros((10, 10, 3), dtype=np.float32))


def test_model_version_names_detector_and_weights():
    assert engine.MODEL_VERSION.startswith("dlib-20.")
    assert "face_recognition_models-0.3.0" in engine.MODEL_VERSION
    assert engine.MODEL_VERSION.endswith("hog-upsample1")
