"""Probes: text inside images (RapidOCR on onnxruntime), off the event loop, cached by sha256 + engine."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from importlib.metadata import version
from typing import Any

from auditor.models import OcrLine, OcrText

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


def _yield_cpu() -> None:
    """OCR (and the onnxruntime threads it starts) runs at the lowest CPU priority: it overlaps the
    crawl and takes only what the browser leaves; alone, it still gets every core."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    if multiprocessing.parent_process() is not None and threading.current_thread() is threading.main_thread():
        # a process of its own: Ctrl-C is the auditor's to handle (it stops the pool), not a traceback here
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _executor() -> Executor:
    """OCR in a process of its own at the lowest CPU priority: its Python steps would otherwise hold
    the interpreter lock the crawl's event loop needs. Inside a daemon process (a Celery worker's
    child), which may not have children, a thread instead."""
    if multiprocessing.current_process().daemon:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr", initializer=_yield_cpu)
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_yield_cpu)


class OcrProber:
    """Reads each distinct image once ever: the cache (database) is asked first; one OCR at a time,
    since onnxruntime already uses every core. Images can be handed over while the crawl is still
    going (`submit`); `read_all` then waits for what is under way and reads the rest."""

    def __init__(
        self,
        cache_get: Callable[[list[str], str], dict[str, list[dict[str, Any]]]],
        cache_put: Callable[[str, str, list[dict[str, Any]]], None],
    ) -> None:
        self.cache_get = cache_get
        self.cache_put = cache_put
        self.executor = _executor()
        self.ran = 0  # images actually OCR'd this run (the benchmark and tests read it)
        self.errors: dict[str, str] = {}  # sha256 → what failed; the pipeline names the image URL
        self._reads: dict[str, asyncio.Future[OcrText | None]] = {}  # sha256 → its read, under way or done

    def submit(self, sha: str, data: bytes) -> None:
        """Start reading one image now (cached text is taken as it is); the result waits in `read_all`."""
        if sha not in self._reads:
            self._reads[sha] = asyncio.ensure_future(self._read(sha, data))

    async def _read(self, sha: str, data: bytes) -> OcrText | None:
        cached = self.cache_get([sha], ENGINE_ID).get(sha)
        if cached is not None:
            return OcrText(sha256=sha, engine=ENGINE_ID, lines=[OcrLine.model_validate(x) for x in cached])
        try:
            lines = await asyncio.get_running_loop().run_in_executor(self.executor, read_image, data)
        except Exception as exc:
            self.errors[sha] = f"{type(exc).__name__}: {exc}"[:300]
            return None
        self.ran += 1
        self.cache_put(sha, ENGINE_ID, [line.model_dump() for line in lines])
        return OcrText(sha256=sha, engine=ENGINE_ID, lines=lines)

    async def read_all(self, images: dict[str, bytes]) -> dict[str, OcrText]:
        """`images`: sha256 → bytes. Returns sha256 → text lines."""
        fresh = [sha for sha in images if sha not in self._reads]
        cached = self.cache_get(fresh, ENGINE_ID) if fresh else {}
        out = {
            sha: OcrText(sha256=sha, engine=ENGINE_ID, lines=[OcrLine.model_validate(x) for x in lines])
            for sha, lines in cached.items()
        }
        try:
            for sha, data in images.items():
                if sha in out:
                    continue
                self.submit(sha, data)
                if (text := await self._reads[sha]) is not None:
                    out[sha] = text
        finally:
            self.close()
        return out

    def close(self) -> None:
        """No more reads: what was started and not awaited is dropped (a run that stopped early)."""
        for read in self._reads.values():
            read.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)
