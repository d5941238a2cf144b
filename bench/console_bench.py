"""The console's findings page over 10,000 findings: how long the pages the team opens every morning
take to answer (the dashboard, the findings list's first and last page, a filtered list, a finding,
the API), medians of repeated requests through the real app (FastAPI + templates + SQLAlchemy).

    .venv/bin/python bench/console_bench.py [--findings 10000] [--db postgresql+psycopg://...]

SQLite in a temporary folder by default; `--db` measures another database (it must be empty).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from auditor.config import load_config
from auditor.models import Finding, Page
from auditor.store.db import open_db
from auditor.store.repo import Repo
from auditor.web.app import create_app

CLOCK = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
CHECKS = ("dead-link", "broken-image", "expired-promotion", "showcase-slot-gap", "image-price-mismatch")
SEVERITIES = ("critical", "high", "medium", "low")
REGIONS = ("nav", "kv", "banner", "showcase", "page")


def seed(repo: Repo, n: int, stores: int = 5) -> None:
    per_store = n // stores
    for s in range(stores):
        store = f"store{s}"
        run_id = repo.start_run(store, CLOCK - timedelta(days=1))
        found = [
            Finding(
                check=CHECKS[i % len(CHECKS)],
                rule=CHECKS[i % len(CHECKS)],
                severity=SEVERITIES[i % 4],  # type: ignore[arg-type]
                store=store,
                page=f"https://{store}.example/p/{i // 20}",
                region=REGIONS[i % len(REGIONS)],
                target=f"https://{store}.example/item/{i}",
                message=f"问题 {i}：链接 https://{store}.example/item/{i} 打开为 404",
                evidence={"status": 404, "text": f"商品 {i}"},
                fingerprint=f"{store}-{i}",
            )
            for i in range(per_store)
        ]
        pages = [Page(url=f"https://{store}.example/p/{k}") for k in range(per_store // 20)]
        repo.record(run_id, found, pages, True, list(CHECKS), CLOCK - timedelta(days=1))
        repo.finish_run(run_id, "complete", pages_seen=len(pages), findings_total=len(found))


def timed(client: TestClient, path: str, repeat: int) -> tuple[float, int]:
    times = []
    size = 0
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(path)
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        size = len(r.content)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary folder)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        stores = "".join(f"  - {{name: store{s}, url: 'https://store{s}.example/'}}\n" for s in range(5))
        (Path(tmp) / "config.yaml").write_text(f"storage: {{url: '{db}'}}\nstores:\n{stores}", encoding="utf-8")
        cfg = load_config(Path(tmp) / "config.yaml")
        repo = Repo(open_db(cfg.db_url))
        t = time.perf_counter()
        seed(repo, args.findings)
        print(f"seeded {args.findings} findings in {time.perf_counter() - t:.1f} s ({db.split('://')[0]})")
        repo.add_user("bench", "viewer", "bench-password")
        token = repo.new_token("bench")
        client = TestClient(create_app(cfg, CLOCK.isoformat()), headers={"Authorization": f"Bearer {token}"})
        one = repo.findings_page(limit=1)[0][0].id
        last_page = args.findings // 50 + 1
        print(f"{'request':58} {'median ms':>10} {'bytes':>9}")
        for path in (
            "/",
            "/findings",
            f"/findings?page_no={last_page}",
            "/findings?store=store3&severity=high&check=dead-link",
            "/findings?status=all",
            f"/findings/{one}",
            "/api/findings?severity=critical",
            "/runs",
        ):
            median, size = timed(client, path, args.repeat)
            print(f"{path:58} {median * 1000:10.1f} {size:9d}")


if __name__ == "__main__":
    main()
