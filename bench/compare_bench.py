"""Benchmark: the full audit against a links-only checker (linkinator), on the same stores, in one run.

For each store, A B A B: linkinator over the whole site, then the auditor cold (a fresh database: no
OCR cache, no known links) and warm (the same database again). Prints one JSON line per run, then a
table of medians, the ratios to linkinator, and what each run did (pages read, links probed, images
decoded, images OCR'd), so that speed never comes from skipped work.

linkinator is installed from the npm registry into a scratch folder (bench/.scratch/, ignored by git)
on first use.

    .venv/bin/python bench/compare_bench.py                                   # fixture + synth 250
    .venv/bin/python bench/compare_bench.py --stores fixture,synth-250,synth-500,synth-1000 --reps 2
    .venv/bin/python bench/compare_bench.py --stores corpus:xiaomi-reinhardt,corpus:taobao-jasouls
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.audit_bench import _tree_rss  # noqa: E402

SCRATCH = ROOT / "bench" / ".scratch"
LINKINATOR_VERSION = "7.6.1"  # the last for Node 20 (8.x needs Node 22)
NOW = "2026-11-20T09:00:00+08:00"


def linkinator() -> Path:
    exe = SCRATCH / "node_modules" / ".bin" / "linkinator"
    if not exe.exists():
        SCRATCH.mkdir(parents=True, exist_ok=True)
        print(f"installing linkinator {LINKINATOR_VERSION} into {SCRATCH} (npm registry)", file=sys.stderr)
        subprocess.run(
            ["npm", "install", "--prefix", str(SCRATCH), "--no-audit", "--no-fund", f"linkinator@{LINKINATOR_VERSION}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return exe


@contextlib.contextmanager
def served(store: str, images: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """(start URL, extra crawl settings) of a store served on loopback for the length of the block."""
    if store == "fixture":
        from auditor.demo_store import FixtureStore

        with FixtureStore(datetime.fromisoformat(NOW).astimezone(ZoneInfo("Asia/Shanghai"))) as fx:
            yield fx.url, {}
    elif store.startswith("synth-"):
        from bench.synth_store import SynthStore, serve

        products = int(store.removeprefix("synth-"))
        synth = SynthStore(products, images)
        server = serve(synth)
        try:
            pages = products + synth.categories + 10
            yield f"http://127.0.0.1:{server.server_address[1]}/", {"max_pages": pages, "max_depth": 2}
        finally:
            server.shutdown()
    elif store.startswith("corpus:"):
        import yaml

        from bench.realworld import run as rw

        corpus = yaml.safe_load((ROOT / "bench" / "realworld" / "corpus.yaml").read_text(encoding="utf-8"))
        entry = next(s for s in corpus["stores"] if s["name"] == store.removeprefix("corpus:"))
        root, why = rw.ensure_export(entry)
        if root is None:
            raise SystemExit(f"{store}: {why}")
        with rw.serve(root / entry.get("docroot", "")) as base:
            yield f"{base}/{entry['entry']}", dict(corpus.get("crawl") or {})
    else:
        raise SystemExit(f"unknown store {store!r}: fixture, synth-N or corpus:NAME")


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, int]:
    """Whole-process seconds, peak memory of the process tree (PSS, MB) and the exit code."""
    t0 = time.monotonic()
    with open(cwd / "out.log", "a") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)
    return time.monotonic() - t0, round(peak / 1024), proc.returncode


def run_linkinator(url: str, work: Path) -> dict[str, Any]:
    out = work / "linkinator.json"
    seconds, peak, code = timed(
        # as many requests at once as the auditor allows itself per host (crawl.per_host, 6): the
        # synthetic store's server refuses linkinator's default 100, which would time out as "broken"
        ["sh", "-c", f"'{linkinator()}' '{url}' --recurse --concurrency 6 --format json > '{out}' 2>/dev/null"],
        work,
    )
    try:
        links = json.loads(out.read_text()).get("links", [])
    except (OSError, ValueError):
        links = []
    broken = sum(1 for link in links if link.get("state") == "BROKEN")
    return {"tool": "linkinator", "seconds": round(seconds, 2), "peak_mb": peak, "links": len(links), "broken": broken}


def run_auditor(url: str, crawl: dict[str, Any], work: Path, phase: str) -> dict[str, Any]:
    settings = {"carousel_watch_ms": 3000, **crawl}
    (work / "config.yaml").write_text(
        f"storage: {{url: sqlite:///{work / 'b.db'}}}\n"
        f"crawl: {json.dumps(settings)}\n"
        f"stores: [{{name: bench, url: '{url}'}}]\n",
        encoding="utf-8",
    )
    cmd = [str(ROOT / ".venv/bin/python"), "-m", "auditor", "audit", "--config", "config.yaml", "--now", NOW]
    seconds, peak, code = timed([*cmd, "--fail-on", "never"], work)
    with sqlite3.connect(work / "b.db") as db:
        row = db.execute("SELECT status, pages_seen, findings_total, timings FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    status, pages, findings, timings = row if row else ("none", 0, 0, "{}")
    t = json.loads(timings or "{}")
    return {
        "tool": f"auditor-{phase}",
        "seconds": round(seconds, 2),
        "peak_mb": peak,
        "exit": code,
        "status": status,
        "pages": pages,
        "links_probed": t.get("links probed"),
        "images_decoded": t.get("images decoded"),
        "ocr_images": t.get("ocr_images"),
        "findings": findings,
        "crawl_s": t.get("crawl_s"),
        "probes_s": t.get("probes_s"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stores", default="fixture,synth-250", help="comma-separated: fixture, synth-N, corpus:NAME")
    ap.add_argument("--reps", type=int, default=2, help="A B rounds per store (medians over them)")
    ap.add_argument("--images", type=int, default=300, help="distinct text images in the synthetic store")
    a = ap.parse_args()
    linkinator()
    table: list[tuple[str, dict[str, list[dict[str, Any]]]]] = []
    for store in a.stores.split(","):
        runs: dict[str, list[dict[str, Any]]] = {"linkinator": [], "auditor-cold": [], "auditor-warm": []}
        with served(store, a.images) as (url, crawl):
            for rep in range(a.reps):
                work = Path(tempfile.mkdtemp(prefix=f"auditor-compare-{store.replace(':', '-')}-"))
                for result in (
                    run_linkinator(url, work),
                    run_auditor(url, crawl, work, "cold"),
                    run_auditor(url, crawl, work, "warm"),
                ):
                    runs[result["tool"]].append(result)
                    print(json.dumps({"store": store, "rep": rep, **result}, ensure_ascii=False), flush=True)
        table.append((store, runs))
    print()
    print("| store | linkinator s | cold s | warm s | cold ÷ link | warm ÷ link | pages | links probed "
          "| images decoded | OCR'd cold / warm | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for store, runs in table:
        med = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
        cold, warm = runs["auditor-cold"][-1], runs["auditor-warm"][-1]
        peak = max(r["peak_mb"] for v in runs.values() for r in v)
        print(
            f"| {store} | {med['linkinator']:.1f} | {med['auditor-cold']:.1f} | {med['auditor-warm']:.1f} "
            f"| {med['auditor-cold'] / med['linkinator']:.1f}× | {med['auditor-warm'] / med['linkinator']:.1f}× "
            f"| {cold['pages']} | {cold['links_probed']} | {cold['images_decoded']} "
            f"| {cold['ocr_images']} / {warm['ocr_images']} | {peak} |"
        )


if __name__ == "__main__":
    main()
