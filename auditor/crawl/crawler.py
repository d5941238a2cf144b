"""Crawl stage, the frontier: one browser, a bounded pool of pages, what to visit next (same-site
pages the regions link to, within max_pages and max_depth); each page read once by crawl/reader.py
(or, server-rendered product pages, over plain HTTP and laid out without their scripts: crawl/static.py)
into the snapshot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import httpx
from playwright.async_api import Browser, BrowserContext, async_playwright
from playwright.async_api import Error as PlaywrightError

from auditor.browser import find_browser, launch_options
from auditor.config import CrawlSettings, Store
from auditor.crawl.profiles import Profile
from auditor.crawl.reader import (
    CLOSE_TIMEOUT_S,
    DEAD_PREFIX,
    MOBILE_DEVICE,
    REQUESTS_JS,
    NoAnswer,
    PageReader,
    ScriptlessTabs,
    Slot,
    Step,
    fetch_document,
)
from auditor.crawl.static import product_from_html
from auditor.i18n import left_out_label, t
from auditor.models import Page, Snapshot, Viewport
from auditor.net import BodyTooLargeError, HostLimiter, make_client, read_capped

log = logging.getLogger(__name__)
MAX_PAGE_BYTES = 8 * 2**20  # a product page's HTML (Tmall's run to ~1 MB); past this it is not read
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
Progress = Callable[[str, int, int], None]


DESKTOP = {"width": 1280, "height": 900}
# tabs that lay out pages read over HTTP (crawl/static.py), side by side. Measured on the 1,000-product
# store (bench/audit_bench.py, warm): one tab 78 s (every product page waits for it), two 55 s at a peak
# of 1.43 GB, three no faster and 1.6 GB, past the 1.5 GB bound
SCRIPTLESS_TABS = 2
LANG_JS = """(() => {
  const set = () => { const h = document.documentElement; if (h && !h.lang) h.lang = "zh-CN"; return !!h; };
  if (!set()) new MutationObserver((_, o) => { if (set()) o.disconnect(); }).observe(document, { childList: true });
})();"""


# the rhythm of the page's own timers: the longest delay between 1 and 10 s that a setInterval runs on,
# or that setTimeout was given twice (a slider re-arming itself). A carousel that has shown nothing is
# not judged before two of them: a slider's first tick may show the slide already shown (jd-zhangcui's
# KV, setInterval 5000 starting at slide 0, first moves 10 s after load). Read by extract.js.
RHYTHM_JS = """(() => {
  const seen = new Map(); let longest = 0;
  const note = (ms, times) => { ms = +ms || 0; if (ms < 1000 || ms > 10000) return;
    const n = (seen.get(ms) || 0) + times; seen.set(ms, n); if (n >= 2 && ms > longest) longest = ms; };
  const si = window.setInterval, st = window.setTimeout;
  window.setInterval = function (fn, ms, ...rest) { note(ms, 2); return si.call(this, fn, ms, ...rest); };
  // the latest due time of the 1-10 s timeouts set by each moment (a carousel that shows nothing is
  // watched until those set before its watch began are due): [set at, latest due by then]
  const dues = [];
  Object.defineProperty(window, "__auditorDueBy", { value: (at) => {
    for (let i = dues.length - 1; i >= 0; i--) if (dues[i][0] <= at) return dues[i][1];
    return 0; } });
  // and, once the reader has moved the pointer (__auditorMoveAt), when the short timers set since are
  // due: a menu that opens a moment after mouseenter (SuperSlide's 150 ms; xiaomi-eugeneyichen's nav
  // panel writes its tiles 500 ms after it, js/index.js:64) is waited for, not guessed
  window.setTimeout = function (fn, ms, ...rest) {
    note(ms, 1);
    const now = performance.now(), delay = +ms || 0;
    if (delay >= 1000 && delay <= 10000 && dues.length < 5000)
      dues.push([now, Math.max(now + delay, dues.length ? dues[dues.length - 1][1] : 0)]);
    if (window.__auditorMoveAt !== undefined && ms >= 40 && ms <= 600)
      window.__auditorDue = Math.max(window.__auditorDue || 0, now + delay);
    return st.call(this, fn, ms, ...rest);
  };
  Object.defineProperty(window, "__auditorRhythm", { get: () => longest });
})();"""


def same_site(url: str, root: str) -> bool:
    return urlsplit(url).netloc == urlsplit(root).netloc


def decode_html(body: bytes, header_charset: str | None) -> str:
    """The page's text in the charset its header names, else the one its <meta> names (GBK pages of
    Chinese marketplaces often say so only there), else UTF-8; GB2312 and GBK read as GB18030."""
    found = META_CHARSET.search(body[:4096])
    named = found.group(1).decode("ascii", "replace").lower() if found else "utf-8"
    if named.startswith("utf-16"):  # a <meta> read in ASCII cannot be UTF-16: HTML reads it as UTF-8
        named = "utf-8"
    name = (header_charset or named).lower()
    if name in ("gb2312", "gbk", "x-gbk", "gb_2312-80"):
        name = "gb18030"
    try:
        return body.decode(name, errors="replace")
    except (LookupError, ValueError):  # an unknown name, or a codec that is not a text encoding (idna)
        return body.decode("utf-8", errors="replace")


def normalize(url: str) -> str:
    return urldefrag(url)[0]


@dataclass
class CrawlResult:
    snapshot: Snapshot
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # element-level failures that leave the page covered
    timed_out: bool = False


class Crawler:
    """Reads the store's home page and what its regions link to, within max_pages and max_depth."""

    def __init__(
        self,
        store: Store,
        settings: CrawlSettings,
        profile: Profile,
        shots_dir: Path | None,
        now: datetime,
        progress: Progress | None = None,
        only: list[str] | None = None,
        seeds: list[str] | None = None,
        locale: str = "zh-CN",
    ) -> None:
        self.store = store
        self.locale = locale  # of the run errors and notes the crawl leaves
        self.settings = settings
        self.profile = profile
        self.shots_dir = shots_dir
        self.now = now
        self.progress = progress or (lambda *_: None)
        self.only = only  # crawl exactly these URLs (snapshot command), no following
        self.seeds = [normalize(u) for u in seeds or []]  # more start points (campaign products)
        self.limiter = HostLimiter(settings.per_host, settings.delay_ms)
        self.client: httpx.AsyncClient | None = None
        self.scriptless: ScriptlessTabs | None = None  # tabs for pages read over HTTP (while running)
        # what has been read so far: still there when the crawl is cancelled (a signal) or stopped
        self.result = CrawlResult(Snapshot(store=store.name, started_at=now))
        self.stage_totals: dict[str, float] = {}  # seconds per page-read step, summed over pages
        self.reader = PageReader(store, settings, profile, shots_dir, self.stage_totals, locale)

    async def run(self) -> CrawlResult:
        """The whole crawl, within `run_timeout_s`: past it the pages read so far are the result and
        the run is partial. The browser is closed on every way out (a deadline, a signal, an error)."""
        result = self.result
        async with async_playwright() as pw, make_client(self.settings) as client:
            choice = find_browser(install=False, running=pw)
            self.client = client
            browser = await pw.chromium.launch(**launch_options(choice))  # type: ignore[arg-type]
            desktop: dict[str, Any] = {"user_agent": self.settings.user_agent, "locale": "zh-CN", "viewport": DESKTOP}
            if self.settings.storage_state:
                desktop["storage_state"] = self.settings.storage_state
            self.scriptless = ScriptlessTabs(browser, min(SCRIPTLESS_TABS, self.settings.concurrency), desktop)
            try:
                async with asyncio.timeout(self.settings.run_timeout_s):
                    for viewport in self.settings.viewports:
                        await self._crawl_viewport(pw, browser, viewport, result)
            except TimeoutError:
                result.errors.append(
                    t(
                        "err_run_deadline",
                        self.locale,
                        url=self.store.url,
                        seconds=self.settings.run_timeout_s,
                        pages=len(result.snapshot.pages),
                    )
                )
                result.timed_out = True
            finally:
                self.client = self.scriptless = None
                try:
                    await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT_S)
                except (TimeoutError, PlaywrightError):
                    log.warning("the browser did not close in time; Playwright kills it on exit")
        return result

    async def _context(self, pw: Any, browser: Browser, viewport: Viewport) -> BrowserContext:
        opts: dict[str, Any] = {"user_agent": self.settings.user_agent, "locale": "zh-CN", "viewport": DESKTOP}
        if viewport == "mobile":
            opts = {**pw.devices[MOBILE_DEVICE], "locale": "zh-CN"}
            opts["user_agent"] = f"{opts['user_agent']} {self.settings.user_agent}"
        if self.settings.storage_state:
            opts["storage_state"] = self.settings.storage_state
        context = await browser.new_context(**opts)
        context.set_default_timeout(self.settings.timeout_s * 1000)
        # a page's popups are not part of the audit, and a popup that opens popups (window.open on load)
        # would multiply until the machine starves: window.open opens nothing
        await context.add_init_script("window.open = function () { return null; };")
        # a page that declares no language is laid out as Chinese: without it Chromium looks up a
        # fallback font for every run of CJK text (a lang-less page of 60,000 Chinese links took 44 s
        # to lay out in Chromium 156, 3 s with lang set); a declared lang is left alone
        await context.add_init_script(LANG_JS)
        await context.add_init_script(RHYTHM_JS)
        await context.add_init_script(REQUESTS_JS)
        return context

    async def _crawl_viewport(self, pw: Any, browser: Browser, viewport: Viewport, result: CrawlResult) -> None:
        context = await self._context(pw, browser, viewport)
        start = normalize(self.store.url)
        queue: list[tuple[str, int]] = [(u, 0) for u in dict.fromkeys(self.only or [start, *self.seeds])]
        seen = {u for u, _ in queue}
        # pages that turn out dead (404, refused) are dead links, which the link probe reports: they do not
        # use up the page budget, up to as many again (vip-enjoy114's home page links 41 missing files
        # before its two real pages; they took 12 of 15 reads). Pages found while the budget was full wait.
        dead = 0
        waiting: dict[str, int] = {}

        def room() -> bool:
            return len(seen) < self.settings.max_pages + min(dead, self.settings.max_pages)

        turns = asyncio.Semaphore(self.settings.concurrency)
        tabs = asyncio.Semaphore(2 * self.settings.concurrency)
        fetching = asyncio.Semaphore(max(2 * self.settings.concurrency, self.settings.per_host))
        done = 0

        async def read(url: str, depth: int, is_home: bool, nav_timeout_s: float | None = None) -> Page:
            # `concurrency` pages are worked on at once (see Slot); up to twice as many tabs may be
            # open, loading or waiting on their carousels; pages waiting for a tab (with fetch_first,
            # their answers on their way: a slow server then holds no tab) as many as per_host
            timeout_s = nav_timeout_s or self.settings.timeout_s
            document = None
            async with fetching:
                if self.settings.fetch_first:
                    step = Step(self.stage_totals)
                    step.now = "fetching the page"
                    try:
                        document = await fetch_document(context, url, timeout_s)
                    except NoAnswer:  # what the tab would have said, without opening one
                        return self.reader.unanswered(url, depth, viewport, is_home, timeout_s)
                    finally:
                        step.close()
                try:
                    await tabs.acquire()
                except BaseException:  # stopped while waiting (the run's deadline): the answer is let go
                    if document is not None:
                        with contextlib.suppress(PlaywrightError):
                            await document.dispose()
                    raise
            try:
                return await self.reader.read_page(
                    context,
                    url,
                    depth,
                    viewport,
                    is_home,
                    early=lambda urls: follow(urls, depth),
                    slot=Slot(turns),
                    nav_timeout_s=nav_timeout_s,
                    document=document,
                )
            finally:
                tabs.release()
                if document is not None:
                    with contextlib.suppress(PlaywrightError):
                        await document.dispose()

        async def visit(url: str, depth: int) -> None:
            nonlocal done, dead
            is_home = url == start and not self.profile.is_product(url)
            page = None
            if (
                not is_home
                and viewport == "desktop"
                and self.settings.product_pages != "browser"
                and self.profile.is_product(url)
            ):
                page = await self._read_static(url, depth)
            if page is None:
                page = await read(url, depth, is_home)
            if is_home and page.error and not page.error.startswith(DEAD_PREFIX) and not page.regions:
                # read once more, given twice the time to open: without its start page the run has
                # nothing (woo-shopstic's home page runs its own script for 12 s before it is ready, on
                # an idle machine; busy, past 20 s); a dead start page (404, refused) is not read
                # again, nor one read with a complaint (its load event never fired: what arrived was read)
                result.notes.append(t("err_start_read_again", self.locale, url=url, error=page.error))
                page = await read(url, depth, is_home, nav_timeout_s=2 * self.settings.timeout_s)
            done += 1
            self.progress(url, done, len(seen))
            result.snapshot.pages.append(page)
            if page.error and not page.error.startswith(DEAD_PREFIX):
                result.errors.append(t("err_page", self.locale, url=url, detail=page.error))
            for what, n in page.left_out.items():
                result.notes.append(
                    t("err_left_out", self.locale, url=url, n=n, what=left_out_label(what, self.locale))
                )
            result.notes.extend(t("err_page", self.locale, url=url, detail=note) for note in page.notes)
            if page.blocked:
                result.blocked.append(url)
            # (a page behind a bot wall, 403 / 429 / 503, is blocked, not dead: it keeps its place)
            if not page.blocked and ((page.status or 0) >= 400 or (page.error or "").startswith(DEAD_PREFIX)):
                dead += 1
                while waiting and room():
                    nxt = next(iter(waiting))  # in the order they were found
                    at = waiting.pop(nxt)
                    if nxt not in seen:
                        seen.add(nxt)
                        tasks.append(asyncio.ensure_future(visit(nxt, at)))
            follow([link.url for region in page.regions for link in region.links], depth)

        def follow(urls: list[str], depth: int) -> None:
            """Visit what a page links to (also called while the page is still being read)."""
            if self.only:
                return
            for nxt in self._next_urls(urls, depth):
                if nxt in seen:
                    continue
                if room():
                    seen.add(nxt)
                    tasks.append(asyncio.ensure_future(visit(nxt, depth + 1)))
                elif len(waiting) < 10 * self.settings.max_pages:
                    waiting.setdefault(nxt, depth + 1)

        tasks: list[asyncio.Future[None]] = [asyncio.ensure_future(visit(u, d)) for u, d in queue]
        try:
            while tasks:
                current = list(tasks)
                tasks.clear()
                await asyncio.gather(*current)
        finally:
            for task in tasks:  # stopped early (deadline, signal): pages not started are not read
                task.cancel()
            with contextlib.suppress(TimeoutError, PlaywrightError):
                await asyncio.wait_for(context.close(), CLOSE_TIMEOUT_S)

    def _next_urls(self, links: list[str], depth: int) -> list[str]:
        """Same-site pages linked from a page: products always (one level), others within depth."""
        out: list[str] = []
        for link in links:
            url = normalize(link)
            if not url.startswith("http") or not same_site(url, self.store.url):
                continue
            if (
                self.profile.is_product(url)
                and depth <= self.settings.max_depth
                or depth < self.settings.max_depth
                and not self.profile.is_product(url)
            ):
                out.append(url)
        return list(dict.fromkeys(out))

    async def _read_static(self, url: str, depth: int) -> Page | None:
        """A server-rendered product page over plain HTTP; None sends it to the browser instead. The
        read is bounded like a browser's: the page deadline for the whole answer (a server that
        drips bytes), MAX_PAGE_BYTES after decompression (a gzip bomb is refused, not inflated)."""
        assert self.client is not None
        try:
            async with (
                self.limiter.slot(url),  # the deadline starts once the host has a free slot
                asyncio.timeout(self.settings.page_deadline_s),
                self.client.stream("GET", url, follow_redirects=True) as response,
            ):
                if "html" not in response.headers.get("content-type", "html"):
                    return None
                final, status = str(response.url), response.status_code
                if status >= 400:
                    return Page(url=url, final_url=final, status=status, kind="product", depth=depth)
                html = decode_html(await read_capped(response, MAX_PAGE_BYTES), response.charset_encoding)
        except BodyTooLargeError:
            what = t("err_too_large", self.locale, mb=MAX_PAGE_BYTES // 2**20)
            return Page(url=url, final_url=url, kind="product", depth=depth, error=what)
        except TimeoutError:
            what = self.reader.timed_out(self.settings.page_deadline_s, "reading over HTTP")
            return Page(url=url, final_url=url, kind="product", depth=depth, error=what)
        except httpx.HTTPError:  # resets, redirect loops, broken gzip: the browser reads it instead
            return None
        loop = asyncio.get_running_loop()
        try:
            product = await loop.run_in_executor(None, product_from_html, html, final, self.profile)
        except Exception:  # the HTML reader choked on this page: the browser reads it instead
            log.exception("reading %s over HTTP failed; reading it in the browser", url)
            return None
        if product is None:
            if self.settings.product_pages != "http":
                return None
            what = t("err_no_product_facts", self.locale)
            return Page(url=url, final_url=final, status=status, kind="product", depth=depth, error=what)
        assert self.scriptless is not None
        tab = await self.scriptless.get()
        try:
            async with asyncio.timeout(self.settings.page_deadline_s):
                page = await self.reader.read_scriptless(tab, html, final, status, depth, product)
        except Exception as exc:  # whatever went wrong there, the browser reads the page whole instead
            log.info("laying out %s without its scripts failed (%r); reading it in the browser", url, exc)
            await self.scriptless.discard(tab)
            return None
        except BaseException:  # cancelled (the run's deadline): the tab goes back as it is
            self.scriptless.put(tab)
            raise
        self.scriptless.put(tab)
        page.url = url
        return page
