"""Benchmark: the link probe on 2,000 distinct URLs served locally (200s, 404s, redirects, soft 404s).
Reports URLs/s, the peak of concurrent requests per host, and proof that no URL was fetched twice
(per method, counted by the server as well as by the prober).

    .venv/bin/python bench/links_bench.py --urls 2000 --per-host 6
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.config import CrawlSettings
from auditor.crawl.profiles import resolve_profile
from auditor.net import HostLimiter, make_client
from auditor.probes.links import LinkProber

SEEN: Counter[str] = Counter()
LOCK = threading.Lock()
IN_FLIGHT = [0, 0]  # now, peak (as the server saw it)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.go(True)

    def do_GET(self) -> None:
        self.go(False)

    def go(self, head: bool) -> None:
        with LOCK:
            SEEN[f"{self.command} {self.path}"] += 1
            IN_FLIGHT[0] += 1
            IN_FLIGHT[1] = max(IN_FLIGHT)
        time.sleep(0.005)  # a little server work, so concurrency matters
        n = int(self.path.strip("/").split("/")[-1] or 0)
        status, headers, body = 200, {}, b"<title>ok</title><p>in stock</p>"
        if n % 20 == 1:
            status, body = 404, b"<h1>404</h1>"
        elif n % 20 == 2:
            status, headers, body = 301, {"Location": f"/p/{n + 1000000}"}, b""
        elif n % 20 == 3:
            body = "<title>商品</title><p>该商品已下架</p>".encode()
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        with LOCK:
            IN_FLIGHT[0] -= 1


async def run(urls: list[str], per_host: int, base: str) -> tuple[float, LinkProber, HostLimiter]:
    settings = CrawlSettings(per_host=per_host)
    limiter = HostLimiter(per_host)
    async with make_client(settings) as client:
        prober = LinkProber(client, settings, resolve_profile("generic", {}, []), base, limiter)
        t0 = time.monotonic()
        await prober.check_all(urls + urls[: len(urls) // 2])  # half of them linked twice
        return time.monotonic() - t0, prober, limiter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--urls", type=int, default=2000)
    ap.add_argument("--per-host", type=int, default=6)
    a = ap.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    urls = [f"{base}/p/{i}" for i in range(a.urls)]
    elapsed, prober, limiter = asyncio.run(run(urls, a.per_host, base + "/"))
    twice = {k: v for k, v in SEEN.items() if v > 1}
    states = Counter(t.result().state for t in prober._tasks.values())
    print(
        json.dumps(
            {
                "distinct_urls": a.urls,
                "seconds": round(elapsed, 2),
                "urls_per_s": round(a.urls / elapsed, 1),
                "requests": prober.requests,
                "peak_per_host_client": max(limiter.peak.values()),
                "peak_per_host_server": IN_FLIGHT[1],
                "per_host_limit": a.per_host,
                "fetched_twice_by_method": len(twice),
                "states": dict(states),
            }
        )
    )
    assert not twice, list(twice)[:5]


if __name__ == "__main__":
    main()
