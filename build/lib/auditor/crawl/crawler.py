"""Crawl stage: one browser, a bounded pool of pages; each page read once into the snapshot."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import httpx
from PIL import Image as PILImage
from playwright.async_api import Browser, BrowserContext, Dialog, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PWPage
from playwright.async_api import TimeoutError as PlaywrightTimeout

from auditor.browser import find_browser, launch_options
from auditor.config import CrawlSettings, Store
from auditor.crawl.price_finder import find_price
from auditor.crawl.product import read_product
from auditor.crawl.profiles import CHALLENGE_MARKERS, Profile, find_marker
from auditor.crawl.static import read_static
from auditor.models import Image, Link, Page, Presence, ProductFacts, Region, Snapshot, Viewport
from auditor.probes.http import HostLimiter, make_client

log = logging.getLogger(__name__)
EXTRACT_JS = files("auditor").joinpath("js/extract.js").read_text(encoding="utf-8")
MOBILE_DEVICE = "iPhone 13"
REQUIRED_JS = """(reqs) => reqs.map((r) => {
  let el = null; try { el = document.querySelector(r.selector); } catch (e) {}
  const shown = (e) => { for (; e && e.nodeType === 1; e = e.parentElement) { const cs = getComputedStyle(e);
    if (cs.display === "none" || cs.visibility === "hidden" || parseFloat(cs.opacity) === 0) return false; } return true; };
  const box = el ? el.getBoundingClientRect() : null;
  return { name: r.name, selector: r.selector, region: r.region || null, found: !!el,
           visible: !!el && shown(el) && box.width > 0 && box.height > 0,
           in_region: !el || !r.region || !!el.closest("[data-auditor-region='" + r.region + "']") };
})"""
DEAD_PREFIX = "dead: "  # the page is a dead link (the link probe reports it), not a failure of the run
MAX_SCROLL_STEPS = 12  # infinite scroll stops here
CLOSE_TIMEOUT_S = 10
REWATCH_JS = """() => (window.__auditorCarousels || []).forEach(w => {
  w.earlier = (w.earlier || 0) + w.moves.length; w.started = performance.now(); w.moves = []; w.lastChange = -1e9; })"""
# after the menus were hovered: tell every element the pointer was over that it has left
MOUSE_OUT_JS = """() => document.querySelectorAll(':hover').forEach(e => {
  e.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
  e.dispatchEvent(new MouseEvent('mouseleave', {bubbles: false})); })"""
# Chromium's network errors for a page that does not answer as HTTP (reset, garbage, refused, loops)
NET_ERROR = re.compile(r"net::ERR_[A-Z_]+")
MOVED = re.compile(r"Execution context was destroyed|navigat|Target page, context or browser has been closed", re.I)
MAX_SHOT_HEIGHT = 12000
MAX_CROP_SIDE = 1600

Progress = Callable[[str, int, int], None]


def same_site(url: str, root: str) -> bool:
    return urlsplit(url).netloc == urlsplit(root).netloc


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
    ) -> None:
        self.store = store
        self.settings = settings
        self.profile = profile
        self.shots_dir = shots_dir
        self.now = now
        self.progress = progress or (lambda *_: None)
        self.only = only  # crawl exactly these URLs (snapshot command), no following
        self.seeds = [normalize(u) for u in seeds or []]  # more start points (campaign products)
        self.limiter = HostLimiter(settings.per_host, settings.delay_ms)
        self.client: httpx.AsyncClient | None = None
        # what has been read so far: still there when the crawl is cancelled (a signal) or stopped
        self.result = CrawlResult(Snapshot(store=store.name, started_at=now))

    async def run(self) -> CrawlResult:
        """The whole crawl, within `run_timeout_s`: past it the pages read so far are the result and
        the run is partial. The browser is closed on every way out (a deadline, a signal, an error)."""
        result = self.result
        choice = find_browser(install=False)
        async with async_playwright() as pw, make_client(self.settings) as client:
            self.client = client
            browser = await pw.chromium.launch(**launch_options(choice))  # type: ignore[arg-type]
            try:
                async with asyncio.timeout(self.settings.run_timeout_s):
                    for viewport in self.settings.viewports:
                        await self._crawl_viewport(pw, browser, viewport, result)
            except TimeoutError:
                result.errors.append(
                    f"{self.store.url}: run deadline of {self.settings.run_timeout_s:.0f}s reached; "
                    f"crawl stopped after {len(result.snapshot.pages)} pages"
                )
                result.timed_out = True
            finally:
                self.client = None
                try:
                    await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT_S)
                except (TimeoutError, PlaywrightError):
                    log.warning("the browser did not close in time; Playwright kills it on exit")
        return result

    async def _context(self, pw: Any, browser: Browser, viewport: Viewport) -> BrowserContext:
        opts: dict[str, Any] = {
            "user_agent": self.settings.user_agent,
            "locale": "zh-CN",
            "viewport": {"width": 1280, "height": 900},
        }
        if viewport == "mobile":
            opts = {**pw.devices[MOBILE_DEVICE], "locale": "zh-CN"}
            opts["user_agent"] = f"{opts['user_agent']} {self.settings.user_agent}"
        if self.settings.storage_state:
            opts["storage_state"] = self.settings.storage_state
        context = await browser.new_context(**opts)
        context.set_default_timeout(self.settings.timeout_s * 1000)
        return context

    async def _crawl_viewport(self, pw: Any, browser: Browser, viewport: Viewport, result: CrawlResult) -> None:
        context = await self._context(pw, browser, viewport)
        start = normalize(self.store.url)
        queue: list[tuple[str, int]] = [(u, 0) for u in dict.fromkeys(self.only or [start, *self.seeds])]
        seen = {u for u, _ in queue}
        sem = asyncio.Semaphore(self.settings.concurrency)
        done = 0

        async def visit(url: str, depth: int) -> None:
            nonlocal done
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
                async with sem:
                    page = await self._read_page(context, url, depth, viewport, is_home=is_home)
            done += 1
            self.progress(url, done, len(seen))
            result.snapshot.pages.append(page)
            if page.error and not page.error.startswith(DEAD_PREFIX):
                result.errors.append(f"{url}: {page.error}")
            for what, n in page.left_out.items():
                result.notes.append(f"{url}: {n} {what} left out (over crawl.max_links_per_page)")
            result.notes.extend(f"{url}: {note}" for note in page.notes)
            if page.blocked:
                result.blocked.append(url)
            if self.only:
                return
            for nxt in self._next_urls(page, depth):
                if nxt not in seen and len(seen) < self.settings.max_pages:
                    seen.add(nxt)
                    tasks.append(asyncio.ensure_future(visit(nxt, depth + 1)))

        tasks: list[asyncio.Future[None]] = [asyncio.ensure_future(visit(u, d)) for u, d in queue]
        try:
            while tasks:
                current = list(tasks)
                tasks.clear()
                await asyncio.gather(*current)
        finally:
            for task in tasks:  # stopped early (deadline, signal): pages not started are not read
                task.cancel()
            try:
                await asyncio.wait_for(context.close(), CLOSE_TIMEOUT_S)
            except (TimeoutError, PlaywrightError):
                pass

    def _next_urls(self, page: Page, depth: int) -> list[str]:
        """Same-site pages linked from its regions: products always (one level), others within depth."""
        out: list[str] = []
        for region in page.regions:
            for link in region.links:
                url = normalize(link.url)
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
        """A server-rendered product page over plain HTTP; None sends it to the browser instead."""
        assert self.client is not None
        try:
            async with self.limiter.slot(url):
                response = await self.client.get(url, follow_redirects=True)
        except (httpx.TimeoutException, httpx.TransportError):
            return None
        if "html" not in response.headers.get("content-type", "html"):
            return None
        if response.status_code >= 400:
            return Page(url=url, final_url=str(response.url), status=response.status_code, kind="product", depth=depth)
        loop = asyncio.get_running_loop()
        page = await loop.run_in_executor(
            None, read_static, response.text, str(response.url), response.status_code, self.profile, depth
        )
        if page is None and self.settings.product_pages == "http":
            return Page(
                url=url,
                final_url=str(response.url),
                status=response.status_code,
                kind="product",
                depth=depth,
                error="product page over HTTP holds no product facts",
            )
        if page is not None:
            page.url = url
        return page

    async def _read_page(
        self, context: BrowserContext, url: str, depth: int, viewport: Viewport, is_home: bool
    ) -> Page:
        """One bounded read: everything done on the page (navigation, every evaluate, hover, click,
        scroll, waiting, screenshots) happens within `page_deadline_s`; past it the page is recorded
        as timed out with the step it was in, its tab is closed, and the crawl goes on."""
        kind = (
            "home"
            if is_home
            else "product"
            if self.profile.is_product(url)
            else ("category" if self.profile.is_category(url) else "other")
        )
        page = Page(url=url, viewport=viewport, depth=depth, kind=kind)
        step = Step()
        deadline = self.settings.page_deadline_s
        pw_page: PWPage | None = None
        try:
            async with asyncio.timeout(deadline):
                pw_page = await context.new_page()
                pw_page.on("dialog", lambda d: asyncio.ensure_future(_dismiss(d)))
                # a shop's popups (new windows) are closed at once; they are not part of the audit
                pw_page.on("popup", lambda p: asyncio.ensure_future(_close_quietly(p)))
                await self._load_and_read(pw_page, page, step)
        except TimeoutError:
            if step.now == "taking screenshots":  # everything was read; only the pictures are missing
                page.notes.append(f"screenshots timed out (page deadline {deadline:.0f}s)")
            else:
                page.error = f"timed out after {deadline:.0f}s while {step.now}"
        except PlaywrightError as exc:
            page.error = f"{str(exc).splitlines()[0][:300]} (while {step.now})"
        finally:
            if pw_page is not None:
                await _close_quietly(pw_page)
        return page

    async def _load_and_read(self, pw_page: PWPage, page: Page, step: Step) -> None:
        hops: list[str] = []  # main-frame documents: meta refreshes and JS location changes included

        def on_nav(frame: Any) -> None:
            if frame == pw_page.main_frame and (not hops or hops[-1] != frame.url):
                hops.append(frame.url)

        pw_page.on("framenavigated", on_nav)
        failed: dict[str, str] = {}  # pictures and stylesheets the browser asked for and did not get

        def on_response(response: Any) -> None:
            if response.status >= 400 and response.request.resource_type in ("image", "stylesheet"):
                failed.setdefault(response.url, response.request.resource_type)

        def on_failed(request: Any) -> None:
            if request.resource_type in ("image", "stylesheet") and request.url.startswith("http"):
                failed.setdefault(request.url, request.resource_type)

        pw_page.on("response", on_response)
        pw_page.on("requestfailed", on_failed)
        url = page.url
        step.now = "navigating"
        try:
            response = await pw_page.goto(url, wait_until="domcontentloaded", timeout=self.settings.timeout_s * 1000)
            if (
                response is not None
                and response.status in (429, 503)
                and (wait := _retry_after(response.headers.get("retry-after"), self.settings.retry_after_max_s))
            ):
                step.now = "waiting out Retry-After"
                await pw_page.wait_for_timeout(wait * 1000)  # honour Retry-After once, then read what comes
                response = await pw_page.goto(
                    url, wait_until="domcontentloaded", timeout=self.settings.timeout_s * 1000
                )
        except PlaywrightTimeout:
            page.error = f"timed out after {self.settings.timeout_s:.0f}s while navigating"
            return
        except PlaywrightError as exc:
            net = NET_ERROR.search(str(exc))
            if net:  # the page itself does not answer: the link probe says how (dead link), not a crawl failure
                page.error = DEAD_PREFIX + net.group(0)
                return
            raise
        page.status = response.status if response else None
        page.final_url = pw_page.url
        for attempt in range(self.settings.max_refreshes + 1):
            step.now = "waiting for the load event"
            try:  # a page whose last resource never arrives is still read, after a bounded wait
                await pw_page.wait_for_load_state("load", timeout=min(10000, self.settings.timeout_s * 1000))
            except PlaywrightTimeout:
                page.error = "load event did not fire; read what had arrived"
            if len(hops) > self.settings.max_refreshes:
                break
            try:
                await self._extract(pw_page, page, step)
                _add_failed_resources(page, failed)
                return
            except PlaywrightError as exc:
                # the page moved on by itself (meta refresh, location=...): read where it landed
                if not MOVED.search(str(exc)) or attempt == self.settings.max_refreshes:
                    raise
                step.now = "following a refresh"
                await pw_page.wait_for_timeout(100 * (attempt + 1))
        page.redirects = hops[1 : self.settings.max_refreshes + 2]
        page.error = DEAD_PREFIX + "refresh loop: " + " → ".join(hops[: self.settings.max_refreshes + 2])[:500]

    async def _extract(self, pw_page: PWPage, page: Page, step: Step) -> None:
        args = {
            "selectors": dict(self.profile.selectors),
            "pageKind": page.kind,
            "productUrl": self.profile.product_url,
            "maxLinks": self.settings.max_links_per_page,
        }
        step.now = "finding regions"
        mark = await pw_page.evaluate(EXTRACT_JS, {**args, "phase": "mark", "watchMs": self.settings.carousel_watch_ms})
        watch_started = asyncio.get_running_loop().time()
        step.now = "revealing menus"
        await self._reveal_menus(pw_page, mark.get("navItems") or [], mark.get("clickItems") or [])
        # the pointer leaves the page, and carousels are watched afresh from here: a slider that pauses
        # while hovered (ours, revealing the menus) must not look stalled
        with contextlib.suppress(PlaywrightError):
            await pw_page.mouse.move(0, 0)
            await pw_page.evaluate(MOUSE_OUT_JS)
            await pw_page.wait_for_timeout(500)  # what the pointer opened closes (a fade is ~400 ms)
            await pw_page.evaluate(REWATCH_JS)
        watch_started = asyncio.get_running_loop().time()
        step.now = "scrolling"
        await self._scroll(pw_page)
        step.now = "watching carousels"
        # carousels are watched in the page since "mark"; wait out the rest of the window only if one
        # has not moved yet
        # carousels have been watched in the page since "mark", beside the menus and the scrolling;
        # wait out the rest only while one has not shown enough moves to judge (bounded: twice the watch)
        remaining = 2 * self.settings.carousel_watch_ms / 1000 - (asyncio.get_running_loop().time() - watch_started)
        if remaining > 0:
            try:
                await pw_page.wait_for_function(
                    "() => !window.__auditorCarouselsDone || window.__auditorCarouselsDone()",
                    timeout=remaining * 1000,
                    polling=200,
                )
            except PlaywrightTimeout:
                pass
        step.now = "reading regions"
        data = await pw_page.evaluate(EXTRACT_JS, {**args, "phase": "read"})
        page.left_out = data.get("leftOut") or {}
        page.title = data["title"]
        page.text = data["text"]
        page.final_url = data["url"]
        page.regions = [Region.model_validate(_clean_region(r)) for r in data["regions"]]
        challenge = find_marker(f"{page.title} {page.text[:600]}", CHALLENGE_MARKERS) and len(page.text) < 3000
        page.blocked = page.status in (403, 429, 503) or bool(page.status == 200 and challenge)
        if page.kind in ("product", "other", "category"):
            step.now = "reading product facts"
            html = await pw_page.content()
            product = read_product(html, page.url, self.profile, page.text)
            if page.kind == "product" and (product is None or product.price is None):
                product = with_generic_price(product, data.get("priceCandidates") or [], page)
            # a listing that mentions 售罄 is still a listing: only structured data makes it a product page
            if product is not None and (page.kind != "category" or product.source != "selectors"):
                page.product = product
                page.kind = "product"
        if page.kind == "home" and self.store.required:
            page.required = [
                Presence.model_validate(r)
                for r in await pw_page.evaluate(REQUIRED_JS, [r.model_dump() for r in self.store.required])
            ]
        if self.shots_dir is not None:
            step.now = "taking screenshots"
            await self._screenshots(pw_page, page)

    async def _reveal_menus(self, pw_page: PWPage, items: list[str], clicks: list[str]) -> None:
        """Hover every top-level nav entry (and what it reveals, one level deeper) so JS menus exist;
        click the nav's toggles (buttons, summaries, aria-expanded, javascript: links) that open menus
        on click. Links that navigate are never clicked, nor anything that buys, subscribes or logs out."""
        for level in range(2):  # the top menu, then what it revealed
            for sel in items:
                try:
                    await pw_page.hover(sel, timeout=1500, force=True)
                    await pw_page.wait_for_timeout(60)  # the menu's own mouseenter handler runs on the next frame
                    await pw_page.evaluate(EXTRACT_JS, {"phase": "collect", "how": "hover", "level": level + 1})
                except PlaywrightError:
                    continue
            items = await pw_page.evaluate(EXTRACT_JS, {"phase": "revealed"})
            if not items:
                break
        await self._mark_revealed(pw_page, "hover")
        for sel in clicks:
            try:
                await pw_page.click(sel, timeout=1500, force=True, no_wait_after=True)
                await pw_page.wait_for_timeout(60)
                await pw_page.evaluate(EXTRACT_JS, {"phase": "collect", "how": "click", "level": 1})
            except PlaywrightError:
                continue
        await self._mark_revealed(pw_page, "click")

    @staticmethod
    async def _mark_revealed(pw_page: PWPage, how: str) -> None:
        """Entries that did not exist (or were not links) before: revealed by this interaction."""
        await pw_page.evaluate(
            "(how) => document.querySelectorAll('a:not([data-auditor-seen]), area:not([data-auditor-seen])')"
            ".forEach(a => { a.setAttribute('data-auditor-revealed', how);"
            " a.setAttribute('data-auditor-seen', '1'); })",
            how,
        )

    async def _scroll(self, pw_page: PWPage) -> None:
        """Scroll down in steps so lazy images load; bounded, so infinite scroll ends."""
        last = -1
        for _ in range(MAX_SCROLL_STEPS):
            height = await pw_page.evaluate(
                "() => { window.scrollBy(0, window.innerHeight); "
                "return [scrollY + innerHeight, document.body.scrollHeight]; }"
            )
            if height[0] >= height[1] or height[1] == last:
                break
            last = height[1]
            await pw_page.wait_for_timeout(50)
        await pw_page.evaluate("() => window.scrollTo(0, 0)")

    async def _screenshots(self, pw_page: PWPage, page: Page) -> None:
        """Region crops for the report; a page that cannot be photographed is still audited."""
        assert self.shots_dir is not None
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        try:
            height = await pw_page.evaluate("() => document.documentElement.scrollHeight")
            width = await pw_page.evaluate("() => document.documentElement.clientWidth")
            clip = {"x": 0, "y": 0, "width": max(1, width), "height": max(1, min(height, MAX_SHOT_HEIGHT))}
            png = await pw_page.screenshot(full_page=True, clip=clip, timeout=15000)
        except PlaywrightError as exc:
            page.notes.append(f"screenshot failed: {str(exc).splitlines()[0][:200]}")
            return
        key = hashlib.sha1(f"{page.viewport}|{page.url}".encode()).hexdigest()[:12]
        try:
            await asyncio.get_running_loop().run_in_executor(None, _crop_regions, png, page, self.shots_dir, key)
        except (OSError, ValueError) as exc:
            page.notes.append(f"screenshot crop failed: {exc}")


def _crop_regions(png: bytes, page: Page, shots_dir: Path, key: str) -> None:
    full = PILImage.open(io.BytesIO(png))
    for i, region in enumerate(page.regions):
        if not region.box or region.box[2] < 2 or region.box[3] < 2 or not region.visible:
            continue
        x, y, w, h = region.box
        box = (
            max(0, int(x)),
            max(0, int(y)),
            min(full.width, int(x + w)),
            min(full.height, int(y + h), MAX_SHOT_HEIGHT),
        )
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        path = shots_dir / f"{key}-{i}-{region.kind.replace('.', '_')}.png"
        crop = full.crop(box)
        if crop.width > MAX_CROP_SIDE or crop.height > MAX_CROP_SIDE:  # a long grid: keep it light
            crop.thumbnail((MAX_CROP_SIDE, MAX_CROP_SIDE))
        crop.save(path, compress_level=1)
        region.screenshot = str(path)


def with_generic_price(
    product: ProductFacts | None, candidates: list[dict[str, Any]], page: Page
) -> ProductFacts | None:
    """No structured price: the one found by structure and appearance, with its confidence."""
    guess = find_price(candidates)
    if guess is None:
        return product
    base = product or ProductFacts(url=page.url, title=page.title, source="generic")
    return base.model_copy(
        update={
            "price": guess.price,
            "regular_price": base.regular_price or guess.regular_price,
            "confidence": guess.confidence,
            "price_selector": guess.selector,
            "price_why": guess.why,
            "source": f"{base.source}+generic" if product is not None and base.source != "generic" else "generic",
        }
    )


def _add_failed_resources(page: Page, failed: dict[str, str]) -> None:
    """Requests the browser saw fail (a CSS background in a stylesheet, a stylesheet itself) that no
    region holds: into the page region, so the probes check them like any other picture or link."""
    if not failed:
        return
    have = {i.url for r in page.regions for i in [*r.images, *(s.image for s in r.slides if s.image)] if i}
    have |= {link.url for r in page.regions for link in r.links}
    rest = next((r for r in page.regions if r.kind == "page"), None)
    if rest is None:
        rest = Region(kind="page", selector="body")
        page.regions.append(rest)
    for url, kind in failed.items():
        if url in have:
            continue
        if kind == "image":
            rest.images.append(Image(url=url, kind="background", selector="(requested by the page)"))
        else:
            rest.links.append(Link(url=url, text="stylesheet", kind="resource", selector="(requested by the page)"))


class Step:
    """What a page read is doing now, so a timeout can say where it stopped."""

    now = "opening a tab"


async def _close_quietly(pw_page: PWPage) -> None:
    """Close a tab without waiting on its scripts; a renderer stuck in a loop is abandoned to the
    context's close, which kills it."""
    try:
        await asyncio.wait_for(pw_page.close(run_before_unload=False), CLOSE_TIMEOUT_S)
    except (TimeoutError, PlaywrightError):
        log.warning("a tab did not close in time: %s", pw_page.url[:200])


def _clean_region(raw: dict[str, Any]) -> dict[str, Any]:
    raw["links"] = [link for link in raw["links"] if link.get("url") is not None]
    return raw


def _retry_after(value: str | None, cap: float) -> float | None:
    try:
        return min(float(value), cap) if value is not None else None
    except ValueError:
        return None


async def _dismiss(dialog: Dialog) -> None:
    try:
        await dialog.dismiss()
    except PlaywrightError:
        pass
