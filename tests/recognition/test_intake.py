"""The single image intake every upload route uses (recognition/intake.py)."""

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from recognition.intake import ImageRejected, accept_image


def _encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def _png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims a huge size; decoding it would need width x height pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
        + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    )  # fmt: skip


def _rejection(data: bytes, **options) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        accept_image(data, **options)
    return caught.value


@pytest.fixture(scope="module")
def obama_jpeg(faces) -> bytes:
    return faces.read("obama.jpg")


@pytest.fixture(scope="module")
def small_rgb() -> Image.Image:
    return Image.new("RGB", (64, 48), (200, 120, 40))


def test_jpeg_photo_is_accepted_as_rgb_pixels(obama_jpeg):
    image = accept_image(obama_jpeg)

    assert (image.width, image.height, image.format) == (910, 1137, "JPEG")
    assert image.content_type == "image/jpeg"
    assert image.pixels.shape == (1137, 910, 3)
    assert image.pixels.dtype == np.uint8


@pytest.mark.parametrize("format", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(small_rgb, format):
    image = accept_image(_encode(small_rgb, format, lossless=True))

    assert image.format == format
    assert image.pixels[0, 0].tolist() == [200, 120, 40]


def test_transparent_png_is_flattened_onto_white():
    clear = Image.new("RGBA", (8, 8), (0, 0, 0, 0))

    image = accept_image(_encode(clear, "PNG"))

    assert image.pixels.shape == (8, 8, 3)
    assert image.pixels[0, 0].tolist() == [255, 255, 255]


def test_exif_orientation_is_applied(small_rgb):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display

    image = accept_image(_encode(small_rgb, "JPEG", exif=exif))

    assert (image.width, image.height) == (48, 64)


def test_reencoded_image_carries_no_metadata(obama_jpeg):
    assert b"Souza" in obama_jpeg  # the photographer's credit lives in the EXIF data

    clean = accept_image(obama_jpeg).encode()

    assert b"Souza" not in clean
    assert b"Exif" not in clean
    assert accept_image(clean).pixels.shape == (1137, 910, 3)


def test_empty_upload_is_rejected():
    rejection = _rejection(b"")

    assert rejection.code == "empty"
    assert "empty" in rejection.message


def test_upload_over_byte_limit_is_rejected(obama_jpeg):
    rejection = _rejection(obama_jpeg, max_bytes=100_000)

    assert rejection.code == "too_large"
    assert "limit" in rejection.message


def test_image_over_pixel_limit_is_rejected(obama_jpeg):
    assert _rejection(obama_jpeg, max_pixels=1_000_000).code == "too_many_pixels"


def test_decompression_bomb_is_rejected_from_header_without_decoding():
    bomb = _png_header_claiming(30_000, 30_000)  # 900 MP in a 100-byte file

    rejection = _rejection(bomb)

    assert rejection.code == "too_many_pixels"
    assert "30000x30000" in rejection.message


def test_pillow_decompression_bomb_error_is_reported_as_too_many_pixels():
    # Above Pillow's own hard limit (2 x 89 MP) it refuses at open, before our check runs.
    bomb = _png_header_claiming(20_000, 20_000)

    assert _rejection(bomb, max_pixels=10**9).code == "too_many_pixels"


def test_highly_compressible_png_bomb_is_rejected():
    bomb = _encode(Image.new("1", (9_000, 5_000)), "PNG")  # 45 MP in a few kilobytes

    assert len(bomb) < 100_000
    assert _rejection(bomb).code == "too_many_pixels"


def test_truncated_jpeg_is_rejected(obama_jpeg):
    rejection = _rejection(obama_jpeg[: len(obama_jpeg) // 2])

    assert rejection.code == "truncated"
    assert "incomplete" in rejection.message


def test_truncated_png_is_rejected(small_rgb):
    png = _encode(small_rgb, "PNG")

    assert _rejection(png[:-20]).code == "truncated"


@pytest.mark.parametrize("data", [b"hello, world", b"<html><body>hi</body></html>", b"\x00" * 64])
def test_non_image_is_rejected(data):
    assert _rejection(data).code == "not_an_image"


@pytest.mark.parametrize("format", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(small_rgb, format):
    rejection = _rejection(_encode(small_rgb, format))

    assert rejection.code == "unsupported_type"
    assert "JPEG, PNG or WebP" in rejection.message


def test_polyglot_jpeg_with_zip_tail_is_rejected(obama_jpeg):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.sh", "echo owned")

    rejection = _rejection(obama_jpeg + archive.getvalue())

    assert rejection.code == "polyglot"
    assert "after the end of the JPEG" in rejection.message


def test_polyglot_jpeg_with_html_tail_is_rejected(obama_jpeg):
    assert _rejection(obama_jpeg + b"<html><script>alert(1)</script></html>").code == "polyglot"


def test_polyglot_png_with_script_after_iend_is_rejected(small_rgb):
    png = _encode(small_rgb, "PNG")

    assert _rejection(png + b"<?php system($_GET['c']); ?>").code == "polyglot"


def test_polyglot_webp_with_tail_is_rejected(small_rgb):
    webp = _encode(small_rgb, "WEBP")

    assert _rejection(webp + b"PK\x03\x04" + b"\x00" * 40).code == "polyglot"


def test_script_hidden_in_jpeg_comment_is_rejected(small_rgb):
    jpeg = _encode(small_rgb, "JPEG", comment=b"<script>fetch('/steal')</script>")

    rejection = _rejection(jpeg)

    assert rejection.code == "polyglot"
    assert "metadata" in rejection.message


def test_multi_picture_jpeg_from_a_phone_is_accepted(small_rgb):
    # MPF: a second complete JPEG (depth map, gain map) follows the first image's end marker.
    second = _encode(Image.new("L", (16, 16)), "JPEG")

    assert accept_image(_encode(small_rgb, "JPEG") + second).width == 64


def test_multi_picture_jpeg_with_payload_after_last_image_is_rejected(small_rgb):
    chained = _encode(small_rgb, "JPEG") + _encode(small_rgb, "JPEG") + b"<script>x</script>"

    assert _rejection(chained).code == "polyglot"


def test_zero_padding_after_end_of_image_is_tolerated(obama_jpeg):
    assert accept_image(obama_jpeg + b"\x00" * 32).format == "JPEG"


def test_content_type_disagreeing_with_content_is_rejected(obama_jpeg):
    rejection = _rejection(obama_jpeg, claimed_type="image/png")

    assert rejection.code == "polyglot"
    assert "image/png" in rejection.message


def test_matching_or_unknown_claimed_content_type_is_accepted(obama_jpeg):
    assert accept_image(obama_jpeg, claimed_type="image/jpg").format == "JPEG"
    assert accept_image(obama_jpeg, claimed_type="application/octet-stream").format == "JPEG"


def test_rejection_codes_are_from_the_stable_set(obama_jpeg):
    stable = {"empty", "too_large", "too_many_pixels", "unsupported_type", "truncated",
              "not_an_image", "polyglot"}  # fmt: skip
    samples = [b"", b"text", obama_jpeg[:1000], obama_jpeg + b"tail"]

    assert {_rejection(sample).code for sample in samples} <= stable


def _png16(pixels: np.ndarray) -> bytes:
    image = Image.fromarray(pixels.astype(np.uint16))
    assert image.mode == "I;16"
    return _encode(image, "PNG")


def test_16_bit_greyscale_png_is_refused_naming_the_format():
    # A mid-grey 16-bit ramp: converted naively to 8 bits it came out almost white (issue 15).
    data = _png16(np.linspace(20000, 40000, 64 * 64).reshape(64, 64))
    rejection = _rejection(data)
    assert rejection.code == "unsupported_type"
    assert "16-bit greyscale" in rejection.message and "8-bit" in rejection.message


@pytest.mark.django_db
def test_16_bit_greyscale_png_job_is_refused_before_anything_is_stored(rec, api_as, settings):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from recognition.models import RecognitionJob

    data = _png16(np.full((64, 64), 30000))
    response = api_as(rec.world.owner).post(
        "/api/v1/recognition-jobs/",
        {
            "deployment": rec.deployment.pk,
            "purpose": rec.purpose.pk,
            "mode": "identify",
            "images": [SimpleUploadedFile("grey16.png", data, "image/png")],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_type"
    assert "16-bit greyscale" in response.json()["message"]
    assert not RecognitionJob.objects.exists()
    stored = [p for root in (settings.MEDIA_ROOT,) for p in Path(root).rglob("*") if p.is_file()]
    assert stored == []
