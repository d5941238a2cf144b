"""Probes: text inside images (RapidOCR on onnxruntime), off the event loop, cached by sha256 + engine."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from typing import Any

from auditor.models import OcrLine, OcrText
from auditor.probes.images import MAX_PIXELS

# RapidOCR's default detection *enlarges* a picture until its short side is 736 px (a 1200×400
# banner is searched at 2208×736). At 480 the same prices and date windows are read from the
# fixture, synthetic and 76 real-corpus banners in half the time; at 400 a small date line
# ("2016.11.1-11.12") is lost. Measured by bench/ocr_settings_bench.py (bench/README.md).
DET_SETTINGS: dict[str, Any] = {"Det.limit_type": "min", "Det.limit_side_len": 480}
ENGINE_ID = f"rapidocr-{version('rapidocr')}-nocls-det480"
MAX_SIDE = 2000  # very tall detail images are read in their top part only

_engine: Any = None
_engine_lock = threading.Lock()


def _get_engine() -> Any:
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr import RapidOCR

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            # shop banners are upright: the 180° text classifier only costs time
            _engine = RapidOCR(params={"Global.use_cls": False, **DET_SETTINGS})
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return _engine


def to_rgb(img: Any) -> Any:
    """Any decoded picture as 8-bit RGB the way a browser shows it: transparency over white (shop
    pages are white), 16-bit greyscale scaled down, CMYK converted, the first frame of an animation."""
    from PIL import Image

    img.seek(0)
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        scale = 1 / 256 if img.mode.startswith("I;16") or (img.getextrema()[1] or 0) > 255 else 1
        img = img.point(lambda v: v * scale).convert("L")
    if img.mode == "P" and "transparency" in img.info or img.mode in ("LA", "PA", "RGBA", "La"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def read_image(data: bytes) -> list[OcrLine]:
    """CPU work: decode and OCR one image. Runs in the OCR executor, never on the event loop."""
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        if img.format == "JPEG" and img.width * img.height > MAX_PIXELS:
            # a camera-sized photo (images.py reads it at an eighth): decoded at the smallest scale that
            # keeps its short side 1,000 px or more, plenty for text detected at a short side of 480
            scale = max(1000 / min(img.size), 1 / 8)
            img.draft(None, (int(img.width * scale), int(img.height * scale)))
        rgb = to_rgb(img)
        if rgb.height > MAX_SIDE:
            rgb = rgb.crop((0, 0, rgb.width, MAX_SIDE))
        array = np.asarray(rgb)[:, :, ::-1]  # RapidOCR takes BGR, as OpenCV does
    result = _get_engine()(array)
    if result is None or result.txts is None:
        return []
    boxes = result.boxes.tolist() if result.boxes is not None else [[] for _ in result.txts]
    return [
        OcrLine(text=t, box=b, score=round(float(s), 4))
        for t, b, s in zip(result.txts, boxes, result.scores, strict=False)
    ]


class OcrProber:
    """Reads each distinct image once ever: the cache (database) is asked first; one OCR at a time,
    since onnxruntime already uses every core."""

    def __init__(
        self,
        cache_get: Callable[[list[str], str], dict[str, list[dict[str, Any]]]],
        cache_put: Callable[[str, str, list[dict[str, Any]]], None],
    ) -> None:
        self.cache_get = cache_get
        self.cache_put = cache_put
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr")
        self.ran = 0  # images actually OCR'd this run (the benchmark and tests read it)
        self.errors: dict[str, str] = {}  # sha256 → what failed; the pipeline names the image URL

    async def read_all(self, images: dict[str, bytes]) -> dict[str, OcrText]:
        """`images`: sha256 → bytes. Returns sha256 → text lines."""
        cached = self.cache_get(list(images), ENGINE_ID)
        out = {
            sha: OcrText(sha256=sha, engine=ENGINE_ID, lines=[OcrLine.model_validate(x) for x in lines])
            for sha, lines in cached.items()
        }
        loop = asyncio.get_running_loop()
        try:
            for sha, data in images.items():
                if sha in out:
                    continue
                try:
                    lines = await loop.run_in_executor(self.executor, read_image, data)
                except Exception as exc:
                    self.errors[sha] = f"{type(exc).__name__}: {exc}"[:300]
                    continue
                self.ran += 1
                self.cache_put(sha, ENGINE_ID, [line.model_dump() for line in lines])
                out[sha] = OcrText(sha256=sha, engine=ENGINE_ID, lines=lines)
        finally:
            self.executor.shutdown(wait=False)
        return out
