"""Benchmark: OCR engines side by side vs one engine on every core, on the same pictures.

Reads the fixture store's pictures (and any more given) once per setting and compares the text read
from each picture, so a faster setting that reads differently shows:

    .venv/bin/python bench/ocr_workers_bench.py                  # 1 engine x all cores, N engines x 1 thread
    .venv/bin/python bench/ocr_workers_bench.py --rounds 2 extra/*.jpg
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PIL import Image

from auditor.probes.ocr import CORES, DET_SETTINGS, to_rgb

ROOT = Path(__file__).resolve().parent.parent


def pictures(extra: list[str]) -> list[Any]:
    out = []
    for path in sorted(ROOT.glob("fixtures/store/img/*.png")) + [Path(p) for p in extra]:
        try:
            with Image.open(path) as img:
                out.append(np.asarray(to_rgb(img))[:, :, ::-1])  # BGR, as the auditor hands it over
        except (OSError, ValueError):
            continue  # the fixture's broken pictures
    return out


def run(arrays: list[Any], workers: int, threads: int) -> tuple[float, list[tuple[str, ...]]]:
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    params = {"Global.use_cls": False, "EngineConfig.onnxruntime.intra_op_num_threads": threads, **DET_SETTINGS}
    engines = [RapidOCR(params=params) for _ in range(workers)]
    for engine in engines:
        engine(arrays[0])  # loaded and warmed apart from the timing
    free = list(engines)
    lock = threading.Lock()

    def read(array: Any) -> tuple[str, ...]:
        with lock:
            engine = free.pop()
        try:
            return tuple(engine(array).txts or ())
        finally:
            with lock:
                free.append(engine)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        texts = list(pool.map(read, arrays))
    return time.perf_counter() - t0, texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("extra", nargs="*", help="more pictures")
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    arrays = pictures(a.extra)
    settings = [(1, -1), (min(CORES, 4), max(1, CORES // min(CORES, 4)))]
    baseline: list[tuple[str, ...]] | None = None
    for _ in range(a.rounds):
        for workers, threads in settings:
            seconds, texts = run(arrays, workers, threads)
            baseline = baseline or texts
            differ = sum(1 for x, y in zip(texts, baseline, strict=True) if x != y)
            print(
                json.dumps(
                    {
                        "pictures": len(arrays),
                        "engines": workers,
                        "threads_each": threads,
                        "seconds": round(seconds, 2),
                        "per_picture_s": round(seconds / len(arrays), 3),
                        "texts_differing_from_first": differ,
                    }
                )
            )


if __name__ == "__main__":
    main()
