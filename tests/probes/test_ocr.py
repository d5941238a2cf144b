"""OCR on images rendered at test time (a CJK font, several sizes, colours and backgrounds), and its cache."""

from __future__ import annotations

import glob
import hashlib
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw, ImageFont

from auditor.parse import parse_prices, parse_windows
from auditor.probes import ocr
from auditor.probes.ocr import OcrProber, read_image

pytestmark = pytest.mark.slow
NOW = datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    paths = glob.glob("/usr/share/fonts/**/NotoSansCJK*.ttc", recursive=True) + glob.glob(
        "/usr/share/fonts/**/*CJK*", recursive=True
    )
    assert paths, "a CJK font is needed (scripts/setup.sh installs fonts-noto-cjk)"
    return ImageFont.truetype(sorted(paths)[0], size)


def banner(lines: list[str], size: int, fg: str, bg: str, width: int = 900) -> bytes:
    img = Image.new("RGB", (width, int(size * 1.6 * len(lines) + size)), bg)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((size, size // 2 + int(i * size * 1.6)), line, font=cjk_font(size), fill=fg)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("size", "fg", "bg"), [(28, "white", "#c4161c"), (40, "#222222", "#fff3e0"), (56, "#ffe08a", "#1f4e79")]
)
def test_prices_and_dates_read_from_a_rendered_banner(size: int, fg: str, bg: str) -> None:
    data = banner(["双11狂欢节 到手价¥149", "活动时间 11.1-11.11"], size, fg, bg)
    text = " ".join(line.text for line in read_image(data))
    assert [p.value for p in parse_prices(text)] == [149], text
    (w,) = parse_windows(text, NOW)
    assert w.state == "ended" and w.end.day == 11, text  # type: ignore[union-attr]


def test_lines_keep_boxes_and_confidence() -> None:
    lines = read_image(banner(["仅需¥89起"], 48, "black", "white"))
    assert lines and lines[0].score > 0.8 and len(lines[0].box) == 4


class DictCache:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def get(self, shas: list[str], engine: str) -> dict[str, list[dict[str, Any]]]:
        return {s: self.rows[(s, engine)] for s in shas if (s, engine) in self.rows}

    def put(self, sha: str, engine: str, lines: list[dict[str, Any]]) -> None:
        self.rows[(sha, engine)] = lines


async def test_an_unchanged_image_is_never_read_twice() -> None:
    data = banner(["满300减50"], 40, "white", "#00838f")
    sha = hashlib.sha256(data).hexdigest()
    cache = DictCache()
    first = OcrProber(cache.get, cache.put)
    got = await first.read_all({sha: data})
    assert first.ran == 1 and "300" in got[sha].text
    second = OcrProber(cache.get, cache.put)
    again = await second.read_all({sha: data})
    assert second.ran == 0 and again[sha].text == got[sha].text and again[sha].engine == second.engine_id


async def test_pictures_read_side_by_side_each_keep_their_own_text() -> None:
    texts = ["满300减50", "到手价¥129", "限时秒杀¥59", "会员价¥88"]
    pictures = {hashlib.sha256(d).hexdigest(): d for d in (banner([t], 40, "black", "white") for t in texts)}
    prober = OcrProber(DictCache().get, DictCache().put)
    got = await prober.read_all(pictures)
    assert prober.ran == 4 and list(got) == list(pictures)  # every picture read, in the order asked
    assert [p.value for sha in pictures for p in parse_prices(got[sha].text)] == [129, 59, 88], got
    assert "300" in got[next(iter(pictures))].text
    assert 1 <= ocr._made[prober.runtime] <= ocr.ENGINES[prober.runtime]  # engines made once, one per worker at most


def test_a_camera_sized_photo_is_read_at_a_smaller_scale() -> None:
    # eflyer-ruiraiment's KV: a 6805×8070 JPEG; decoded whole it is 165 MB of pixels, read at a quarter
    img = Image.new("L", (7200, 7200), "white")
    ImageDraw.Draw(img).text((400, 3000), "到手价¥199", font=cjk_font(800), fill="black")
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=70)
    assert [p.value for p in parse_prices(" ".join(line.text for line in read_image(buf.getvalue())))] == [199.0]


def test_both_runtimes_read_the_same_text_and_openvino_reads_in_f32(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openvino", reason="OpenVINO has no wheel for this platform: onnxruntime reads")
    # the fixture store's shirt picture: OpenVINO at its bfloat16 default (on a CPU with AMX) read "村衫"
    shirt = (ocr.Path(__file__).parents[2] / "fixtures/store/img/p1.png").read_bytes()
    pictures = [shirt, banner(["双12 到手价¥129", "活动时间 12.1-12.12"], 32, "white", "#c4161c")]
    by_runtime = {r: [[line.text for line in read_image(p, r)] for p in pictures] for r in ocr.RUNTIMES}
    assert by_runtime["openvino"] == by_runtime["onnxruntime"], by_runtime
    assert by_runtime["openvino"][0] == ["衬衫"]
    engine = ocr._borrow_engine("openvino")
    try:  # what OpenVINO compiled the models with, asked of OpenVINO itself
        for part in (engine.text_det, engine.text_rec):
            assert "32" in str(part.session.session.get_compiled_model().get_property("INFERENCE_PRECISION_HINT"))
    finally:
        ocr._idle["openvino"].put(engine)
    monkeypatch.setenv("AUDITOR_OCR_RUNTIME", "onnxruntime")
    prober = OcrProber(DictCache().get, DictCache().put)
    assert prober.runtime == "onnxruntime" and not prober.engine_id.endswith("-ov")


def test_an_unknown_ocr_runtime_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITOR_OCR_RUNTIME", "tesseract")
    with pytest.raises(ocr.ConfigError, match="AUDITOR_OCR_RUNTIME=tesseract"):
        OcrProber(DictCache().get, DictCache().put)
