"""Face detection and encoding on top of face_recognition (dlib HOG + ResNet), made fast and safe.

Detection runs on a greyscale copy scaled to what the detector needs: the long side at most
`long_side` pixels (default 1000; HOG costs about 400 ms per megapixel), and for enrollment no
finer than the smallest face that could be enrolled. Encoding runs on the original pixels inside
the mapped-back boxes, so templates keep full-resolution detail.
"""

import importlib.metadata
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

UPSAMPLE = 1
DETECT_LONG_SIDE = 1000
# The encoder reads a 150 px chip: a face under 100 px is blown up 1.5 times or more to fill it,
# and its template carries that blur into every later match.
MIN_ENROLL_FACE_PX = 100
# HOG's 80 px window, run on a copy upsampled once, finds faces down to about 40 px.
_HOG_SMALLEST_FACE_PX = 40
# Photos up to this long side are searched at full size for enrollment, so a small face there is
# reported as too small rather than not found.
_ENROLL_DETECT_FLOOR_PX = 640


def _installed(*names: str) -> str:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


# Stored beside every template: templates from different models must never be compared.
MODEL_VERSION = (
    f"dlib-{_installed('dlib-bin', 'dlib')}"
    f"/face_recognition_models-{_installed('face-recognition-models', 'face_recognition_models')}"
    f"/hog-upsample{UPSAMPLE}"
)


class EngineUnavailable(RuntimeError):
    """face_recognition (or its model weights) cannot be loaded in this process."""


class EnrollmentImageInvalid(Exception):
    """A photo unfit for enrollment; `code` is stable, `message` is a sentence for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Box = tuple[int, int, int, int]  # (top, right, bottom, left), face_recognition's order


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face: its box in the original image's pixels and its 128-d float32 template."""

    box: Box
    encoding: np.ndarray

    @property
    def size(self) -> int:
        """Return the shorter side of the box in pixels."""
        top, right, bottom, left = self.box
        return min(bottom - top, right - left)


@cache
def _library():
    # face_recognition_models calls quit() when pkg_resources is missing (setuptools >= 81), which
    # would silently end a web or Celery worker; SystemExit is caught here for that reason.
    try:
        import face_recognition
    except (ImportError, SystemExit) as exc:
        raise EngineUnavailable(
            "face_recognition could not be loaded: install face-recognition, dlib-bin, "
            "face-recognition-models and setuptools<81 (see DEPENDENCIES.md)."
        ) from exc
    # Importing face_recognition sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process, which
    # would let a damaged upload decode as noise on the worker and fail later as "no face"
    # instead of being refused as damaged (recognition.intake); the portal decodes with Pillow
    # itself, so the library's setting is put back.
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return face_recognition


def detect(
    image: np.ndarray,
    *,
    long_side: int = DETECT_LONG_SIDE,
    smallest_face_px: int | None = None,
) -> list[Box]:
    """Return face boxes (top, right, bottom, left) in the image's own pixel coordinates.

    Images longer than `long_side` are scaled down for the HOG detector only, which then finds
    faces down to about 40 px at that scale (80 px on a 2000 px photo). With `smallest_face_px`
    the copy may be smaller still, down to the scale where such a face is 50 px (a margin above
    the detector's 40), but a photo is never searched at under 640 px on its long side.
    """
    image = _rgb(image)
    height, width = image.shape[:2]
    scale = detection_scale(max(height, width), long_side, smallest_face_px)
    small = _detection_copy(image, scale)
    found = _library().face_locations(small, number_of_times_to_upsample=UPSAMPLE, model="hog")
    return [_scale_box(box, scale, width, height) for box in found]


def detection_scale(longest: int, long_side: int, smallest_face_px: int | None = None) -> float:
    """Return the factor (at most 1) applied to a photo whose long side is `longest` before HOG."""
    scale = min(1.0, long_side / longest)
    if smallest_face_px:
        needed = 1.25 * _HOG_SMALLEST_FACE_PX / smallest_face_px
        scale = min(scale, max(needed, _ENROLL_DETECT_FLOOR_PX / longest))
    return scale


def detect_and_encode(
    image: np.ndarray, *, long_side: int = DETECT_LONG_SIDE
) -> list[DetectedFace]:
    """Return every face found with its template, in detector order.

    Encodings come from the full-resolution pixels with face_recognition's defaults (5-point
    landmarks, one jitter). Only the box differs from the naive full-size pipeline's, which moves
    an encoding by about 0.03-0.06 (docs/benchmarks.md), far below the 0.6 threshold.
    """
    image = _rgb(image)
    boxes = detect(image, long_side=long_side)
    if not boxes:
        return []
    return [
        DetectedFace(box=box, encoding=encoding)
        for box, encoding in zip(boxes, _encode(image, boxes), strict=True)
    ]


def enrollment_face(
    image: np.ndarray,
    *,
    min_face_px: int = MIN_ENROLL_FACE_PX,
    long_side: int = DETECT_LONG_SIDE,
) -> DetectedFace:
    """Return the one face of an enrollment photo, or raise EnrollmentImageInvalid.

    Every detection counts, as in the naive pipeline: a photo where the detector also fires on
    something else (the astronaut's mission patch) is refused rather than guessed at, because
    enrolling the wrong face would match the subject's consent to someone else's template. On a
    large photo, faces much smaller than `min_face_px` (a passer-by far behind) are not looked
    for: none of them could be the one enrolled.
    """
    image = _rgb(image)
    boxes = detect(image, long_side=long_side, smallest_face_px=min_face_px)
    box = enrollment_box(boxes, min_face_px=min_face_px)
    return DetectedFace(box=box, encoding=_encode(image, [box])[0])


def enrollment_box(boxes: list[Box], *, min_face_px: int = MIN_ENROLL_FACE_PX) -> Box:
    """Return the one box fit for enrollment among a photo's detections, or raise
    EnrollmentImageInvalid: exactly one face, at least `min_face_px` across."""
    if not boxes:
        raise EnrollmentImageInvalid("no_face", "No face was found in the photo.")
    if len(boxes) > 1:
        raise EnrollmentImageInvalid(
            "several_faces",
            f"The photo shows {len(boxes)} faces; an enrollment photo must show exactly one.",
        )
    top, right, bottom, left = boxes[0]
    size = min(bottom - top, right - left)
    if size < min_face_px:
        raise EnrollmentImageInvalid(
            "face_too_small",
            f"The face is {size} px across; at least {min_face_px} px is needed.",
        )
    return boxes[0]


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Return the Euclidean distance between two templates (same person below 0.6)."""
    return float(np.linalg.norm(np.asarray(a, np.float32) - np.asarray(b, np.float32)))


def _encode(image: np.ndarray, boxes: list[Box]) -> list[np.ndarray]:
    # The whole array goes to dlib with the boxes: encoding a crop around each face gave
    # bit-identical templates but no speed-up (dlib reads the array in place; 118 against 125 ms
    # a face at 8 MP), so the simpler call stays.
    encodings = _library().face_encodings(image, known_face_locations=boxes)
    return [np.asarray(encoding, dtype=np.float32) for encoding in encodings]


def _rgb(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 array (h, w, 3), got {image.dtype} {image.shape}")
    return image


def _detection_copy(image: np.ndarray, scale: float) -> np.ndarray:
    # Greyscale: dlib's HOG takes the strongest of three colour gradients otherwise, which costs
    # a third more time for the same faces (bench/enroll.py compares decisions on every photo).
    picture = Image.fromarray(image)
    if scale >= 1.0:
        return np.asarray(picture.convert("L"))
    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Averaging whole blocks first is cheap and anti-aliases; bilinear takes the last step.
    factor = int(1 / scale)
    if factor > 1:
        picture = picture.reduce(factor)
    return np.asarray(picture.convert("L").resize(size, Image.Resampling.BILINEAR))


def _scale_box(box: Box, scale: float, width: int, height: int) -> Box:
    top, right, bottom, left = (round(v / scale) for v in box)
    return (max(top, 0), min(right, width), min(bottom, height), max(left, 0))
