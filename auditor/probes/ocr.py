"""Probes: text inside images (RapidOCR on onnxruntime), off the event loop, cached by sha256 + engine."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import queue
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

# pictures read side by side, each by an engine of its own on one thread: on 2 cores two engines of one
# thread read the fixture store's 26 pictures in 8.3-8.7 s, one engine on both cores in 10.7 s, with the
# same text (a picture's detection keeps one core busier than it keeps two). More cores: up to 4 engines.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
OCR_WORKERS = max(1, min(CORES, 4))
THREADS_PER_ENGINE = max(1, CORES // OCR_WORKERS)

_idle: queue.SimpleQueue[Any] = queue.SimpleQueue()  # engines made and not in use
_made = 0
_engine_lock = threading.Lock()


def _borrow_engine() -> Any:
    """An engine no other thread is using: an idle one, else a new one (up to OCR_WORKERS), else the
    next one given back. Made once per process and kept (each takes ~0.9 s to load)."""
    global _made
    with contextlib.suppress(queue.Empty):
        return _idle.get_nowait()
    with _engine_lock:
        if _made < OCR_WORKERS:
            from rapidocr import RapidOCR

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            # shop banners are upright: the 180° text classifier only costs time
            engine = RapidOCR(
                params={
                    "Global.use_cls": False,
                    "EngineConfig.onnxruntime.intra_op_num_threads": THREADS_PER_ENGINE,
                    **DET_SETTINGS,
                }
            )
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _made += 1
            return engine
    return _idle.get()


def load_engines() -> None:
    """Every engine made now rather than on first use (each takes ~0.9 s to load): benchmarks time
    loading apart from reading."""
    engines = [_borrow_engine() for _ in range(OCR_WORKERS)]
    for engine in engines:
        _idle.put(engine)


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
    engine = _borrow_engine()
    try:
        result = engine(array)
    finally:
        _idle.put(engine)
    if result is None or result.txts is None:
        return []
    boxes = result.boxes.tolist() if result.boxes is not None else [[] for _ in result.txts]
    return [
        OcrLine(text=t, box=b, score=round(float(s), 4))
        for t, b, s in zip(result.txts, boxes, result.scores, strict=False)
    ]


class OcrProber:
    """Reads each distinct image once ever: the cache (database) is asked first; the others are read
    OCR_WORKERS at a time, each by an engine of its own."""

    def __init__(
        self,
        cache_get: Callable[[list[str], str], dict[str, list[dict[str, Any]]]],
        cache_put: Callable[[str, str, list[dict[str, Any]]], None],
    ) -> None:
        self.cache_get = cache_get
        self.cache_put = cache_put
        self.executor = ThreadPoolExecutor(max_workers=OCR_WORKERS, thread_name_prefix="ocr")
        self.ran = 0  # images actually OCR'd this run (the benchmark and tests read it)
        self.errors: dict[str, str] = {}  # sha256 → what failed; the pipeline names the image URL

    async def read_all(self, images: dict[str, bytes]) -> dict[str, OcrText]:
        """`images`: sha256 → bytes. Returns sha256 → text lines, in the order of `images`."""
        cached = self.cache_get(list(images), ENGINE_ID)
        out = {
            sha: OcrText(sha256=sha, engine=ENGINE_ID, lines=[OcrLine.model_validate(x) for x in lines])
            for sha, lines in cached.items()
        }
        loop = asyncio.get_running_loop()

        async def read(sha: str, data: bytes) -> None:
            try:
                lines = await loop.run_in_executor(self.executor, read_image, data)
            except Exception as exc:
                self.errors[sha] = f"{type(exc).__name__}: {exc}"[:300]
                return
            self.ran += 1
            self.cache_put(sha, ENGINE_ID, [line.model_dump() for line in lines])  # (on the loop's thread)
            out[sha] = OcrText(sha256=sha, engine=ENGINE_ID, lines=lines)

        try:
            await asyncio.gather(*(read(sha, data) for sha, data in images.items() if sha not in out))
        finally:
            self.executor.shutdown(wait=False)
        return {sha: out[sha] for sha in images if sha in out}
