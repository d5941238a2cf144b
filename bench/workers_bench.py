"""Throughput of the workers: N synthetic stores (each on its own loopback port, so per-host
politeness is per store as in real life) enqueued at once and audited by 1, 2 and 4 worker
processes (`auditor worker --concurrency W`), with a real redis-server and PostgreSQL.

    .venv/bin/python bench/workers_bench.py [--stores 12] [--products 100] [--images 30] [--workers 1 2 4]

Prints, per worker count: wall time from enqueue to the last run's end, the median and longest
per-store run, and what was done (pages read, images OCR'd). Each worker count starts from an empty
database (cold OCR cache), so the rows compare like with like.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth_store import SynthStore, serve  # noqa: E402
from tests.conftest import _start_postgres  # noqa: E402  (the tests' throwaway PostgreSQL cluster)

NOW = "2026-11-20T09:00:00+08:00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stores", type=int, default=12)
    ap.add_argument("--products", type=int, default=100)
    ap.add_argument("--images", type=int, default=30)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="auditor-workers-bench-"))
    work.chmod(0o755)  # the PostgreSQL server runs as its own user and must reach its folder
    redis_port = free_port()
    redis = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = _start_postgres(work / "pg")
    assert db, "PostgreSQL server binaries not found (scripts/setup.sh --test installs them)"
    servers = [serve(SynthStore(a.products, a.images, seed=7 + i)) for i in range(a.stores)]
    stores = "".join(
        f"  - {{name: s{i:02d}, url: 'http://127.0.0.1:{s.server_address[1]}/'}}\n" for i, s in enumerate(servers)
    )
    max_pages = a.products + a.products // 40 + 12
    (work / "config.yaml").write_text(
        f"storage: {{url: '{db}'}}\nworkers: {{broker_url: 'redis://127.0.0.1:{redis_port}/0'}}\n"
        f"crawl: {{max_pages: {max_pages}, max_depth: 2, carousel_watch_ms: 3000}}\nstores:\n{stores}",
        encoding="utf-8",
    )
    env = {**os.environ, "AUDITOR_DB_URL": "", "AUDITOR_BROKER_URL": ""}
    print(f"{a.stores} stores × {a.products} products ({a.images} text images each), max_pages {max_pages}")
    print(f"{'workers':>7} {'wall s':>8} {'median/store s':>15} {'longest s':>10} {'pages':>7} {'OCR':>6}")
    try:
        for w in a.workers:
            engine = create_engine(db)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
            worker = subprocess.Popen(
                [sys.executable, "-m", "auditor", "worker", "--concurrency", str(w), "--config", "config.yaml"],
                cwd=work,
                env=env,
                stdout=(work / f"worker-{w}.log").open("w"),
                stderr=subprocess.STDOUT,
            )
            time.sleep(8)  # the worker connects and forks its processes before the clock starts
            t0 = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "auditor", "audit", "--enqueue", "--config", "config.yaml", "--now", NOW],
                cwd=work,
                env=env,
                check=True,
                capture_output=True,
            )
            engine = create_engine(db)
            while True:
                with engine.connect() as conn:
                    runs = list(
                        conn.execute(text("SELECT status, started_at, finished_at, pages_seen, timings FROM runs"))
                    )
                if len(runs) == a.stores and all(r.status != "running" for r in runs):
                    break
                time.sleep(1)
            wall = time.monotonic() - t0
            engine.dispose()
            worker.terminate()
            worker.wait(120)
            per = [(r.finished_at - r.started_at).total_seconds() for r in runs]
            ocr = sum(int((r.timings or {}).get("ocr_images", 0)) for r in runs)
            print(
                f"{w:7d} {wall:8.1f} {statistics.median(per):15.1f} {max(per):10.1f} "
                f"{sum(r.pages_seen for r in runs):7d} {ocr:6d}",
                flush=True,
            )
            statuses = sorted({r.status for r in runs})
            if statuses != ["complete"]:
                print(f"        statuses: {json.dumps(statuses)}", flush=True)
    finally:
        for s in servers:
            s.shutdown()
        redis.terminate()
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        subprocess.run([*prefix, str(pg_ctl[-1]), "-D", str(work / "pg" / "data"), "-m", "fast", "stop"], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
