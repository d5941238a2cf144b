"""The image decoder on every format a shop serves: read correctly, or broken with a reason; and the
OCR input made from each decodable one."""

from __future__ import annotations

import io

import pytest
from PIL import Image, features

from auditor.probes.images import MAX_PIXELS, decode
from auditor.probes.ocr import to_rgb
from tests.hostile_store import bomb_png, picture, truncated_jpeg


def encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def frames(mode: str = "RGB") -> list[Image.Image]:
    return [Image.new(mode, (120, 60), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]


def cmyk_jpeg() -> bytes:
    return encode(Image.new("CMYK", (300, 100), (0, 255, 255, 0)), "JPEG")


def png16() -> bytes:
    img = Image.new("I;16", (200, 80))
    img.putdata([(x * 300) % 65535 for x in range(200 * 80)])
    return encode(img, "PNG")


def palette_transparent() -> bytes:
    img = Image.new("P", (100, 50), 0)  # index 0 (transparent) everywhere but a red bar
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    img.paste(1, (0, 20, 100, 30))
    return encode(img, "PNG", transparency=0)


GOOD = {
    "png": (lambda: picture("ok", (300, 100)), (300, 100)),
    "jpeg": (lambda: picture("ok", (300, 100), "JPEG"), (300, 100)),
    "cmyk-jpeg": (cmyk_jpeg, (300, 100)),
    "png-16-bit": (png16, (200, 80)),
    "palette-png-transparency": (palette_transparent, (100, 50)),
    "animated-gif": (lambda: encode(frames()[0], "GIF", save_all=True, append_images=frames()[1:]), (120, 60)),
    "animated-webp": (lambda: encode(frames()[0], "WEBP", save_all=True, append_images=frames()[1:]), (120, 60)),
    "png-behind-jpg-name": (lambda: picture("ok", (64, 32)), (64, 32)),  # wrong extension: browsers show it
    "svg": (lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"/>', (40, 20)),
    "svg-viewbox": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 12"><path d="M0 0"/></svg>',
        (24, 12),
    ),
}
if features.check("avif"):
    GOOD["avif"] = (lambda: encode(Image.new("RGB", (64, 48), "red"), "AVIF"), (64, 48))


@pytest.mark.parametrize("name", sorted(GOOD))
def test_format_is_read_correctly(name: str) -> None:
    make, size = GOOD[name]
    facts = decode("http://x/" + name, 200, "image/*", make())
    assert facts.ok, facts.reason
    assert (facts.width, facts.height) == size
    assert facts.sha256


@pytest.mark.parametrize("name", sorted(n for n in GOOD if not n.startswith("svg")))
def test_every_decodable_format_becomes_ocr_input(name: str) -> None:
    with Image.open(io.BytesIO(GOOD[name][0]())) as img:
        rgb = to_rgb(img)
        assert rgb.mode == "RGB" and rgb.size == GOOD[name][1]
        if name == "palette-png-transparency":
            assert rgb.getpixel((0, 0)) == (255, 255, 255)  # transparent shows the white page behind it
            assert rgb.getpixel((0, 25)) == (255, 0, 0)
        if name == "png-16-bit":
            assert rgb.getextrema()[0][1] > 100  # scaled down to 8 bits, not clipped to white


BAD = {
    "truncated-jpeg": (lambda: truncated_jpeg((400, 300)), "truncated"),
    "truncated-png": (lambda: picture("cut", (400, 300))[:700], "truncated"),
    "zero-bytes": (lambda: b"", "zero-bytes"),
    "html-behind-jpg": (lambda: b"<!doctype html><html><body>404 Not Found</body></html>", "not-an-image"),
    "decompression-bomb": (lambda: bomb_png(8000, 7000), "too-large"),
    "heic": (lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "unsupported-format"),
    "svg-that-does-not-parse": (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "not-an-image"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_broken_format_has_its_reason(name: str) -> None:
    make, reason = BAD[name]
    facts = decode("http://x/" + name, 200, "image/jpeg", make())
    assert not facts.ok
    assert facts.reason.startswith(reason), facts.reason


def test_bomb_is_refused_before_its_pixels_are_allocated() -> None:
    import tracemalloc

    data = bomb_png(8000, 7000)
    assert MAX_PIXELS < 8000 * 7000
    tracemalloc.start()
    facts = decode("http://x/bomb.png", 200, "image/png", data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert facts.reason.startswith("too-large") and (facts.width, facts.height) == (8000, 7000)
    assert peak < 5 * 1024 * 1024  # decoding it would take 56 MB at one byte a pixel


def test_a_camera_sized_jpeg_is_read_at_an_eighth_and_still_fully_decoded() -> None:
    # eflyer-ruiraiment's KV shows a 6805×8070 photo (55 MP, 1.8 MB): a picture, not a bomb
    import tracemalloc

    out = io.BytesIO()
    Image.new("L", (8000, 7000), 128).save(out, "JPEG", quality=50)
    data = out.getvalue()
    tracemalloc.start()
    facts = decode("http://x/photo.jpg", 200, "image/jpeg", data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert facts.ok and (facts.width, facts.height) == (8000, 7000), facts.reason
    assert peak < 10 * 1024 * 1024  # an eighth each way: 875 KB of pixels, not 56 MB
    cut = decode("http://x/cut.jpg", 200, "image/jpeg", data[: len(data) * 6 // 10])
    assert not cut.ok and cut.reason.startswith("truncated"), cut.reason  # every byte is still read


def test_http_error_is_its_status() -> None:
    assert decode("http://x/a.jpg", 404, "text/html", b"<h1>404</h1>").reason == "http-404"
