"""Probes: link status. The shop's own links by GET (their body tells a soft 404), others by HEAD
first, GET where needed; redirects, loops, Retry-After, soft 404s."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from bs4 import BeautifulSoup

from auditor.config import CrawlSettings
from auditor.crawl.profiles import Profile, find_marker
from auditor.models import LinkStatus, Page
from auditor.net import PROBE_LATE, WHOLE_ANSWER, HostGoneError, HostLimiter, read_capped, retry_after
from auditor.vocabulary import CHALLENGE_MARKERS, DELISTED_MARKERS, KNOWN_SCHEMES, SKIPPED_SCHEMES

HEAD_FALLBACK = {403, 405, 501, 400}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
MAX_BODY = 512 * 1024
# a loop with a meta refresh in it is what the crawl, reading the page in the browser, calls a
# `refresh-loop`: the probe says the same, whichever of the two finds it; HTTP redirects only: `redirect-loop`
LOOPS = ("redirect-loop", "refresh-loop")


class LinkProber:
    """Checks each distinct URL once per run; concurrency bounded per host by the shared limiter."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: CrawlSettings,
        profile: Profile,
        site: str,
        limiter: HostLimiter,
        on_done: Callable[[LinkStatus], None] | None = None,
        until: float | None = None,
    ) -> None:
        self.client = client
        self.until = until  # the event loop's time past which nothing more is probed (None: no bound)
        self.settings = settings
        self.profile = profile
        self.site = urlsplit(site).netloc
        self.limiter = limiter
        self.on_done = on_done
        self._tasks: dict[str, asyncio.Task[LinkStatus]] = {}
        self.requests = 0
        self.sent: dict[str, int] = {}  # "METHOD url" → requests sent, for the benchmark's proof
        self._hops: dict[str, str] = {}
        self._depth: dict[str, int] = {}
        self._refreshes: set[str] = set()  # URLs whose hop is a meta refresh, not an HTTP redirect

    async def check_all(self, urls: list[str]) -> dict[str, LinkStatus]:
        results = await asyncio.gather(*(self.check(u) for u in dict.fromkeys(urls)))
        return {r.url: r for r in results}

    def check(self, url: str) -> asyncio.Task[LinkStatus]:
        if url not in self._tasks:
            self._tasks[url] = asyncio.ensure_future(self._check(url))
        return self._tasks[url]

    async def _check(self, url: str) -> LinkStatus:
        try:
            async with asyncio.timeout_at(self.until):
                status = await self._probe(url)
        except TimeoutError:  # the probes' deadline: said once in the run's errors, not a finding
            status = LinkStatus(url=url, state="unknown", reason=PROBE_LATE)
        except Exception as exc:
            status = LinkStatus(
                url=url, state="unknown", reason="probe-error", error=f"{type(exc).__name__}: {exc}"[:300]
            )
        if self.on_done:
            self.on_done(status)
        return status

    def _internal(self, url: str) -> bool:
        return urlsplit(url).netloc == self.site

    async def _probe(self, url: str) -> LinkStatus:
        if SKIPPED_SCHEMES.match(url.strip()):
            return LinkStatus(url=url, state="skipped", reason="not-fetched-scheme")
        if not url.startswith(("http://", "https://")):
            scheme = SCHEME.match(url.strip())
            if scheme and scheme.group(1).lower() not in KNOWN_SCHEMES:  # javascritp:; htps:// — opens nothing
                return LinkStatus(url=url, state="dead", reason=f"bad-scheme: {scheme.group(1)}")
            return LinkStatus(url=url, state="skipped", reason="not-fetched-scheme")
        internal = self._internal(url)
        if not internal and not self.settings.check_external:
            return LinkStatus(url=url, state="skipped", reason="external-not-checked")
        started = time.monotonic()
        result = LinkStatus(url=url, state="unknown")
        dead = internal or self.settings.external_unreachable == "dead"
        unanswered = "dead" if dead else "unknown"  # the verdict when its host does not answer
        if (earlier := self.limiter.gone(url)) is not None:  # the host already failed to answer
            return self._done(result, started, state=unanswered, reason=f"connection-error: {earlier}")
        retried_transport = False
        rate_retries = 0
        method = "GET" if internal else "HEAD"  # only the body tells the shop's own soft 404 from a live page
        while True:
            result.attempts += 1
            try:
                response = await self._send(url, method, retrying=retried_transport)
            except HostGoneError as gone:  # found unreachable by another request while this one waited
                return self._done(result, started, state=unanswered, reason=f"connection-error: {gone.reason}")
            except (httpx.TimeoutException, httpx.TransportError, httpx.DecodingError) as exc:
                if not internal and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    self.limiter.mark_unreachable(url, type(exc).__name__)  # the shop's own host is always asked
                if not retried_transport:  # one retry on a timeout or a reset connection
                    retried_transport = True
                    continue
                reason = (
                    "timeout" if isinstance(exc, httpx.TimeoutException) else f"connection-error: {type(exc).__name__}"
                )
                return self._done(result, started, state=unanswered, reason=reason, method=method)
            if retried_transport:
                self.limiter.answered(url)  # it answered the second time: it is asked again
            code = response.status_code
            if method == "HEAD" and code in HEAD_FALLBACK:
                method = "GET"  # servers that refuse or mishandle HEAD get the real request
                continue
            if code in (429, 503) and rate_retries < 2:
                rate_retries += 1
                await asyncio.sleep(self._retry_after(response))
                continue
            result.chain, result.final_url, result.method = [code], url, method
            location = response.headers.get("location")
            if response.is_redirect and location:
                return await self._redirect(result, urljoin(url, location), started)
            if code in (401, 403, 429, 503) or (code >= 400 and self._challenge(response)):
                return self._done(result, started, state="blocked", reason=f"http-{code}")
            if code >= 400:
                return self._done(result, started, state="dead", reason=f"http-{code}")
            if 300 <= code < 400:
                return self._done(result, started, state="dead", reason="redirect-without-location")
            if internal and html(response):
                if (refresh := meta_refresh(response.content, url)) is not None:
                    # a page that sends the browser on at once is a redirect as the visitor sees it
                    self._refreshes.add(url)
                    return await self._redirect(result, refresh, started)
                return self._read_body(result, response, started)
            return self._done(result, started, state="ok", reason="")

    async def _redirect(self, result: LinkStatus, nxt: str, started: float) -> LinkStatus:
        """One hop; the rest is the target's own (cached) check, so a redirect target is fetched once.
        Loops are found when the hop is recorded: a path back to this URL through known hops."""
        self._hops[result.url] = nxt
        depth = self._depth.get(result.url, 0) + 1  # hops from a link on the page to `nxt`
        if depth > self.settings.max_redirects:
            return self._done(result, started, state="dead", reason="too-many-redirects", redirects=[nxt])
        self._depth[nxt] = min(self._depth.get(nxt, depth), depth)
        seen, cur = [result.url], nxt
        while cur in self._hops and cur not in seen:
            seen.append(cur)
            cur = self._hops[cur]
        if cur in seen or nxt == result.url:
            loop = seen[seen.index(cur) :]  # the hops round it, not those into it (nxt == result.url: cur is seen[0])
            reason = "refresh-loop" if any(h in self._refreshes for h in loop) else "redirect-loop"
            return self._done(result, started, state="dead", reason=reason, redirects=[*seen[1:], cur])
        target = await self.check(nxt)
        chain, redirects = [*result.chain, *target.chain], [nxt, *target.redirects]
        if target.reason in LOOPS:
            path = [result.url]
            for hop in redirects:  # the loop as seen from this URL: up to the first repeat
                path.append(hop)
                if hop in path[:-1]:
                    break
            return self._done(
                result, started, state="dead", reason=target.reason, chain=chain[: len(path) - 1], redirects=path[1:]
            )
        if len(redirects) > self.settings.max_redirects:
            return self._done(
                result, started, state="dead", reason="too-many-redirects", chain=chain, redirects=redirects
            )
        return self._done(
            result,
            started,
            state=target.state,
            reason=target.reason,
            chain=chain,
            redirects=redirects,
            final_url=target.final_url,
            title=target.title,
            text=target.text,
            method=target.method,
        )

    async def _send(self, url: str, method: str, retrying: bool = False) -> httpx.Response:
        async with self.limiter.slot(url, retrying):
            self.requests += 1
            self.sent[f"{method} {url}"] = self.sent.get(f"{method} {url}", 0) + 1
            whole = self.settings.link_timeout_s * WHOLE_ANSWER
            try:
                async with asyncio.timeout(whole):
                    response = await self.client.send(self.client.build_request(method, url), stream=True)
                    try:
                        body = b""
                        page = method == "GET" and response.is_success and html(response)
                        if page or response.status_code >= 400:
                            # the start of the page is enough for soft-404 words; a gzip bomb is not inflated;
                            # a file (a picture, a PDF) is known by its headers and not downloaded
                            body = await read_capped(response, MAX_BODY, truncate=True)
                        response._content = body
                    finally:
                        await response.aclose()
            except TimeoutError:  # bytes kept coming, each in time, the whole never did
                raise httpx.ReadTimeout(f"whole answer not read in {whole:g} s") from None
        return response

    def _retry_after(self, response: httpx.Response) -> float:
        """What the server asked for, or a second when it named no time."""
        wait = retry_after(response.headers.get("retry-after"), self.settings.retry_after_max_s)
        return 1.0 if wait is None else wait

    def _challenge(self, response: httpx.Response) -> bool:
        try:
            return find_marker(response.text[:5000], CHALLENGE_MARKERS) is not None
        except (httpx.ResponseNotRead, UnicodeDecodeError):
            return False

    def _read_body(self, result: LinkStatus, response: httpx.Response, started: float) -> LinkStatus:
        soup = BeautifulSoup(response.content, "html.parser")
        title = soup.title.get_text(strip=True) if soup.title else ""
        for tag in soup(["script", "style", "noscript"]):
            tag.decompose()
        text = re.sub(r"\s+", " ", soup.get_text(" ", strip=True))
        result.title, result.text = title, text[:2000]
        state, reason = page_verdict(title, text, self.profile)
        return self._done(result, started, state=state, reason=reason)

    @staticmethod
    def _done(result: LinkStatus, started: float, **update: object) -> LinkStatus:
        for key, value in update.items():
            setattr(result, key, value)
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        return result

    def seed(self, status: LinkStatus) -> None:
        """A verdict already known from the crawl (the page was read): the URL is not fetched again."""
        if status.url not in self._tasks:
            future: asyncio.Future[LinkStatus] = asyncio.get_running_loop().create_future()
            future.set_result(status)
            self._tasks[status.url] = future  # type: ignore[assignment]


_REFRESH = re.compile(
    rb"<meta[^>]+http-equiv\s*=\s*[\"']?refresh[\"']?[^>]*content\s*=\s*[\"']\s*(\d+(?:\.\d+)?)\s*[;,]\s*(?:url\s*=\s*)?"
    rb"[\"']?([^\"'>]+)",
    re.I,
)
REFRESH_MAX_DELAY_S = 5  # longer: a page the visitor reads before moving on, not a redirect


def html(response: httpx.Response) -> bool:
    """An HTML page, or an answer that does not say what it is."""
    return "html" in response.headers.get("content-type", "html")


def meta_refresh(body: bytes, base: str) -> str | None:
    """Where a `<meta http-equiv=refresh content="0;url=...">` in the page's head sends the visitor."""
    m = _REFRESH.search(body[:20000])
    if not m or float(m.group(1)) > REFRESH_MAX_DELAY_S:
        return None
    target = urljoin(base, m.group(2).decode("utf-8", "replace").strip())
    if urldefrag(target)[0] == urldefrag(base)[0]:
        return None  # a page that reloads itself (a live board) sends the visitor nowhere
    return target if target.startswith(("http://", "https://")) else None


def page_verdict(title: str, text: str, profile: Profile) -> tuple[str, str]:
    """A 200 page: a soft 404 (dead, with the marker), a bot wall (blocked), or alive."""
    head = f"{title} {text[:600]}"
    if (marker := find_marker(head, profile.soft_404_markers)) is not None:
        reason = "delisted" if any(m in marker for m in DELISTED_MARKERS) else "soft-404"
        return "dead", f"{reason}: {marker}"
    if find_marker(head, CHALLENGE_MARKERS) and len(text) < 3000:
        return "blocked", "challenge-page"
    return "ok", ""


def status_from_page(page: Page, profile: Profile) -> LinkStatus | None:
    """What the crawl already knows about a URL it read, as the link probe would say it; None when the
    crawl could not tell (a timeout, a 429 it could not get past) and the probe should try itself."""
    base = {
        "url": page.url,
        "final_url": page.final_url or page.url,
        "method": "GET",
        "attempts": 1,
        "title": page.title,
        "text": page.text[:2000],
    }
    if page.error and page.error.startswith("dead: refresh loop"):
        return LinkStatus(
            **base, state="dead", reason="refresh-loop", chain=[200] * len(page.redirects), redirects=page.redirects
        )
    if page.error or page.status is None or page.status in (429, 503):
        return None
    if page.blocked or page.status in (401, 403):
        return LinkStatus(**base, state="blocked", chain=[page.status], reason=f"http-{page.status}")
    if page.status >= 400:
        return LinkStatus(**base, state="dead", chain=[page.status], reason=f"http-{page.status}")
    state, reason = page_verdict(page.title, page.text, profile)
    return LinkStatus(**base, state=state, chain=[page.status], reason=reason)  # type: ignore[arg-type]
