"""Probes: image bytes fetched once per run, decoded with Pillow; natural size and sha256."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Callable

import httpx
from PIL import Image, UnidentifiedImageError

from auditor.models import ImageFacts
from auditor.probes.http import HostLimiter

MAX_IMAGE_BYTES = 20 * 1024 * 1024


def decode(url: str, status: int, content_type: str, data: bytes) -> ImageFacts:
    """CPU part, run in an executor: does the body decode as an image, and how big is it."""
    facts = ImageFacts(url=url, ok=False, status=status, content_type=content_type, size_bytes=len(data))
    if status >= 400:
        facts.reason = f"http-{status}"
        return facts
    if not data:
        facts.reason = "zero-bytes"
        return facts
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            facts.width, facts.height = img.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        facts.reason = "not-an-image" if isinstance(exc, UnidentifiedImageError) else f"undecodable: {exc}"
        return facts
    facts.ok = True
    facts.sha256 = hashlib.sha256(data).hexdigest()
    return facts


class ImageProber:
    def __init__(
        self, client: httpx.AsyncClient, limiter: HostLimiter, keep_bytes: Callable[[str, bytes], None] | None = None
    ) -> None:
        self.client = client
        self.limiter = limiter
        self.keep_bytes = keep_bytes  # the OCR probe wants the bytes of some images; nothing is fetched twice
        self._tasks: dict[str, asyncio.Task[ImageFacts]] = {}

    async def probe_all(self, urls: list[str]) -> dict[str, ImageFacts]:
        results = await asyncio.gather(*(self.probe(u) for u in dict.fromkeys(urls)))
        return {r.url: r for r in results}

    def probe(self, url: str) -> asyncio.Task[ImageFacts]:
        if url not in self._tasks:
            self._tasks[url] = asyncio.ensure_future(self._probe(url))
        return self._tasks[url]

    async def _probe(self, url: str) -> ImageFacts:
        try:
            async with self.limiter.slot(url):
                response = await self.client.get(url, follow_redirects=True)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            return ImageFacts(url=url, ok=False, reason=f"fetch-error: {type(exc).__name__}")
        data = response.content[:MAX_IMAGE_BYTES]
        loop = asyncio.get_running_loop()
        facts = await loop.run_in_executor(
            None, decode, url, response.status_code, response.headers.get("content-type", ""), data
        )
        if facts.ok and self.keep_bytes:
            self.keep_bytes(url, data)
        return facts
