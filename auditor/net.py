"""The HTTP client every stage shares (crawl and probes): polite per host (bounded concurrency, optional
delay, hosts that stopped answering remembered), bodies read with a cap after decompression."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from auditor.config import CrawlSettings


def retry_after(value: str | None, cap: float) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), at most `cap`; None when
    there is none or it cannot be read. One reading for the crawl and the link probe."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return None
    return max(0.0, min(seconds, cap))


class HostLimiter:
    """At most `per_host` requests in flight to one host; records the peak, for the benchmark."""

    def __init__(self, per_host: int, delay_ms: int = 0) -> None:
        self.per_host = per_host
        self.delay = delay_ms / 1000
        self._sems: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
        self.in_flight: dict[str, int] = defaultdict(int)
        self.peak: dict[str, int] = defaultdict(int)
        # hosts that did not answer (DNS failure, refused, connect timeout): later requests to them are
        # answered at once (a dead CDN with 180 pictures costs one timeout, not 180); the request that
        # failed tries once more, and a host that then answers is asked again
        self.unreachable: dict[str, str] = {}

    def gone(self, url: str) -> str | None:
        return self.unreachable.get(urlsplit(url).netloc)

    def mark_unreachable(self, url: str, reason: str) -> None:
        self.unreachable.setdefault(urlsplit(url).netloc, reason)

    def answered(self, url: str) -> None:
        self.unreachable.pop(urlsplit(url).netloc, None)

    @asynccontextmanager
    async def slot(self, url: str, retrying: bool = False) -> AsyncIterator[None]:
        """A turn at the host; HostGoneError when, by the time the turn came, the host was found
        unreachable (measured: 300 links to a dead demo host, queued six at a time and each waiting
        out its own failures, took the link probe 116 s). `retrying`: the request that found it so,
        trying once more, is let through."""
        host = urlsplit(url).netloc
        async with self._sems[host]:
            if not retrying and (reason := self.unreachable.get(host)) is not None:
                raise HostGoneError(reason)
            self.in_flight[host] += 1
            self.peak[host] = max(self.peak[host], self.in_flight[host])
            try:
                yield
            finally:
                self.in_flight[host] -= 1
                if self.delay:
                    await asyncio.sleep(self.delay)


class HostGoneError(Exception):
    """The host was found unreachable while this request waited for its turn; `reason` is how it failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


WHOLE_ANSWER = 2.0  # × link_timeout_s: a probe's whole answer, headers to last byte (a host that drips bytes)
PROBE_LATE = "not-probed: run deadline"  # the probes' own deadline passed before this URL was probed


class BodyTooLargeError(Exception):
    """A body over its cap, counted after decompression (a gzip bomb is refused, not inflated)."""


async def read_capped(response: httpx.Response, limit: int, truncate: bool = False) -> bytes:
    """Read a streamed response's body up to `limit` bytes after decompression. gzip/deflate are
    inflated here with a bound on each step, so a small compressed body cannot expand in memory;
    past the limit: the first `limit` bytes (`truncate`) or BodyTooLargeError."""
    encoding = response.headers.get("content-encoding", "").lower().strip()
    out = bytearray()
    inflater = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(47 if "gzip" in encoding else 15)  # 47: gzip or zlib header
    chunks = response.aiter_raw() if inflater or encoding in ("", "identity") else response.aiter_bytes()
    try:
        async for chunk in chunks:
            if inflater is not None:
                pending = chunk
                while pending and len(out) <= limit:
                    out += inflater.decompress(pending, limit + 1 - len(out))
                    pending = inflater.unconsumed_tail
            else:
                out += chunk
            if len(out) > limit:
                if truncate:
                    return bytes(out[:limit])
                raise BodyTooLargeError(f"body over {limit} bytes")
    except zlib.error as exc:
        raise httpx.DecodingError(f"bad {encoding} body: {exc}") from None
    return bytes(out)


def make_client(settings: CrawlSettings, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={
            "User-Agent": settings.user_agent,
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
            "Accept-Encoding": "gzip, deflate",  # the encodings read_capped can inflate with a bound
        },
        timeout=httpx.Timeout(settings.link_timeout_s, connect=min(5.0, settings.link_timeout_s)),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        transport=transport,
    )
