"""Benchmark: RapidOCR's text-detection size against time and what the audit reads from the text.

RapidOCR's default (`Det.limit_type: min`, `Det.limit_side_len: 736`) *enlarges* every picture
until its short side is 736 px: a 1200×400 shop banner is detected at 2208×736, 3.4 times its
pixels. This bench reads the same pictures with each setting and compares, per picture, the
prices and date windows the auditor's parsers find in the text (`auditor.parse.parse_text`), since
those are what the checks use; other differences (a stray "I" or ":23" read from a photo) are
counted apart.

Pictures: the fixture store's, the synthetic store's banners, and banner-shaped pictures (wider
than 1.5:1, ≥ 300 px, 15–400 kB) from the real-storefront corpus mirrors under /work/.mirror (see
bench/realworld/README.md; mirrors that are absent are skipped).

.venv/bin/python bench/ocr_settings_bench.py --per-repo 8 --synth 20
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from auditor.parse import parse_text  # noqa: E402
from auditor.probes.ocr import DET_SETTINGS, to_rgb  # noqa: E402
from bench.synth_store import SynthStore  # noqa: E402

MIRRORS = Path("/work/.mirror")
SETTINGS = {
    "rapidocr default (min 736)": {"Det.limit_type": "min", "Det.limit_side_len": 736},
    "auditor (min 480)": DET_SETTINGS,
    "min 400": {"Det.limit_type": "min", "Det.limit_side_len": 400},
    "max 960": {"Det.limit_type": "max", "Det.limit_side_len": 960},
}
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def corpus_pictures(per_repo: int) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for mirror in sorted(MIRRORS.glob("*/repo")):
        git = ["git", "--git-dir", str(mirror)]
        listing = subprocess.run([*git, "ls-tree", "-r", "-l", "HEAD"], capture_output=True, text=True).stdout
        taken = 0
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            size = meta.split()[3]
            if not path.lower().endswith((".jpg", ".jpeg", ".png")) or not size.isdigit():  # "-", or "BAD": absent
                continue
            if not 15_000 <= int(size) <= 400_000:
                continue
            data = subprocess.run([*git, "cat-file", "blob", f"HEAD:{path}"], capture_output=True).stdout
            try:
                with Image.open(io.BytesIO(data)) as img:
                    img.load()
                    w, h = img.size
            except Exception:
                continue
            if w >= 300 and w / h >= 1.5:
                out[f"{mirror.parent.name}/{path}"] = data
                taken += 1
                if taken >= per_repo:
                    break
    return out


def facts(lines: list[str]) -> str:
    """The prices (value, role) and date windows (start, end) read from the text, spacing aside."""
    parsed = parse_text(" ".join(lines), NOW)
    prices = sorted({(p["value"], p["role"]) for p in parsed["prices"]})
    windows = sorted({(str(w["start"]), str(w["end"])) for w in parsed["windows"]})
    return json.dumps([prices, windows])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-repo", type=int, default=8)
    ap.add_argument("--synth", type=int, default=20, help="synthetic store banners")
    a = ap.parse_args()
    from rapidocr import RapidOCR

    pictures = {f"fixtures/{p.name}": p.read_bytes() for p in sorted((ROOT / "fixtures/store/img").glob("*.png"))}
    store = SynthStore(100, a.synth)
    pictures |= {f"synth/{j}": store.image(j) for j in range(a.synth)}
    pictures |= corpus_pictures(a.per_repo)
    arrays = {}
    for name, data in pictures.items():
        with Image.open(io.BytesIO(data)) as img:
            arrays[name] = np.asarray(to_rgb(img))[:, :, ::-1]
    results: dict[str, dict[str, list[str]]] = {}
    for label, det in SETTINGS.items():
        engine = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error", **det})
        engine(arrays[next(iter(arrays))])  # warm-up
        t0 = time.perf_counter()
        results[label] = {}
        for name, array in arrays.items():
            out = engine(array)
            results[label][name] = list(out.txts or []) if out is not None else []
        seconds = time.perf_counter() - t0
        base = results[next(iter(SETTINGS))]
        changed = {n: [facts(base[n]), facts(results[label][n])] for n in arrays
                   if facts(results[label][n]) != facts(base[n])}
        print(json.dumps({"setting": label, "pictures": len(arrays), "seconds": round(seconds, 1),
                          "per_picture_s": round(seconds / len(arrays), 3),
                          "prices_or_dates_differ_from_default": changed}, ensure_ascii=False))


if __name__ == "__main__":
    main()
