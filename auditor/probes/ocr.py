"""Probes: text inside images (RapidOCR on OpenVINO or onnxruntime), off the event loop, cached by sha256 + engine."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import io
import logging
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.models import OcrLine, OcrText
from auditor.probes.images import MAX_PIXELS

# RapidOCR's default detection *enlarges* a picture until its short side is 736 px (a 1200×400
# banner is searched at 2208×736). At 480 the same prices and date windows are read from the
# fixture, synthetic and 76 real-corpus banners in half the time; at 400 a small date line
# ("2016.11.1-11.12") is lost. Measured by bench/ocr_settings_bench.py (bench/README.md).
DET_SETTINGS: dict[str, Any] = {"Det.limit_type": "min", "Det.limit_side_len": 480}
MAX_SIDE = 2000  # very tall detail images are read in their top part only

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# The runtime under RapidOCR's models: OpenVINO where it is installed (the project's dependencies
# install it where it has wheels), else onnxruntime; AUDITOR_OCR_RUNTIME=onnxruntime|openvino picks one.
# The same ONNX models (RapidOCR's own, in its wheel) give the same prices and date windows on 538
# pictures, the exact same text on 537 of them; OpenVINO's one engine on 2 cores reads them in 0.36 s a
# picture against onnxruntime's 0.55 s, the fixture store's 26 in 4.1-4.3 s against 7.9-8.6 s
# (bench/ocr_engine_bench.py). OpenVINO is asked for f32: its default on a CPU with bfloat16 units
# (AMX, AVX-512 BF16) is bfloat16, which reads the fixture store's "衬衫" as "村衫"; the same picture
# must give the same text on every machine.
RUNTIMES = ("openvino", "onnxruntime")


def runtime() -> str:
    chosen = os.environ.get("AUDITOR_OCR_RUNTIME") or ("openvino" if _has("openvino") else "onnxruntime")
    if chosen not in RUNTIMES:
        raise ConfigError(f"AUDITOR_OCR_RUNTIME={chosen}: 文字识别的运行库只能是 openvino 或 onnxruntime")
    if not _has(chosen):
        raise ConfigError(f"AUDITOR_OCR_RUNTIME={chosen}: 未安装 (not installed): pip install {chosen}")
    return chosen


def engine_id() -> str:
    """The OCR cache's key for text read with these models, settings and runtime."""
    return f"rapidocr-{version('rapidocr')}-nocls-det480" + ("-ov" if runtime() == "openvino" else "")


# onnxruntime: pictures read side by side, each by an engine of its own on one thread: on 2 cores two
# engines of one thread read the fixture store's 26 pictures in 8.3-8.7 s, one engine on both cores in
# 10.7 s, the same text (a picture's detection keeps one core busier than it keeps two); more cores: up to
# 4 engines. OpenVINO: one engine on every core. Two engines of one thread are faster still (fixture 3.0-3.6
# s against 4.1-4.3 s; 0.30 against 0.36 s a picture on the 538), but each engine keeps the buffers of
# the largest picture it has read (~420 MB for a 1200×400 banner searched at 1440×480): the OCR process
# peaked at 1,310 MB with two, 888 MB with one, 857 MB with onnxruntime's two (bench/README.md).
ENGINES = {"openvino": 1, "onnxruntime": max(1, min(CORES, 4))}


def threads_per_engine(runtime: str) -> int:
    return max(1, CORES // ENGINES[runtime])


_idle: dict[str, queue.SimpleQueue[Any]] = {r: queue.SimpleQueue() for r in RUNTIMES}  # made, not in use
_made = dict.fromkeys(RUNTIMES, 0)
_engine_lock = threading.Lock()


def runtime_params(runtime: str, threads: int, precision: str | None = "f32") -> dict[str, Any]:
    """RapidOCR's settings that put its own ONNX models (in its wheel) on `runtime` with `threads`."""
    if runtime == "onnxruntime":
        return {"EngineConfig.onnxruntime.intra_op_num_threads": threads}
    import rapidocr
    from rapidocr import EngineType

    models = Path(rapidocr.__file__).parent / "models"
    _openvino_precision(precision)
    return {
        "Det.engine_type": EngineType.OPENVINO,
        "Rec.engine_type": EngineType.OPENVINO,
        "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
        "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
        "EngineConfig.openvino.inference_num_threads": threads,
        "EngineConfig.openvino.enable_cpu_pinning": False,  # the crawl's Chromium may share the cores
    }


def _openvino_precision(precision: str | None) -> None:
    """RapidOCR hands OpenVINO only the settings it knows, and the precision is not among them: its
    settings class is given one that adds it, for every engine made after this (None: OpenVINO's own
    default again, for the benchmark that shows what it reads)."""
    from rapidocr.inference_engine.openvino import main as ov_session

    base = getattr(ov_session.CPUConfig, "base", ov_session.CPUConfig)
    if precision is None:
        ov_session.CPUConfig = base
        return

    class WithPrecision(base):  # type: ignore[misc, valid-type]
        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "INFERENCE_PRECISION_HINT": precision}

    WithPrecision.base = base  # type: ignore[attr-defined]
    ov_session.CPUConfig = WithPrecision


def _check_precision(engine: Any) -> None:
    """The f32 asked for is the precision OpenVINO compiled with: a RapidOCR that stopped using its
    settings class would otherwise read in bfloat16 without a word. RapidOCR loads each model on first
    use, so each is checked after the first reading that used it."""
    for part in (engine.text_det, engine.text_rec):
        if part is None or getattr(part, "precision_checked", False):
            continue
        got = str(part.session.session.get_compiled_model().get_property("INFERENCE_PRECISION_HINT"))
        if "32" not in got:
            raise RuntimeError(f"OpenVINO compiled RapidOCR's {type(part).__name__} in {got}, not f32")
        part.precision_checked = True


def _borrow_engine(runtime: str) -> Any:
    """An engine no other thread is using: an idle one, else a new one (up to ENGINES[runtime]), else the
    next one given back. Made once per process and kept (each takes ~0.5-1.5 s to load)."""
    with contextlib.suppress(queue.Empty):
        return _idle[runtime].get_nowait()
    with _engine_lock:
        if _made[runtime] < ENGINES[runtime]:
            from rapidocr import RapidOCR

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            # shop banners are upright: the 180° text classifier only costs time
            engine = RapidOCR(
                params={
                    "Global.use_cls": False,
                    "Global.log_level": "error",
                    **runtime_params(runtime, threads_per_engine(runtime)),
                    **DET_SETTINGS,
                }
            )
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _made[runtime] += 1
            return engine
    return _idle[runtime].get()


def load_engines() -> None:
    """Every engine made now rather than on first use, for benchmarks (RapidOCR itself loads each model
    on the first reading that needs it)."""
    chosen = runtime()
    engines = [_borrow_engine(chosen) for _ in range(ENGINES[chosen])]
    for engine in engines:
        _idle[chosen].put(engine)


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


def read_image(data: bytes, runtime_name: str | None = None) -> list[OcrLine]:
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
    chosen = runtime_name or runtime()
    engine = _borrow_engine(chosen)
    try:
        result = engine(array)
        if chosen == "openvino":
            _check_precision(engine)
    finally:
        _idle[chosen].put(engine)
    if result is None or result.txts is None:
        return []
    boxes = result.boxes.tolist() if result.boxes is not None else [[] for _ in result.txts]
    return [
        OcrLine(text=t, box=b, score=round(float(s), 4))
        for t, b, s in zip(result.txts, boxes, result.scores, strict=False)
    ]


class OcrProber:
    """Reads each distinct image once ever: the cache (database) is asked first; the others are read
    as many at a time as there are engines (ENGINES), each by an engine of its own."""

    def __init__(
        self,
        cache_get: Callable[[list[str], str], dict[str, list[dict[str, Any]]]],
        cache_put: Callable[[str, str, list[dict[str, Any]]], None],
    ) -> None:
        self.cache_get = cache_get
        self.cache_put = cache_put
        self.runtime = runtime()  # or a ConfigError naming the bad setting
        self.engine_id = engine_id()
        self.executor = ThreadPoolExecutor(max_workers=ENGINES[self.runtime], thread_name_prefix="ocr")
        self.ran = 0  # images actually OCR'd this run (the benchmark and tests read it)
        self.errors: dict[str, str] = {}  # sha256 → what failed; the pipeline names the image URL

    async def read_all(self, images: dict[str, bytes]) -> dict[str, OcrText]:
        """`images`: sha256 → bytes. Returns sha256 → text lines, in the order of `images`."""
        cached = self.cache_get(list(images), self.engine_id)
        out = {
            sha: OcrText(sha256=sha, engine=self.engine_id, lines=[OcrLine.model_validate(x) for x in lines])
            for sha, lines in cached.items()
        }
        loop = asyncio.get_running_loop()

        async def read(sha: str, data: bytes) -> None:
            try:
                lines = await loop.run_in_executor(self.executor, read_image, data, self.runtime)
            except Exception as exc:
                self.errors[sha] = f"{type(exc).__name__}: {exc}"[:300]
                return
            self.ran += 1
            self.cache_put(sha, self.engine_id, [line.model_dump() for line in lines])  # (on the loop's thread)
            out[sha] = OcrText(sha256=sha, engine=self.engine_id, lines=lines)

        try:
            await asyncio.gather(*(read(sha, data) for sha, data in images.items() if sha not in out))
        finally:
            self.executor.shutdown(wait=False)
        return {sha: out[sha] for sha in images if sha in out}
