"""Where the faces of a job's images were found, drawn on the photo's preview or a plain frame.

Recognition deletes each probe image as soon as its faces are encoded (recognition.services.jobs,
job_detect_image) and keeps only a small encrypted preview for a limited time
(recognition.services.previews). While it lives, the boxes are scaled onto it; once it is gone,
they are drawn on a plain frame the size of the region they span. Either way they are numbered
as the results table numbers them (from 1).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

MARGIN = 0.15  # of the drawing's larger side, around the faces


@dataclass(frozen=True)
class FaceBox:
    number: int
    x: int
    y: int
    width: int
    height: int
    label: str


@dataclass(frozen=True)
class ImageBoxes:
    number: int
    view_box: str
    boxes: list[FaceBox]
    # Set while the image's preview lives: its URL and size (the drawing's coordinates).
    image_url: str = ""
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Preview:
    url: str
    width: int
    height: int
    scale: float


def box_geometry(box) -> tuple[int, int, int, int]:
    """Return (x, y, width, height) of a (top, right, bottom, left) box, as the engine gives."""
    top, right, bottom, left = (int(v) for v in box)
    return left, top, max(right - left, 1), max(bottom - top, 1)


def box_text(box) -> str:
    """Return a box in words: "120×140 px at (35, 60)"."""
    if not box or len(box) != 4:
        return ""
    x, y, w, h = box_geometry(box)
    return _("%(w)d×%(h)d px at (%(x)d, %(y)d)") % {"w": w, "h": h, "x": x, "y": y}


def _scaled(box: FaceBox, scale: float) -> FaceBox:
    return FaceBox(
        box.number,
        round(box.x * scale),
        round(box.y * scale),
        max(round(box.width * scale), 1),
        max(round(box.height * scale), 1),
        box.label,
    )


def images_with_boxes(results, named_label, previews=None) -> list[ImageBoxes]:
    """Group the results by image into drawings, each face numbered and labelled.

    ``previews`` maps an image index to its live Preview; those images are drawn on it.
    """
    previews = previews or {}
    by_image: dict[int, list] = {}
    for result in results:
        if result.box and len(result.box) == 4:
            by_image.setdefault(result.image_index, []).append(result)
    drawings = []
    for index in sorted(by_image):
        boxes = [
            FaceBox(r.face_index + 1, *box_geometry(r.box), named_label(r)) for r in by_image[index]
        ]
        preview = previews.get(index)
        if preview is not None:
            view = f"0 0 {preview.width} {preview.height}"
            scaled = [_scaled(b, preview.scale) for b in boxes]
            drawings.append(
                ImageBoxes(index + 1, view, scaled, preview.url, preview.width, preview.height)
            )
            continue
        left = min(b.x for b in boxes)
        top = min(b.y for b in boxes)
        right = max(b.x + b.width for b in boxes)
        bottom = max(b.y + b.height for b in boxes)
        pad = int(max(right - left, bottom - top) * MARGIN) + 1
        view = f"{left - pad} {top - pad} {right - left + 2 * pad} {bottom - top + 2 * pad}"
        drawings.append(ImageBoxes(index + 1, view, boxes))
    return drawings
