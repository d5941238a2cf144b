"""Benchmark: RapidOCR's inference engines (onnxruntime, OpenVINO) on the same pictures and models.

Both engines run RapidOCR's own PP-OCRv6 ONNX models (the ones in its wheel) with the auditor's
detection size; only the runtime underneath differs. Per engine and layout (engines side by side ×
threads each) it times reading every picture, and compares with the first setting, per picture,
the exact text and the prices and date windows the auditor's parsers find in it.

OpenVINO is also run at its default precision: on a CPU with bfloat16 units (AMX, AVX-512 BF16) that
default is bfloat16, which reads some pictures differently from the same model elsewhere; the
auditor asks for f32 so the same picture gives the same text on every machine.

Pictures: the fixture store's, the synthetic store's banners and banner-shaped pictures from the
real-storefront corpus mirrors (as in bench/ocr_settings_bench.py).

    .venv/bin/python bench/ocr_engine_bench.py --per-repo 8 --synth 20     # 538 pictures, ~20 min
    .venv/bin/python bench/ocr_engine_bench.py --per-repo 0 --synth 0      # the fixture store's 26
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from auditor.probes import ocr  # noqa: E402
from bench.ocr_settings_bench import corpus_pictures, facts  # noqa: E402
from bench.synth_store import SynthStore  # noqa: E402


def engine_params(kind: str, threads: int, precision: str | None) -> dict[str, Any]:
    params = {"Global.use_cls": False, "Global.log_level": "error", **ocr.DET_SETTINGS}
    return params | ocr.runtime_params(kind, threads, precision)


def read_all(
    arrays: dict[str, Any], kind: str, engines: int, threads: int, precision: str | None
) -> tuple[float, float, dict[str, list[str]]]:
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    made = [RapidOCR(params=engine_params(kind, threads, precision)) for _ in range(engines)]
    for engine in made:
        engine(next(iter(arrays.values())))  # loaded and warmed apart from the reading
    load = time.perf_counter() - t0
    free, lock = list(made), threading.Lock()

    def read(array: Any) -> list[str]:
        with lock:
            engine = free.pop()
        try:
            out = engine(array)
            return list(out.txts or []) if out is not None else []
        finally:
            with lock:
                free.append(engine)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(engines) as pool:
        texts = dict(zip(arrays, pool.map(read, arrays.values()), strict=True))
    return load, time.perf_counter() - t0, texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-repo", type=int, default=8)
    ap.add_argument("--synth", type=int, default=20, help="synthetic store banners")
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    pictures = {f"fixtures/{p.name}": p.read_bytes() for p in sorted((ROOT / "fixtures/store/img").glob("*.png"))}
    store = SynthStore(100, a.synth)
    pictures |= {f"synth/{j}": store.image(j) for j in range(a.synth)}
    pictures |= corpus_pictures(a.per_repo) if a.per_repo else {}
    arrays = {}
    for name, data in pictures.items():
        with Image.open(io.BytesIO(data)) as img:
            arrays[name] = np.asarray(ocr.to_rgb(img))[:, :, ::-1]
    cores = ocr.CORES
    settings = [  # the first is what the others are compared with: the auditor's onnxruntime layout
        ("onnxruntime", cores, 1, None),
        ("openvino", cores, 1, "f32"),  # the auditor's
        ("openvino", 1, cores, "f32"),
        ("openvino", cores, 1, None),  # OpenVINO's default precision (bfloat16 where the CPU has it)
    ]
    base: dict[str, list[str]] | None = None
    for _ in range(a.rounds):
        for kind, engines, threads, precision in settings:
            load, seconds, texts = read_all(arrays, kind, engines, threads, precision)
            base = base or texts
            text_differs = [n for n in arrays if texts[n] != base[n]]
            facts_differ = {n: [facts(base[n]), facts(texts[n])] for n in arrays if facts(texts[n]) != facts(base[n])}
            row = {
                "engine": kind,
                "precision": precision or "default",
                "engines": engines,
                "threads_each": threads,
                "pictures": len(arrays),
                "load_s": round(load, 2),
                "seconds": round(seconds, 2),
                "per_picture_s": round(seconds / len(arrays), 3),
                "texts_differ": len(text_differs),
                "prices_or_dates_differ": facts_differ,
            }
            print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
