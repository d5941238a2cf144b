"""Probes: the shared HTTP client, polite per host (bounded concurrency, optional delay)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx

from auditor.config import CrawlSettings


class HostLimiter:
    """At most `per_host` requests in flight to one host; records the peak, for the benchmark."""

    def __init__(self, per_host: int, delay_ms: int = 0) -> None:
        self.per_host = per_host
        self.delay = delay_ms / 1000
        self._sems: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
        self.in_flight: dict[str, int] = defaultdict(int)
        self.peak: dict[str, int] = defaultdict(int)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = urlsplit(url).netloc
        async with self._sems[host]:
            self.in_flight[host] += 1
            self.peak[host] = max(self.peak[host], self.in_flight[host])
            try:
                yield
            finally:
                self.in_flight[host] -= 1
                if self.delay:
                    await asyncio.sleep(self.delay)


def make_client(settings: CrawlSettings, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6"},
        timeout=httpx.Timeout(settings.link_timeout_s, connect=min(5.0, settings.link_timeout_s)),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        transport=transport,
    )
