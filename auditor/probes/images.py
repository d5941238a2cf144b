"""Probes: image bytes fetched once per run (size-capped), fully decoded with Pillow; natural size, sha256.

"Decoded" means every pixel of the first frame was read: a truncated JPEG that `verify()` accepts is
`truncated` here. A verdict is one of: ok, a broken-image reason (`http-404`, `zero-bytes`,
`not-an-image`, `truncated`, `too-large`, `unsupported-format`), or `unreachable` (the host did not
answer: not a defect of the shop, the image check skips it).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
from PIL import Image, UnidentifiedImageError

from auditor.models import ImageFacts
from auditor.net import PROBE_LATE, BodyTooLargeError, HostGoneError, HostLimiter, read_capped

MAX_IMAGE_BYTES = 20 * 1024 * 1024
# Refused before any pixel is allocated. The tallest real detail images (淘宝/天猫 790 px wide long
# pictures) stay under 790×30000 ≈ 24 MP; 50 MP leaves room and keeps one decode under ~200 MB.
MAX_PIXELS = 50_000_000
# Formats a browser shows that Pillow cannot decode here: recognised by their first bytes.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"ftypheic", 4, "heic"),
    (b"ftypheix", 4, "heic"),
    (b"ftypmif1", 4, "heif"),
    (b"ftypavif", 4, "avif"),
    (b"\xff\x0a", 0, "jxl"),
    (b"\x00\x00\x00\x0cJXL ", 0, "jxl"),
)
_SVG = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<svg[\s>]", re.S | re.I)
_LENGTH = re.compile(r"^\s*([\d.]+)\s*(px)?\s*$")


def _svg_size(data: bytes) -> tuple[int, int] | None:
    """An SVG's own size: width/height in px, else its viewBox; None when it does not parse."""
    try:
        root = ET.fromstring(data)  # expat refuses entity amplification (billion laughs) by itself
    except ET.ParseError:
        return None
    if not root.tag.endswith("svg"):
        return None
    w, h = (_LENGTH.match(root.get(k, "")) for k in ("width", "height"))
    if w and h:
        return round(float(w.group(1))), round(float(h.group(1)))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            return None
    return 0, 0  # a scalable picture with no intrinsic size: it shows, at whatever size it is given


def _unsupported(data: bytes) -> str | None:
    for magic, offset, name in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return name
    return None


def decode(url: str, status: int, content_type: str, data: bytes) -> ImageFacts:
    """CPU part, run in an executor: does the body decode, every pixel of it, and how big is it."""
    facts = ImageFacts(url=url, ok=False, status=status, content_type=content_type, size_bytes=len(data))
    if status >= 400:
        facts.reason = f"http-{status}"
        return facts
    if not data:
        facts.reason = "zero-bytes"
        return facts
    if _SVG.match(data[:4096]):
        size = _svg_size(data)
        if size is None:
            facts.reason = "not-an-image: SVG that does not parse"
            return facts
        facts.ok, (facts.width, facts.height) = True, size
        facts.format = "svg"
        facts.sha256 = hashlib.sha256(data).hexdigest()
        return facts
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit applies below
            img = Image.open(io.BytesIO(data))
        with img:
            facts.width, facts.height = img.size
            facts.format = (img.format or "").lower()
            if img.width * img.height > MAX_PIXELS:
                # a camera's photo is no bomb (a 6805×8070 JPEG of 1.8 MB in eflyer-ruiraiment's KV): a
                # JPEG is decoded at an eighth of its size, every byte of it still read (the format scales
                # while it decodes); other formats cannot be, and are refused before allocation
                if img.format != "JPEG" or img.width * img.height > 64 * MAX_PIXELS:
                    facts.reason = f"too-large: {img.width}×{img.height} px"
                    return facts
                img.draft(None, (img.width // 8, img.height // 8))
            img.load()  # every pixel of the first frame; this is what finds a truncated file
            facts.frames = getattr(img, "n_frames", 1)
    except Image.DecompressionBombError as exc:
        facts.reason = f"too-large: {exc}"
        return facts
    except UnidentifiedImageError:
        fmt = _unsupported(data)
        facts.reason = f"unsupported-format: {fmt}" if fmt else "not-an-image"
        return facts
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        text = str(exc)
        truncated = "truncated" in text or "broken data stream" in text or isinstance(exc, EOFError)
        facts.reason = "truncated" if truncated else f"not-an-image: {text[:120]}"
        return facts
    facts.ok = True
    facts.sha256 = hashlib.sha256(data).hexdigest()
    return facts


class ImageProber:
    def __init__(
        self,
        client: httpx.AsyncClient,
        limiter: HostLimiter,
        keep_bytes: Callable[[str, bytes], None] | None = None,
        site: str | None = None,
        unreachable_dead: bool = False,
        whole_s: float = 20.0,
        until: float | None = None,
    ) -> None:
        self.client = client
        self.limiter = limiter
        self.whole_s = whole_s  # the whole answer, headers to last byte
        self.until = until  # the event loop's time past which nothing more is probed (None: no bound)
        self.keep_bytes = keep_bytes  # the OCR probe wants the bytes of some images; nothing is fetched twice
        self.site = urlsplit(site).netloc if site else None  # host and port, as for links
        self.unreachable_dead = unreachable_dead
        self._tasks: dict[str, asyncio.Task[ImageFacts]] = {}
        self.decoded = 0  # images actually fetched and decoded this run (the benchmark prints it)

    async def probe_all(self, urls: list[str]) -> dict[str, ImageFacts]:
        results = await asyncio.gather(*(self.probe(u) for u in dict.fromkeys(urls)))
        return {r.url: r for r in results}

    def probe(self, url: str) -> asyncio.Task[ImageFacts]:
        if url not in self._tasks:
            self._tasks[url] = asyncio.ensure_future(self._guarded(url))
        return self._tasks[url]

    async def _guarded(self, url: str) -> ImageFacts:
        """One image's failure of any kind is that image's verdict, never the run's."""
        try:
            async with asyncio.timeout_at(self.until):
                return await self._probe(url)
        except TimeoutError:  # the probes' deadline: said once in the run's errors, not a finding
            return ImageFacts(url=url, ok=False, reason=PROBE_LATE, unreachable=True)
        except Exception as exc:
            return ImageFacts(url=url, ok=False, error=f"{type(exc).__name__}: {exc}"[:300])

    def _unreachable(self, url: str, internal: bool, how: str) -> ImageFacts:
        """The host did not answer: unknown, like a link to it, unless it is the shop's own or the config
        says that counts as broken."""
        dead = internal or self.unreachable_dead
        return ImageFacts(url=url, ok=False, reason=f"unreachable: {how}", unreachable=not dead)

    async def _probe(self, url: str) -> ImageFacts:
        if not url.startswith(("http://", "https://")):
            return ImageFacts(url=url, ok=False, reason="not-fetched-scheme", unreachable=True)
        internal = self.site is not None and urlsplit(url).netloc == self.site
        if (earlier := self.limiter.gone(url)) is not None:
            return self._unreachable(url, internal, earlier)
        retried = False
        while True:
            try:
                async with (
                    self.limiter.slot(url, retried),
                    asyncio.timeout(self.whole_s),  # bytes that keep coming, each in time: still bounded
                    self.client.stream("GET", url, follow_redirects=True) as response,
                ):
                    status, ctype = response.status_code, response.headers.get("content-type", "")
                    data = await read_capped(response, MAX_IMAGE_BYTES) if status < 400 else b""
                break
            except TimeoutError:
                if not retried:
                    retried = True
                    continue
                return self._unreachable(url, internal, f"whole answer not read in {self.whole_s:g} s")
            except BodyTooLargeError:
                return ImageFacts(url=url, ok=False, status=200, reason=f"too-large: over {MAX_IMAGE_BYTES} bytes")
            except HostGoneError as gone:  # found unreachable by another request while this one waited
                return self._unreachable(url, internal, gone.reason)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if not internal and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    self.limiter.mark_unreachable(url, type(exc).__name__)  # the shop's own host is always asked
                if not retried:  # one retry, as for links: a reset connection is often a passing fault
                    retried = True
                    continue
                return self._unreachable(url, internal, type(exc).__name__)
        if retried:
            self.limiter.answered(url)  # it answered the second time: it is asked again
        loop = asyncio.get_running_loop()
        facts = await loop.run_in_executor(None, decode, url, status, ctype, data)
        self.decoded += 1
        if facts.ok and self.keep_bytes:
            self.keep_bytes(url, data)
        return facts
