"""Benchmark: OCR per image, cold (RapidOCR) vs cached (the database cache by sha256).

.venv/bin/python bench/ocr_bench.py --images 20
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.probes.ocr import OcrProber, load_engines
from auditor.store.db import open_db
from auditor.store.repo import Repo
from bench.synth_store import SynthStore


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=20)
    a = ap.parse_args()
    store = SynthStore(100, a.images)
    images = {hashlib.sha256(b := store.image(j)).hexdigest(): b for j in range(a.images)}
    repo = Repo(open_db(f"sqlite:///{tempfile.mkdtemp()}/ocr.db"))
    load_engines()  # model loading is timed apart
    timings = {}
    for phase in ("cold", "cached"):
        per = []
        for sha, data in images.items():
            prober = OcrProber(repo.ocr_get, repo.ocr_put)
            t0 = time.perf_counter()
            asyncio.run(prober.read_all({sha: data}))
            per.append(time.perf_counter() - t0)
        timings[phase] = per
    print(
        json.dumps(
            {
                "images": a.images,
                "cold_median_s": round(statistics.median(timings["cold"]), 3),
                "cached_median_ms": round(statistics.median(timings["cached"]) * 1000, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
