"""Benchmark: cold and warm audits of the synthetic store; time, peak memory (this process and its
children: Chromium), OCR runs. Prints one JSON line per run.

    .venv/bin/python bench/audit_bench.py --products 1000 --images 300 --runs 3
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth_store import SynthStore, serve  # noqa: E402


def peak_rss_mb() -> float:
    return max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, 0) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--runs", type=int, default=1, help="cold+warm pairs")
    ap.add_argument("--max-pages", type=int, default=0, help="default: every page")
    a = ap.parse_args()
    store = SynthStore(a.products, a.images)
    server = serve(store)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    max_pages = a.max_pages or a.products + store.categories + 10
    for run in range(a.runs):
        work = Path(tempfile.mkdtemp(prefix="auditor-bench-"))
        (work / "config.yaml").write_text(
            f"storage: {{url: sqlite:///{work / 'b.db'}}}\nrules: {{dir: {ROOT / 'rules'}}}\n"
            f"crawl: {{max_pages: {max_pages}, max_depth: 2, carousel_watch_ms: 3000}}\n"
            f"stores: [{{name: synth, url: '{url}'}}]\n"
        )
        for phase in ("cold", "warm"):
            t0 = time.monotonic()
            proc = subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/python"),
                    "-m",
                    "auditor",
                    "audit",
                    "--config",
                    "config.yaml",
                    "--now",
                    "2026-11-20T09:00:00+08:00",
                    "--fail-on",
                    "never",
                ],
                cwd=work,
                stdout=open(work / f"{phase}.out", "w"),
                stderr=subprocess.STDOUT,
            )
            # peak memory of the whole process tree (Python + Chromium), sampled
            peak = 0
            while proc.poll() is None:
                peak = max(peak, _tree_rss(proc.pid))
                time.sleep(0.5)
            proc.wait()
            elapsed = time.monotonic() - t0
            import sqlite3

            with sqlite3.connect(work / "b.db") as db:
                pages, timings = db.execute("SELECT pages_seen, timings FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            print(
                json.dumps(
                    {
                        "products": a.products,
                        "images": a.images,
                        "run": run,
                        "phase": phase,
                        "seconds": round(elapsed, 1),
                        "peak_pss_mb": round(peak / 1024),
                        "pages": pages,
                        "exit": proc.returncode,
                        **json.loads(timings),
                    }
                ),
                flush=True,
            )
            if proc.returncode not in (0, 1):
                print((work / f"{phase}.out").read_text()[-3000:], file=sys.stderr)


def tree(root: int) -> dict[int, list[str]]:
    """The processes of root's tree (root and all its descendants): each one's /proc/<pid>/stat fields
    after its name (state, parent, ...; utime and stime are fields 11 and 12)."""
    stats: dict[int, list[str]] = {}
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            stats[pid] = fields
            children.setdefault(int(fields[1]), []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    found: dict[int, list[str]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            found[pid] = stats[pid]
        todo.extend(children.get(pid, []))
    return found


def _tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants in KiB: the sum of PSS (shared pages divided among
    the processes sharing them, so Chromium's many processes are not counted once each)."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


if __name__ == "__main__":
    main()
