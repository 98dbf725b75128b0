"""The one door every uploaded photo goes through: type by content, size limits, clean pixels.

Every route (enrollment, probe, job upload) calls `inspect_image` in the request, which reads
headers and structure and decodes no pixel, with `request_budget_check` over all the request's
images; the worker calls `accept_image`, which decodes. A refusal is an `ImageRejected` with a
stable code that the API maps to HTTP 400 (413 for a request's budget).
"""

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import ExifTags, Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000

_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_CLAIMED_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
}
_UNKNOWN_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pillow modes wider than 8 bits per channel (16-bit greyscale PNG, 32-bit integer or float).
_WIDE_MODES = {
    "I;16": "16-bit greyscale",
    "I;16B": "16-bit greyscale",
    "I;16L": "16-bit greyscale",
    "I": "16- or 32-bit greyscale",
    "F": "32-bit floating-point greyscale",
}
# Formats Pillow might open but that we refuse: named so the message can say what was sent.
_OTHER_SIGNATURES = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"%PDF", "PDF"),
)
# Active content that makes a file dangerous to anything that sniffs it (browsers, unzip, PHP).
_ACTIVE_CONTENT = (
    b"<script",
    b"<html",
    b"<?php",
    b"<svg",
    b"<iframe",
    b"pk\x03\x04",
    b"javascript:",
)
# Bytes some encoders leave after the end marker; anything else there is a second file.
_PADDING = b"\x00\xff\r\n \t"


class ImageRejected(Exception):
    """An upload refused by intake; `code` is stable, `message` is a sentence for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, eq=False)
class AcceptedImage:
    """A decoded upload: upright RGB pixels with every byte of metadata gone."""

    pixels: np.ndarray  # (height, width, 3) uint8, EXIF orientation applied
    format: str  # "JPEG", "PNG" or "WEBP": what the content is, whatever it was called
    content_type: str

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    def encode(self, format: str = "JPEG", *, quality: int = 92) -> bytes:
        """Return the pixels re-encoded from scratch: no EXIF, GPS, comments or trailing bytes.

        This, not the upload, is what should be stored (encrypted) when a raw image must be kept.
        """
        buffer = io.BytesIO()
        options = {"quality": quality} if format in ("JPEG", "WEBP") else {}
        Image.fromarray(self.pixels).save(buffer, format=format, **options)
        return buffer.getvalue()


@dataclass(frozen=True)
class ImageHeader:
    """What an upload's header says, every check that needs no decoding passed."""

    format: str  # "JPEG", "PNG" or "WEBP"
    content_type: str
    width: int
    height: int
    size: int  # bytes

    @property
    def pixels(self) -> int:
        return self.width * self.height


class BudgetExceeded(ImageRejected):
    """The images of one request together are over a budget (``budget`` is "bytes" or
    "pixels"): ``limit`` is the budget, ``requested`` what the request holds."""

    def __init__(self, budget: str, *, limit: int, requested: int) -> None:
        if budget == "bytes":
            message = (
                f"The images of this request are {requested / 2**20:.1f} MB together; the limit "
                f"per request is {limit / 2**20:.0f} MB. Send fewer or smaller images per request."
            )
        else:
            message = (
                f"The images of this request have {requested / 1e6:.1f} megapixels together; the "
                f"limit per request is {limit / 1e6:.0f} megapixels. Send fewer images per "
                "request, or scale them down: a face needs far fewer pixels."
            )
        super().__init__(
            "byte_budget_exceeded" if budget == "bytes" else "pixel_budget_exceeded", message
        )
        self.budget, self.limit, self.requested = budget, limit, requested


def request_budget_check(headers, *, max_bytes: int, max_pixels: int) -> None:
    """Raise BudgetExceeded when the images of one request (their ImageHeader) hold more bytes
    or more decoded pixels together than the budgets allow. Nothing is decoded: the pixels are
    the headers' sizes, so a request is refused before any worker spends time on it."""
    total_bytes = sum(header.size for header in headers)
    if total_bytes > max_bytes:
        raise BudgetExceeded("bytes", limit=max_bytes, requested=total_bytes)
    total_pixels = sum(header.pixels for header in headers)
    if total_pixels > max_pixels:
        raise BudgetExceeded("pixels", limit=max_pixels, requested=total_pixels)


def inspect_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    claimed_type: str | None = None,
) -> ImageHeader:
    """Return what the upload's header says, or raise ImageRejected saying why not, without
    decoding a single pixel: the check a web thread makes (issue 15: decoding twenty 40-megapixel
    PNGs held every web thread for 80 s).

    Every check of `accept_image` that needs no decoding: empty and oversized files, the type by
    content and against `claimed_type`, where the image really ends (truncated files, data after
    the end marker), active content in metadata, `max_pixels` from the header, and pixel formats
    that are refused (16-bit greyscale). Damaged compressed data only shows when decoding: the
    worker's `accept_image` finds it and fails the enrollment with its code (the job as
    ``probe_unreadable``).
    """
    kind, image = _open_checked(data, max_bytes, max_pixels, claimed_type)
    with image:
        width, height = image.size
    return ImageHeader(kind, _CONTENT_TYPES[kind], width, height, len(data))


def accept_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    claimed_type: str | None = None,
) -> AcceptedImage:
    """Return the upload as clean RGB pixels, or raise ImageRejected saying why not.

    Accepts JPEG, PNG and WebP recognised by content, never by name. Refuses empty and oversized
    files, images over `max_pixels` (checked from the header before any decoding), truncated or
    undecodable data, and polyglots: bytes after the image's end marker, active content hidden in
    metadata, or content that disagrees with `claimed_type` (the Content-Type the client sent).
    Decodes every pixel: for workers. A web request calls `inspect_image` instead.
    """
    kind, image = _open_checked(data, max_bytes, max_pixels, claimed_type)
    with warnings.catch_warnings(), image:
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        width, height = image.size
        try:
            # load() decodes every byte, so a file cut short fails here and not later.
            image.load()
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels((width, height), max_pixels) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            if "truncated" in str(exc).lower() or isinstance(exc, EOFError):
                raise _truncated(kind) from exc
            raise ImageRejected(
                "not_an_image", f"The {kind} image data is damaged and cannot be decoded."
            ) from exc
        try:
            pixels = np.asarray(_to_rgb(_upright(image)))
        except (OSError, ValueError) as exc:
            raise ImageRejected(
                "unsupported_type", f"This {kind} pixel format ({image.mode}) is not accepted."
            ) from exc
    return AcceptedImage(pixels=pixels, format=kind, content_type=_CONTENT_TYPES[kind])


def _open_checked(
    data: bytes, max_bytes: int, max_pixels: int, claimed_type: str | None
) -> tuple[str, Image.Image]:
    """Return the format and the image opened lazily (header read, no pixel decoded), after
    every check that needs no decoding; raise ImageRejected otherwise."""
    if not data:
        raise ImageRejected("empty", "The file is empty.")
    if len(data) > max_bytes:
        raise ImageRejected(
            "too_large",
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.",
        )
    kind = _sniff(data)
    content_type = _CONTENT_TYPES[kind]
    if claimed_type is not None:
        claimed = claimed_type.split(";")[0].strip().lower()
        claimed = _CLAIMED_ALIASES.get(claimed, claimed)
        # Clients that do not know the type say so; only a specific, different claim is suspect.
        if claimed not in _UNKNOWN_TYPES and claimed != content_type:
            raise ImageRejected(
                "polyglot",
                f"The file was sent as {claimed or 'no type'} but its content is {kind}.",
            )
    declared = _check_structure(kind, data)
    if declared and declared[0] * declared[1] > max_pixels:
        raise _too_many_pixels(declared, max_pixels)

    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; our max_pixels decides instead.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[kind])
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels(None, max_pixels) from exc
        except Exception as exc:  # Pillow raises many types for malformed headers
            raise ImageRejected("not_an_image", f"The {kind} header cannot be read.") from exc
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise _too_many_pixels((width, height), max_pixels)
    if image.mode in _WIDE_MODES:
        image.close()
        # Converting these to 8-bit RGB clips every value above 255: a 16-bit greyscale PNG
        # came out almost white and failed later as no_face (issue 15).
        raise ImageRejected(
            "unsupported_type",
            f"This {kind} is {_WIDE_MODES[image.mode]} ({image.mode}), which is not "
            "accepted; send an 8-bit greyscale or colour image.",
        )
    return kind, image


def _sniff(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    for signature, name in _OTHER_SIGNATURES:
        if data.startswith(signature):
            raise ImageRejected(
                "unsupported_type", f"{name} files are not accepted; send JPEG, PNG or WebP."
            )
    try:
        with Image.open(io.BytesIO(data)) as other:
            name = other.format or "this image type"
    except Exception:
        raise ImageRejected(
            "not_an_image", "The file is not an image (expected JPEG, PNG or WebP)."
        ) from None
    raise ImageRejected(
        "unsupported_type", f"{name} files are not accepted; send JPEG, PNG or WebP."
    )


def _check_structure(kind: str, data: bytes) -> tuple[int, int] | None:
    """Return the size the header declares, after checking where the image really ends and
    what its metadata holds; no pixel is decoded."""
    if kind == "JPEG":
        end, metadata, size = _jpeg_extent(data, 0)
        # Phones append further complete JPEGs (MPF depth maps, HDR gain maps); each is walked
        # and checked the same way, so only a chain of real JPEG images may follow the first.
        while data.startswith(b"\xff\xd8\xff", end):
            end, more, _ = _jpeg_extent(data, end)
            metadata += more
    elif kind == "PNG":
        end, metadata, size = _png_extent(data)
    else:
        end, metadata, size = _webp_extent(data)
    tail = data[end:]
    if tail.strip(_PADDING):
        raise ImageRejected(
            "polyglot",
            f"The file has {len(tail)} bytes of other data after the end of the {kind} image.",
        )
    for block in metadata:
        lowered = block.lower()
        if any(marker in lowered for marker in _ACTIVE_CONTENT):
            raise ImageRejected(
                "polyglot", f"The {kind} metadata contains script, markup or an archive."
            )
    return size


def _jpeg_extent(data: bytes, start: int) -> tuple[int, list[bytes], tuple[int, int] | None]:
    """Return the offset just past the EOI marker, the APPn/COM payloads and the frame size."""
    metadata: list[bytes] = []
    frame = None
    pos, size = start + 2, len(data)
    while True:
        if pos + 2 > size:
            raise _truncated("JPEG")
        if data[pos] != 0xFF:
            # libjpeg skips stray bytes between segments with a warning; so do we.
            pos = data.find(b"\xff", pos)
            if pos < 0:
                raise _truncated("JPEG")
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2, metadata, frame
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if pos + 4 > size or length < 2 or pos + 2 + length > size:
            raise _truncated("JPEG")
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            metadata.append(data[pos + 4 : pos + 2 + length])
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and length >= 7:
            # SOFn: precision, then height and width.
            frame = (_u16(data, pos + 7), _u16(data, pos + 5))
        pos += 2 + length
        if marker == 0xDA:
            pos = _skip_entropy_coded(data, pos)


def _skip_entropy_coded(data: bytes, pos: int) -> int:
    """Return the offset of the first marker after scan data, skipping stuffed FF00 and RSTn."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise _truncated("JPEG")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1 if following == 0xFF else 2
            continue
        return pos


def _png_extent(data: bytes) -> tuple[int, list[bytes], tuple[int, int] | None]:
    """Return the offset just past the IEND chunk, the text chunk payloads and the IHDR size."""
    metadata: list[bytes] = []
    frame = None
    pos, size = len(_PNG_SIGNATURE), len(data)
    while True:
        if pos + 12 > size:
            raise _truncated("PNG")
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > size:
            raise _truncated("PNG")
        if chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf"):
            metadata.append(data[pos + 8 : pos + 8 + length])
        elif chunk == b"IHDR" and length >= 8:
            frame = (_u32(data, pos + 8), _u32(data, pos + 12))
        if chunk == b"IEND":
            return end, metadata, frame
        pos = end


def _webp_extent(data: bytes) -> tuple[int, list[bytes], tuple[int, int] | None]:
    """Return the end given by the RIFF header, the EXIF/XMP payloads and the canvas size."""
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        raise _truncated("WebP")
    metadata: list[bytes] = []
    frame = None
    pos = 12
    while pos + 8 <= end:
        chunk = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = data[pos + 8 : pos + 8 + length]
        if chunk in (b"EXIF", b"XMP "):
            metadata.append(body)
        elif frame is None and chunk == b"VP8X" and length >= 10:
            frame = (
                1 + int.from_bytes(body[4:7], "little"),
                1 + int.from_bytes(body[7:10], "little"),
            )
        elif frame is None and chunk == b"VP8L" and length >= 5:
            bits = int.from_bytes(body[1:5], "little")
            frame = (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF))
        elif frame is None and chunk == b"VP8 " and length >= 10:
            frame = (_u16le(body, 6) & 0x3FFF, _u16le(body, 8) & 0x3FFF)
        pos += 8 + length + (length & 1)
    return end, metadata, frame


def _u16(data: bytes, pos: int) -> int:
    return int.from_bytes(data[pos : pos + 2], "big")


def _u16le(data: bytes, pos: int) -> int:
    return int.from_bytes(data[pos : pos + 2], "little")


def _u32(data: bytes, pos: int) -> int:
    return int.from_bytes(data[pos : pos + 4], "big")


def _upright(image: Image.Image) -> Image.Image:
    # exif_transpose copies even an upright image; on a 2 MP photo that copy costs 10-15 ms.
    if image.getexif().get(ExifTags.Base.Orientation, 1) in (2, 3, 4, 5, 6, 7, 8):
        return ImageOps.exif_transpose(image)
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels carry arbitrary colour; put them on white as a viewer would show them.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _truncated(kind: str) -> ImageRejected:
    return ImageRejected(
        "truncated", f"The {kind} file is incomplete: it ends before the image does."
    )


def _too_many_pixels(size: tuple[int, int] | None, max_pixels: int) -> ImageRejected:
    stated = f"is {size[0]}x{size[1]} pixels" if size else "has too many pixels"
    return ImageRejected(
        "too_many_pixels",
        f"The image {stated}; the limit is {max_pixels / 1e6:.0f} megapixels.",
    )
