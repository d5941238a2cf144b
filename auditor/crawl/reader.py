"""Crawl stage, one page: a bounded read in the browser. Navigation, every evaluate, hover, click,
scroll, carousel watching and screenshots happen within the page deadline; what each step costs goes
to the run's timings."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Coroutine
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from playwright.async_api import APIResponse, Browser, BrowserContext, Dialog, Route
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PWPage
from playwright.async_api import TimeoutError as PlaywrightTimeout

from auditor.config import CrawlSettings, Store
from auditor.crawl.price_finder import find_price
from auditor.crawl.product import read_product, shows_no_product
from auditor.crawl.profiles import Profile, find_marker
from auditor.crawl.shots import Photo, photograph_if_settled, take_screenshots
from auditor.crawl.static import scriptless
from auditor.i18n import step_label, t
from auditor.models import Image, Link, Page, Presence, ProductFacts, Region, Viewport
from auditor.net import retry_after
from auditor.vocabulary import (
    BUY_CONTROLS,
    CHALLENGE_MARKERS,
    LAZY_ATTRIBUTES,
    LINE_BLOCKS,
    PAGE_VOCABULARY,
    RELATED_BLOCK,
)

log = logging.getLogger(__name__)
COUNTDOWN_GAP_S = 2.0
EXTRACT_JS = files("auditor").joinpath("js/extract.js").read_text(encoding="utf-8")
# the mark call also leaves the reader in the page, so that slides a script adds later are found there
MARK_JS = (
    "(args) => { window.__auditorExtract = "
    + EXTRACT_JS.strip().rstrip(";")
    + "; return window.__auditorExtract(args); }"
)
RUN_JS = "(args) => typeof window.__auditorExtract === 'function' ? [window.__auditorExtract(args)] : null"
# HTML read over HTTP written into a tab that runs none of its scripts (crawl/static.py), its lazy pictures
# loaded at once, then read by the builder once the document has loaded (its stylesheets and pictures:
# their sizes are the browser's), or after SCRIPTLESS_LOAD_MS whatever is still missing
SCRIPTLESS_LOAD_MS = 5000
WRITE_AND_READ_JS = """async ([html, json, here, wait]) => {
  const args = Object.assign(JSON.parse(json), { here });
  document.open(); document.write(html); document.close();
  document.querySelectorAll("img[loading=lazy]").forEach((i) => { i.loading = "eager"; });
  const until = performance.now() + wait;
  while (document.readyState !== "complete" && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  return typeof window.__auditorExtract === "function" ? JSON.stringify(window.__auditorExtract(args)) : null; }"""
PRICE_WAIT_MS = 3000  # how long a product page without a price is given to write one
# boxes named for a price (class or id) that hold no number yet: marked, and whether there are any
PRICE_PENDING_JS = """() => { const empty = [...document.querySelectorAll('[class*="price" i], [id*="price" i]')]
    .slice(0, 300).filter(e => e.checkVisibility() && !/\\d/.test(e.textContent || ""));
  empty.forEach(e => e.setAttribute("data-auditor-price-pending", ""));
  return empty.length > 0; }"""
# one of the marked boxes now holds a number
PRICE_WRITTEN_JS = """() => [...document.querySelectorAll("[data-auditor-price-pending]")]
  .some(e => /\\d/.test(e.textContent || ""))"""
# a page that says it is a product's (og:type product) whatever its address: a start page (an operator
# auditing one product page after a campaign gives its address as the store's: magento-plattar's saved
# product page), or one whose address names no product: its price is read and its photo gallery is a
# product's, not a KV. (Product data alone does not say so: shopify-turboheat's home page, og:type
# website, carries its featured product's JSON-LD.)
DECLARED_PRODUCT_JS = (
    """() => /^product\\b/i.test((document.querySelector('meta[property="og:type"]') || {}).content || "")"""
)
# markup read_product (crawl/product.py) takes product facts from: JSON-LD, schema.org microdata, the
# profile's price selector (a selector the browser refuses is left to the HTML reader). A page with none
# of it, whose text says nothing of being sold out or off sale, holds no product, and its HTML is not
# fetched and parsed to find that out (the hostile store's 60,000-link page: 4 s)
PRODUCT_MARKUP_JS = """(price) => {
  if (document.querySelector('script[type="application/ld+json"], [itemtype*="schema.org/Product"]')) return true;
  try { return !!(price && document.querySelector(price)); } catch (e) { return true; } }"""
# shown through every ancestor (none hidden, invisible or transparent): the small scripts below share it
SHOWN_JS = """const shown = (e) => {
    for (; e && e.nodeType === 1; e = e.parentElement) { const cs = getComputedStyle(e);
    if (cs.display === "none" || cs.visibility === "hidden" || parseFloat(cs.opacity) === 0) return false; }
    return true; };
"""
# a page not named as a product page is one when it shows a buy box: one to three buy controls in its
# first 1,200 px (加入购物车 and 立即购买, maybe a sticky copy); a grid of cards each with its own
# add-to-cart is a listing
BUY_BOX_JS = (
    """([label, controls]) => { const re = new RegExp(label, "i"), seen = new Set();
"""
    + SHOWN_JS
    + """  for (const e of document.querySelectorAll(controls)) {
    const r = e.getBoundingClientRect(); if (!r.width || !r.height || r.top + scrollY > 1200 || !shown(e)) continue;
    const words = (e.tagName === "INPUT" ? e.value : e.innerText || e.getAttribute("title") || "").trim();
    if (words.length <= 20 && re.test(words)) seen.add(Math.round(r.left / 10) + "," + Math.round(r.top / 10)); }
  return seen.size >= 1 && seen.size <= 3; }"""
)
# where the pointer goes to hover a menu entry: its middle, scrolled into view; null if it has no box
POINT_JS = """(sel) => { const e = document.querySelector(sel); if (!e) return null;
  window.__auditorMoveAt = performance.now(); window.__auditorDue = 0;
  e.scrollIntoView({block: "nearest", inline: "nearest"}); const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? [r.left + r.width / 2, r.top + r.height / 2] : null; }"""
# every call of extract.js reads with the words defined once in auditor/vocabulary.py
VOCABULARY_ARGS = {
    "lazy": list(LAZY_ATTRIBUTES),
    "vocab": PAGE_VOCABULARY,
    "related": RELATED_BLOCK,
    "buyControls": BUY_CONTROLS,
    "lineBlocks": LINE_BLOCKS,
}
MOBILE_DEVICE = "iPhone 13"
REQUIRED_JS = (
    """(reqs) => reqs.map((r) => {
  let el = null; try { el = document.querySelector(r.selector); } catch (e) {}
"""
    + SHOWN_JS
    + """  const box = el ? el.getBoundingClientRect() : null;
  return { name: r.name, selector: r.selector, region: r.region || null, found: !!el,
           visible: !!el && shown(el) && box.width > 0 && box.height > 0,
           in_region: !el || !r.region || !!el.closest("[data-auditor-region='" + r.region + "']") };
})"""
)
DEAD_PREFIX = "dead: "  # the page is a dead link (the link probe reports it), not a failure of the run
MAX_SCROLL_STEPS = 12  # infinite scroll stops here
CLOSE_TIMEOUT_S = 10
TIDY_TIMEOUT_S = 2  # a page's state put back after a step: one call that answers in milliseconds when it answers
ACCEPT_HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # as a browser asks for a page
MAX_DOCUMENT_BYTES = 8 * 2**20  # a page's answer declared larger is left to the browser to stream
HOVER_TIMEOUT_S = 1.5  # a menu entry the pointer cannot reach in this time is skipped
# after a hover or a click, until what it started is over: the short timers it set are due (a menu that
# opens 150 ms after mouseover, tiles written 500 ms after it) and the page has not changed for
# SETTLE_QUIET_MS (a slideDown's frames); at least the quiet time, at most SETTLE_MAX_MS (a page that
# never stops changing). The menu observer reads the entries meanwhile, as they come and go.
SETTLE_QUIET_MS = 80
SETTLE_MAX_MS = 700
SETTLE_JS = """([quiet, max]) => new Promise((done) => {
  const start = performance.now(), t0 = window.__auditorMoveAt || start;
  const tick = () => { const now = performance.now();
    const last = Math.max(t0, window.__auditorLastMutation || 0), due = window.__auditorDue || 0;
    if (now - start >= max || (now >= due + 30 && now - last >= quiet)) done(); else setTimeout(tick, 20); };
  setTimeout(tick, 20); })"""
# settling's whole time per page, past which an entry gets the old fixed wait: a page that never stops
# changing (a marquee restyled every 30 ms) would hold each of 60 entries for SETTLE_MAX_MS
SETTLE_BUDGET_S = 8.0
# the links a visitor can see or has revealed (a subset of what the regions will hold), handed to the
# crawl once the page is scrolled, before the carousels have been watched
# (an image map's areas have no box of their own: they are seen when the picture using the map is)
EARLY_LINKS_JS = """(max) => {
  const seen = (e) => !!e && e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const map = (a) => { const m = a.closest('map'); return m && m.name
    && seen(document.querySelector('img[usemap="#' + CSS.escape(m.name) + '"]')); };
  return [...new Set([...document.querySelectorAll('a[href], area[href]')].slice(0, max)
    .filter(a => a.hasAttribute('data-auditor-revealed') || (a.localName === 'area' ? map(a) : seen(a)))
    .map(a => a.href).filter(h => /^https?:/.test(h)))]; }"""
# after the menus were hovered: tell every element the pointer was over that it has left
MOUSE_OUT_JS = """() => document.querySelectorAll(':hover').forEach(e => {
  e.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
  e.dispatchEvent(new MouseEvent('mouseleave', {bubbles: false})); })"""
# Chromium's network errors for a page that does not answer as HTTP (reset, garbage, refused, loops)
NET_ERROR = re.compile(r"net::ERR_[A-Z_]+")
MOVED = re.compile(r"Execution context was destroyed|navigat|Target page, context or browser has been closed", re.I)


class PageReader:
    """Reads one page in a browser context into a `Page` (regions, product facts, screenshots)."""

    def __init__(
        self,
        store: Store,
        settings: CrawlSettings,
        profile: Profile,
        shots_dir: Path | None,
        stage_totals: dict[str, float],
        locale: str = "zh-CN",
    ) -> None:
        self.store = store
        self.locale = locale  # of the errors and notes a page read leaves
        self.settings = settings
        self.profile = profile
        self.shots_dir = shots_dir
        self.stage_totals = stage_totals  # seconds per step, summed over pages
        # (viewport, nav markup) → the entries hovering and clicking it revealed: the header is one
        # template on every page of a store, so its menus are revealed once per crawl, not per page
        # (what they revealed: {"links": [...], "pics": [...]}, pics the CSS backgrounds a hover showed)
        self.menus: dict[tuple[str, str], asyncio.Future[dict[str, list[Any]]]] = {}

    async def read_page(
        self,
        context: BrowserContext,
        url: str,
        depth: int,
        viewport: Viewport,
        is_home: bool,
        early: Callable[[list[str]], None] | None = None,
        slot: Slot | None = None,
        nav_timeout_s: float | None = None,
        document: APIResponse | None = None,
    ) -> Page:
        """One bounded read: everything done on the page (navigation, every evaluate, hover, click,
        scroll, waiting, screenshots) happens within `page_deadline_s`; past it the page is recorded
        as timed out with the step it was in, its tab is closed, and the crawl goes on. `early` gets
        the page's visible links once it is scrolled, and those its menus reveal as soon as they are
        open, so the crawl goes on while carousels are watched; the page's `slot` (its turn at the
        work that costs CPU) is taken once the server has answered and given back when only waiting
        is left. `document` is the page's answer already fetched (`fetch_document`): the tab is given
        it instead of asking the server again."""
        page = Page(url=url, viewport=viewport, depth=depth, kind=self._kind(url, is_home))
        step = Step(self.stage_totals)
        deadline = self.settings.page_deadline_s
        pw_page: PWPage | None = None
        try:
            async with asyncio.timeout(deadline):
                pw_page = await _open_tab(context)
                await self._load_and_read(
                    pw_page,
                    page,
                    step,
                    early,
                    slot,
                    nav_timeout_s=nav_timeout_s or self.settings.timeout_s,
                    document=document,
                )
        except TimeoutError:
            if step.now == "taking screenshots":  # everything was read; only the pictures are missing
                page.notes.append(t("err_shots_timed_out", self.locale, seconds=deadline))
            else:
                page.error = self.timed_out(deadline, step.now)
        except PlaywrightError as exc:
            detail = str(exc).splitlines()[0][:300]
            page.error = t("err_while", self.locale, detail=detail, step=step_label(step.now, self.locale))
        except Exception as exc:  # whatever a page's content makes go wrong is that page's error, not the run's
            log.exception("reading %s failed while %s", url, step.now)
            detail = f"{type(exc).__name__}: {str(exc)[:300]}"
            page.error = t("err_failed_while", self.locale, step=step_label(step.now, self.locale), detail=detail)
        finally:
            if slot is not None:
                slot.give()
            step.now = "closing the tab"
            if pw_page is not None:
                await _close_quietly(pw_page)
            step.close()
        return page

    async def read_scriptless(
        self, tab: PWPage, html: str, url: str, status: int, depth: int, product: ProductFacts
    ) -> Page:
        """A product page whose HTML was read over HTTP (crawl/static.py), its regions built by the same
        builder as every page's: the HTML written into `tab` with none of its scripts run, laid out with
        its stylesheets and pictures (bounded: the load event waited for up to 5 s), read by extract.js.
        Nothing is hovered, scrolled, watched or photographed. Raises PlaywrightError when the tab fails
        (the caller then reads the page in the browser)."""
        page = Page(url=url, final_url=url, status=status, kind="product", depth=depth, product=product)
        step = Step(self.stage_totals)
        failed: dict[str, str] = {}  # pictures and stylesheets this page asked for and did not get
        asked: set[Any] = set()  # this page's requests: the page before it may still have some going

        def on_request(request: Any) -> None:
            asked.add(request)

        def on_response(response: Any) -> None:
            if (
                response.request in asked
                and response.status >= 400
                and response.request.resource_type in ("image", "stylesheet")
            ):
                failed.setdefault(response.url, response.request.resource_type)

        def on_failed(request: Any) -> None:
            # (the tab's document is no page of the shop's origin, so every picture is fetched across
            # origins, and one whose answer is no picture is blocked by ORB: <img src="#"> asks for the
            # page itself. The shop's own tab sees no failed request there: the probes judge the picture.
            # Nor is a request the next page's writing cut short a failure: ERR_ABORTED)
            if request not in asked or re.search(r"ERR_BLOCKED_BY_ORB|ERR_ABORTED", request.failure or ""):
                return
            if request.resource_type in ("image", "stylesheet") and request.url.startswith("http"):
                failed.setdefault(request.url, request.resource_type)

        tab.on("request", on_request)
        tab.on("response", on_response)
        tab.on("requestfailed", on_failed)
        try:
            step.now = "laying out the HTML"
            args = {**self._builder_args("product"), "phase": "read", "watchMs": self.settings.carousel_watch_ms}
            # written, laid out and read in one call to the tab (under a crawl's load each call waits its
            # turn); the builder is left in the tab the first time and kept: writing anew keeps the window.
            # What goes in and comes out goes as one string: Playwright checks and converts a nested
            # value in Python, field by field (a py-spy profile of 1,000 product pages: 4 ms a call)
            found = await tab.evaluate(
                WRITE_AND_READ_JS, [scriptless(html, url), json.dumps(args), url, SCRIPTLESS_LOAD_MS]
            )
            data = json.loads(found) if found is not None else await tab.evaluate(MARK_JS, {**args, "here": url})
        finally:
            tab.remove_listener("request", on_request)
            tab.remove_listener("response", on_response)
            tab.remove_listener("requestfailed", on_failed)
            step.close()
        page.left_out = data.get("leftOut") or {}
        page.title = data["title"]
        page.text = data["text"]
        page.regions = [Region.model_validate(_clean_region(r)) for r in data["regions"]]
        if data.get("heading") and not product.heading:
            page.product = product.model_copy(update={"heading": str(data["heading"])})
        _add_failed_resources(page, failed)
        return page

    def _kind(self, url: str, is_home: bool) -> Literal["home", "category", "product", "other"]:
        if is_home:
            return "home"
        if self.profile.is_product(url):
            return "product"
        return "category" if self.profile.is_category(url) else "other"

    def unanswered(self, url: str, depth: int, viewport: Viewport, is_home: bool, timeout_s: float) -> Page:
        """A page whose server did not answer within `timeout_s`: recorded as a browser read that timed
        out while navigating would be (its tab was never opened)."""
        page = Page(url=url, viewport=viewport, depth=depth, kind=self._kind(url, is_home))
        page.error = self.timed_out(timeout_s, "navigating")
        return page

    def _builder_args(self, kind: str) -> dict[str, Any]:
        """What extract.js is told of every page: the store's selectors, the page's kind, the cap on
        links and the vocabulary; each phase adds its own."""
        return {
            "selectors": dict(self.profile.selectors),
            "pageKind": kind,
            "productUrl": self.profile.product_url,
            "maxLinks": self.settings.max_links_per_page,
            **VOCABULARY_ARGS,
        }

    def timed_out(self, seconds: float, step: str) -> str:
        return t("err_timed_out", self.locale, seconds=seconds, step=step_label(step, self.locale))

    async def _load_and_read(
        self,
        pw_page: PWPage,
        page: Page,
        step: Step,
        early: Callable[[list[str]], None] | None = None,
        slot: Slot | None = None,
        *,
        nav_timeout_s: float,
        document: APIResponse | None = None,
    ) -> None:
        hops: list[str] = []  # main-frame documents: meta refreshes and JS location changes included
        looping = asyncio.Event()  # more hops than max_refreshes before the page was even parsed

        def on_nav(frame: Any) -> None:
            if frame == pw_page.main_frame and (not hops or hops[-1] != frame.url):
                hops.append(frame.url)
                if len(hops) > self.settings.max_refreshes + 1:
                    looping.set()

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
        answered = None
        if document is not None:  # the answer fetched before the tab opened: given to the tab, not asked again
            answered = await _answer_with(pw_page, url, document)
        try:  # up to the server's answer no turn is held: waiting on a slow server costs no CPU
            response = await pw_page.goto(url, wait_until="commit", timeout=nav_timeout_s * 1000)
            if answered is not None:
                with contextlib.suppress(PlaywrightError):
                    await pw_page.unroute(answered)
            if (
                response is not None
                and response.status in (429, 503)
                and (wait := retry_after(response.headers.get("retry-after"), self.settings.retry_after_max_s))
            ):
                step.now = "waiting out Retry-After"
                await pw_page.wait_for_timeout(wait * 1000)  # honour Retry-After once, then read what comes
                step.now = "navigating"
                response = await pw_page.goto(url, wait_until="commit", timeout=nav_timeout_s * 1000)
            if slot is not None:
                step.now = "waiting for a turn"
                await slot.take()
            step.now = "navigating"
            # a script that sends the page on while it is parsed (location.replace in the body) never lets
            # it reach DOMContentLoaded: the hops are counted meanwhile, and a loop is said as one
            parsed = asyncio.ensure_future(
                pw_page.wait_for_load_state("domcontentloaded", timeout=nav_timeout_s * 1000)
            )
            moving = asyncio.ensure_future(looping.wait())
            await asyncio.wait({parsed, moving}, return_when=asyncio.FIRST_COMPLETED)
            moving.cancel()
            if looping.is_set() and not parsed.done():
                parsed.cancel()
                with contextlib.suppress(asyncio.CancelledError, PlaywrightError):
                    await parsed
                page.status, page.final_url = (response.status if response else None), pw_page.url
                self._loop(page, hops)
                return
            await parsed
        except PlaywrightTimeout:
            page.error = self.timed_out(nav_timeout_s, "navigating")
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
                page.error = t("err_no_load", self.locale)
            step.now = "waiting for the page's requests"
            settled = await requests_settled(pw_page)
            if not settled and slot is not None and not await answers(pw_page):
                # its own script holds the page (a busy loop): waiting on it is no work of the crawl's, and
                # with the turn held every other page would wait out its deadline too (the hostile
                # store, one turn: its 60,000-link page timed out queueing behind its busy loop)
                slot.give()
                slot = None
            if len(hops) > self.settings.max_refreshes:
                break
            if slot is not None:  # given back during an earlier try's carousel watch
                step.now = "waiting for a turn"
                await slot.take()
            try:
                await self._extract(pw_page, page, step, early, slot, document)
                _add_failed_resources(page, failed)
                return
            except PlaywrightError as exc:
                # the page moved on by itself (meta refresh, location=...): read where it landed
                if not MOVED.search(str(exc)):
                    raise
                if attempt == self.settings.max_refreshes:
                    if len(hops) > 2:  # still moving after every try: a loop, however slow its hops came
                        break
                    raise
                step.now = "following a refresh"
                await pw_page.wait_for_timeout(100 * (attempt + 1))
        self._loop(page, hops)

    def _loop(self, page: Page, hops: list[str]) -> None:
        """A page that kept sending the browser on (meta refresh, location=...): a dead link, its chain kept."""
        page.redirects = hops[1 : self.settings.max_refreshes + 2]
        page.error = DEAD_PREFIX + "refresh loop: " + " → ".join(hops[: self.settings.max_refreshes + 2])[:500]

    async def _extract(
        self,
        pw_page: PWPage,
        page: Page,
        step: Step,
        early: Callable[[list[str]], None] | None = None,
        slot: Slot | None = None,
        document: APIResponse | None = None,
    ) -> None:
        step.now = "finding regions"
        if page.kind in ("home", "other") and await pw_page.evaluate(DECLARED_PRODUCT_JS):
            page.kind = "product"
        elif (page.kind == "other" or (page.kind == "home" and not _site_root(page.url))) and await pw_page.evaluate(
            BUY_BOX_JS, [PAGE_VOCABULARY["buyControl"], BUY_CONTROLS]
        ):
            page.kind = "product"  # (a start page that is no site root: an operator checking one product)
        args = self._builder_args(page.kind)
        mark = await pw_page.evaluate(MARK_JS, {**args, "phase": "mark", "watchMs": self.settings.carousel_watch_ms})
        marked = asyncio.get_running_loop().time()
        # counted now, in case the read runs out of time: the read's own count replaces it (the hostile store's
        # 60,000 links, in Chinese, took Chromium 26-35 s to lay out alone, past a 30 s deadline); a page
        # read again where a refresh sent it is counted again
        over = int(mark.get("links") or 0) - self.settings.max_links_per_page
        page.left_out = {"links": over} if over > 0 else {}
        # the menus are hovered in a tab of their own while this one's carousels are watched: a pointer
        # here could pause a slider, and the watch would have to start over after it; one header template
        # is revealed once per crawl, and the pages that share it wait for that one reveal
        menus: asyncio.Future[dict[str, list[Any]]] | None = None
        known = (page.viewport, mark["navSig"]) if mark.get("navSig") else None
        if known is not None and known in self.menus:
            menus = self.menus[known]
        elif mark.get("navItems") or mark.get("clickItems"):
            menus = asyncio.ensure_future(
                self._menus_in_own_tab(
                    pw_page.context,
                    page.final_url or page.url,
                    args,
                    early,
                    mark.get("navSig"),
                    document,
                )
            )
            # a failure is read by whoever awaits it; unawaited (this page timed out first) it is dropped quietly
            menus.add_done_callback(lambda f: f.cancelled() or f.exception())
            if known is not None:
                self.menus[known] = menus
        step.now = "scrolling"
        with contextlib.suppress(PlaywrightError):  # the pictures the scroll loads are not carousel moves
            await pw_page.evaluate("() => { window.__auditorQuiet = true; }")
        try:
            if await self._scroll(pw_page):
                with contextlib.suppress(PlaywrightError):
                    await pw_page.wait_for_timeout(150)  # a picture the last step asked for arrives
        finally:
            await _tidy(pw_page.evaluate("() => { window.__auditorQuiet = false; }"))
        photo: asyncio.Future[Photo | None] | None = None
        if self.shots_dir is not None:
            # photographed now, while the carousels are being watched anyway and before the pages it
            # links to load beside it (under their load a photo took seconds); retaken at the end if
            # the layout has changed since
            step.now = "photographing the page"
            photo = await photograph_if_settled(pw_page)
        if early is not None:  # the menus' tab hands over what they reveal once they are open
            early(await pw_page.evaluate(EARLY_LINKS_JS, self.settings.max_links_per_page))
        step.now = "watching carousels"
        if slot is not None:  # waiting costs no CPU: the crawl's slot goes to the next page
            slot.give()
        # carousels have been watched in the page since "mark", beside the menus and the scrolling;
        # wait out the rest only while one has not shown enough moves to judge (bounded: twice the watch)
        remaining = 2 * self.settings.carousel_watch_ms / 1000 - (asyncio.get_running_loop().time() - marked)
        if remaining > 0:
            with contextlib.suppress(PlaywrightTimeout):
                await pw_page.wait_for_function(
                    "() => !window.__auditorCarouselsDone || window.__auditorCarouselsDone()",
                    timeout=remaining * 1000,
                    polling=200,
                )
        if menus is not None:
            step.now = "waiting for the menus"
            revealed: dict[str, list[Any]] | None
            try:
                revealed = await asyncio.shield(menus)
            except Exception as exc:  # the other tab failed (it timed out, the page moved): reveal them here
                log.info("revealing the menus of %s in a tab of their own failed (%r); here instead", page.url, exc)
                revealed = None
            if revealed is None:  # revealed here instead, once the carousels have been watched
                if known is not None and self.menus.get(known) is menus:
                    del self.menus[known]
                step.now = "revealing menus"
                await self._reveal_menus(pw_page, mark.get("navItems") or [], mark.get("clickItems") or [])
                if early is not None:
                    early(await pw_page.evaluate(EARLY_LINKS_JS, self.settings.max_links_per_page))
                with contextlib.suppress(PlaywrightError):
                    await pw_page.mouse.move(0, 0)
                    await pw_page.evaluate(MOUSE_OUT_JS)
                    await pw_page.wait_for_timeout(500)  # what the pointer opened closes (a fade is ~400 ms)
            else:
                await pw_page.evaluate(
                    "(r) => { window.__auditorRevealed = r.links; window.__auditorRevealedPics = r.pics; }", revealed
                )
        if mark.get("countdowns"):  # a countdown is read twice, at least COUNTDOWN_GAP_S apart
            left = COUNTDOWN_GAP_S - (asyncio.get_running_loop().time() - marked)
            if left > 0:
                step.now = "reading countdowns"
                await pw_page.wait_for_timeout(left * 1000)
        step.now = "reading regions"
        data = await _run_extract(pw_page, {**args, "phase": "read", "watchMs": self.settings.carousel_watch_ms})
        page.left_out = data.get("leftOut") or {}
        page.title = data["title"]
        page.text = data["text"]
        page.final_url = data["url"]
        page.regions = [Region.model_validate(_clean_region(r)) for r in data["regions"]]
        challenge = find_marker(f"{page.title} {page.text[:600]}", CHALLENGE_MARKERS) and len(page.text) < 3000
        page.blocked = page.status in (403, 429, 503) or bool(page.status == 200 and challenge)
        if page.kind in ("product", "other", "category"):
            step.now = "reading product facts"
            product = None
            if not shows_no_product(page.text, self.profile) or await pw_page.evaluate(
                PRODUCT_MARKUP_JS, self.profile.selectors.get("price")
            ):
                product = read_product(await pw_page.content(), page.url, self.profile, page.text)
            if page.kind == "product" and (product is None or product.price is None):
                product = with_generic_price(product, data.get("priceCandidates") or [], page)
            # no price yet, and a price box with no number in it (Tmall's <span class="tm-price">, JD's
            # <span class="price J-p-…">, filled by a price API after load): wait for it
            unpriced = page.kind == "product" and (product is None or product.price is None)
            if unpriced and await pw_page.evaluate(PRICE_PENDING_JS):
                step.now = "waiting for a price"
                if late := await self._price_written_late(pw_page, page, args):
                    product = late
                    if photo is not None:  # the early photo shows the empty price box: the page is photographed again
                        photo.cancel()
                    photo = None
            # a listing that mentions 售罄 is still a listing: only structured data makes it a product page
            if product is not None and (page.kind != "category" or product.source != "selectors"):
                if data.get("heading") and not product.heading:
                    product = product.model_copy(update={"heading": str(data["heading"])})
                page.product = product
                page.kind = "product"
        if page.kind == "home" and self.store.required:
            page.required = [
                Presence.model_validate(r)
                for r in await pw_page.evaluate(REQUIRED_JS, [r.model_dump() for r in self.store.required])
            ]
        if self.shots_dir is not None:
            step.now = "taking screenshots"
            await take_screenshots(pw_page, page, self.shots_dir, photo, self.locale)

    async def _price_written_late(self, pw_page: PWPage, page: Page, args: dict[str, Any]) -> ProductFacts | None:
        """A product page read without a price, with price boxes holding no number (PRICE_PENDING_JS
        marked them): once one of them holds a number (within PRICE_WAIT_MS), or when the time is up
        (the price may have gone elsewhere), its price is looked for again; the regions read first are
        kept (a carousel judged now would have been watched seconds longer than the others)."""
        with contextlib.suppress(PlaywrightTimeout):
            await pw_page.wait_for_function(PRICE_WRITTEN_JS, timeout=PRICE_WAIT_MS, polling=100)
        again = await _run_extract(pw_page, {**args, "phase": "read", "watchMs": self.settings.carousel_watch_ms})
        html = await pw_page.content()
        product = read_product(html, page.url, self.profile, again["text"])
        if product is None or product.price is None:
            product = with_generic_price(product, again.get("priceCandidates") or [], page)
        if product is not None and product.price is not None:
            page.text = again["text"]
            return product
        return None

    async def _menus_in_own_tab(
        self,
        context: BrowserContext,
        url: str,
        args: dict[str, Any],
        early: Callable[[list[str]], None] | None,
        nav_sig: str | None,
        document: APIResponse | None = None,
    ) -> dict[str, list[Any]]:
        """The page loaded again in a tab of its own, its menus hovered and clicked open there: the
        entries they revealed, and the pictures (CSS backgrounds) they showed. Bounded by the page
        deadline; the tab is closed on every way out. A second load that shows another menu (a 429, a
        rotating header) is refused: the caller then reveals the menus in the page itself. It holds no
        turn of the crawl's (see Slot): a page's menus can take seconds of waiting (measured on the
        hostile store's home page: every pointer move waited ~1 s for the page's next frame), and the
        other pages would wait with it. The page's `document`, when it was fetched first, is its answer
        here too (the server is not asked again)."""
        step = Step(self.stage_totals)
        step.now = "revealing menus"
        other: PWPage | None = None
        try:
            async with asyncio.timeout(self.settings.page_deadline_s):
                other = await _open_tab(context)
                answered = None
                if document is not None and document.url in (url, url + "/"):
                    answered = await _answer_with(other, url, document)
                await other.goto(url, wait_until="domcontentloaded", timeout=self.settings.timeout_s * 1000)
                if answered is not None:
                    with contextlib.suppress(PlaywrightError):
                        await other.unroute(answered)
                with contextlib.suppress(PlaywrightTimeout):
                    await other.wait_for_load_state("load", timeout=min(10000, self.settings.timeout_s * 1000))
                await requests_settled(other)
                mark = await other.evaluate(MARK_JS, {**args, "phase": "mark", "watch": False})
                if mark.get("navSig") != nav_sig:
                    raise OtherMenuError(f"{url} read again shows another menu")
                await self._reveal_menus(other, mark.get("navItems") or [], mark.get("clickItems") or [])
                revealed: dict[str, list[Any]] = await other.evaluate(
                    "() => ({links: window.__auditorRevealed || [], pics: window.__auditorRevealedPics || []})"
                )
                if early is not None:  # what a visitor can see or the menus revealed: the crawl goes on
                    early(await other.evaluate(EARLY_LINKS_JS, self.settings.max_links_per_page))
        finally:
            if other is not None:
                await _close_quietly(other)
            step.close()
        return revealed

    async def _reveal_menus(self, pw_page: PWPage, items: list[str], clicks: list[str]) -> None:
        """Hover every top-level nav entry (and what it reveals, one level deeper) so JS menus exist;
        click the nav's toggles (buttons, summaries, aria-expanded, javascript: links) that open menus
        on click. Links that navigate are never clicked, nor anything that buys, subscribes or logs out."""
        # an entry is hovered once, and the pointer not moved to where it already is (an entry and its
        # link share a middle; a fly-out's links lead back to the entry that holds them): under a
        # crawl's load a move waits for the tab's next frame, up to a second (measured on the fixture)
        hovered: set[str] = set()
        at: list[float] | None = None
        settling = Settling()
        try:
            for level in range(2):  # the top menu, then what it revealed
                collect = {**VOCABULARY_ARGS, "phase": "collect", "how": "hover", "level": level + 1}
                await _run_extract(pw_page, {**collect, "phase": "observe"}, keep=True)
                for sel in items:
                    if sel in hovered:
                        continue
                    hovered.add(sel)
                    try:
                        # the pointer moved to the entry's middle, as a hover does (three calls to the page
                        # instead of Playwright's eight for hover(): under a crawl's load each call waits)
                        point = await pw_page.evaluate(POINT_JS, sel)
                        if point is None or point == at:
                            continue
                        at = point
                        async with asyncio.timeout(HOVER_TIMEOUT_S):  # as hover(timeout=...) did
                            await pw_page.mouse.move(point[0], point[1])
                        await settling.wait(pw_page)
                        await _run_extract(pw_page, collect)
                    except (PlaywrightError, TimeoutError):
                        continue
                items = await _run_extract(pw_page, {**VOCABULARY_ARGS, "phase": "revealed"})
                if not items:
                    break
        finally:
            await _tidy(_run_extract(pw_page, {**VOCABULARY_ARGS, "phase": "observe", "stop": True}))
        await self._mark_revealed(pw_page, "hover")
        if not clicks:
            return

        async def stay(route: Route) -> None:  # a "toggle" whose script leaves the page (登录 → login.html)
            if route.request.is_navigation_request() and route.request.frame == pw_page.main_frame:
                await route.abort("aborted")  # ERR_ABORTED: the page stays, no error page
            else:
                await route.fallback()

        await pw_page.route("**/*", stay)
        try:
            collect = {**VOCABULARY_ARGS, "phase": "collect", "how": "click", "level": 1}
            await _run_extract(pw_page, {**collect, "phase": "observe"}, keep=True)
            for sel in clicks:
                try:
                    await pw_page.evaluate(
                        "() => { window.__auditorMoveAt = performance.now(); window.__auditorDue = 0; }"
                    )
                    await pw_page.click(sel, timeout=1500, force=True, no_wait_after=True)
                    await settling.wait(pw_page)
                    await _run_extract(pw_page, collect)
                except (PlaywrightError, TimeoutError):
                    continue
        finally:
            await _tidy(_run_extract(pw_page, {**VOCABULARY_ARGS, "phase": "observe", "stop": True}))
            await _tidy(pw_page.unroute("**/*", stay))
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

    async def _scroll(self, pw_page: PWPage) -> bool:
        """Scroll down in steps so lazy images load; bounded, so infinite scroll ends. False when the
        page fits in one screen (nothing was scrolled into view)."""
        last = -1
        scrolled = False
        for _ in range(MAX_SCROLL_STEPS):
            height = await pw_page.evaluate(
                "() => { const y = scrollY; window.scrollBy(0, window.innerHeight); "
                "return [scrollY + innerHeight, document.body.scrollHeight, scrollY > y]; }"
            )
            scrolled = scrolled or bool(height[2])
            if height[0] >= height[1] or height[1] == last:
                break
            last = height[1]
            await pw_page.wait_for_timeout(50)
        await pw_page.evaluate("() => window.scrollTo(0, 0)")
        return scrolled


def _site_root(url: str) -> bool:
    """/, /index.html, /home.htm, /default.aspx, /zh/, /en-us: where a shop's home page lives."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return re.fullmatch(r"|[a-z]{2}(?:[-_][a-z]{2,4})?|(?:index|home|default|main)(?:\.\w+)?", last, re.I) is not None


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
            "price_max": guess.price_max,
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
    pictures = {i.url for r in page.regions for i in [*r.images, *(s.image for s in r.slides if s.image)] if i}
    links = {link.url for r in page.regions for link in r.links}
    rest = next((r for r in page.regions if r.kind == "page"), None)
    if rest is None:
        rest = Region(kind="page", selector="body")
        page.regions.append(rest)
    for url, kind in failed.items():
        # a picture the page failed to draw is a broken image even where a link also opens it (a card's
        # zoom link to its own background: ashion-indycrafty's product-1.jpg)
        if url in (pictures if kind == "image" else links):
            continue
        if kind == "image":
            rest.images.append(Image(url=url, kind="background", selector="(requested by the page)"))
        else:
            rest.links.append(Link(url=url, text="stylesheet", kind="resource", selector="(requested by the page)"))


class OtherMenuError(Exception):
    """The page loaded a second time (to hover its menus) does not show the menu the first load did."""


class Slot:
    """One page's turn at the crawl's work that costs CPU (reading, scrolling, screenshots), out of
    `crawl.concurrency` turns: taken once the server has answered (waiting on a slow server costs
    nothing) and given back for the carousel watch. What is left after the watch (reading the
    regions, the screenshot) goes on without queueing again: the page is nearly done, and behind
    the pages not yet started it would keep its tab open for nothing."""

    def __init__(self, turns: asyncio.Semaphore) -> None:
        self.turns = turns
        self.held = False

    async def take(self) -> None:
        if not self.held:
            await self.turns.acquire()
            self.held = True

    def give(self) -> None:
        if self.held:
            self.held = False
            self.turns.release()


class Step:
    """What a page read is doing now, so a timeout can say where it stopped; the time spent in each
    step is added to `totals` (the run's timings: where the time goes, per stage)."""

    def __init__(self, totals: dict[str, float] | None = None) -> None:
        self._now = "opening a tab"
        self._since = time.monotonic()
        self.totals = totals if totals is not None else {}

    @property
    def now(self) -> str:
        return self._now

    @now.setter
    def now(self, step: str) -> None:
        self.close()
        self._now = step

    def close(self) -> None:
        at = time.monotonic()
        self.totals[self._now] = self.totals.get(self._now, 0.0) + (at - self._since)
        self._since = at


async def _run_extract(pw_page: PWPage, args: dict[str, Any], keep: bool = False) -> Any:
    """extract.js called through the copy the mark call left in the page (not sent and compiled
    again for every menu entry); the whole script when the page has lost it, left there if `keep`."""
    found = await pw_page.evaluate(RUN_JS, args)
    if found is not None:
        return found[0]
    return await pw_page.evaluate(MARK_JS if keep else EXTRACT_JS, args)


class ScriptlessTabs:
    """Up to `size` tabs that lay out HTML read over HTTP without running its scripts
    (PageReader.read_scriptless), in a context of their own, opened when first asked for. (A first
    document whose policy comes as a header was tried: a routed address is a public one to Chromium,
    whose Private Network Access then refuses the stylesheets and pictures of a shop on loopback.)"""

    def __init__(self, browser: Browser, size: int, options: dict[str, Any]) -> None:
        self.browser, self.options = browser, options
        self.slots = asyncio.Semaphore(max(1, size))
        self.free: list[PWPage] = []
        self.context: BrowserContext | None = None
        self.opening = asyncio.Lock()

    async def get(self) -> PWPage:
        await self.slots.acquire()
        try:
            if self.free:
                return self.free.pop()
            async with self.opening:
                if self.context is None:
                    self.context = await self.browser.new_context(**self.options)
            return await _open_tab(self.context)
        except BaseException:
            self.slots.release()
            raise

    def put(self, tab: PWPage) -> None:
        self.free.append(tab)
        self.slots.release()

    async def discard(self, tab: PWPage) -> None:
        """A tab that failed (it may be stuck in a page's layout): closed; the next get opens another."""
        self.slots.release()
        await _close_quietly(tab)


# the page's own requests (XMLHttpRequest, fetch, and scripts added once the document is parsed) on
# their way, and when the last one started or ended: a page that builds its menus or lists from an
# answer that comes after its load event (xiaomi-yooabe's side categories, filled from data/nav.json
# 0.2-1 s after load) is read once they have come. Its quiet starts at the load event at the earliest:
# a module loader (require.js's data-main) adds the scripts that ask on a timer after load (xiaomi-
# yooabe on the headless shell: load at 108 ms, main.js added at 123, data/nav.json asked at 173).
# Scripts the parser adds hold the load event back already; a script that will never run (nomodule,
# a template type) fires no event and is not counted. Read by requests_settled().
REQUESTS_JS = """(() => {
  let pending = 0, last = -Infinity;  // read before its load event (it timed out): not waited for
  const start = () => { pending++; last = performance.now(); };
  const end = () => { pending = Math.max(0, pending - 1); last = performance.now(); };
  const once = () => { let done = false; return () => { if (!done) { done = true; end(); } }; };  // load + loadend
  addEventListener("load", () => { last = Math.max(last, performance.now()); });
  const runs = (s) => !s.noModule && /^(|module|(text|application)[/](x-)?(java|ecma)script)$/i.test(s.type.trim());
  new MutationObserver((records) => {
    if (document.readyState === "loading") return;
    for (const r of records) for (const s of r.addedNodes) {
      if (s.nodeName !== "SCRIPT" || !s.src || !runs(s)) continue;
      const fin = once();
      start();
      s.addEventListener("load", fin);
      s.addEventListener("error", fin);
    }
  }).observe(document, { childList: true, subtree: true });
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    const fin = once();
    start();
    this.addEventListener("loadend", fin);
    try { return send.apply(this, args); } catch (e) { fin(); throw e; }
  };
  const fetch = window.fetch;
  if (fetch) window.fetch = function (...args) {
    start();
    let answer;
    try { answer = fetch.apply(this, args); } catch (e) { end(); throw e; }
    answer.then(end, end);
    return answer;
  };
  Object.defineProperty(window, "__auditorRequestsQuiet", {
    value: (ms) => pending === 0 && performance.now() - last >= ms });
})();"""
# after the load event, a page is read once its own requests have all come back and none has started
# for REQUESTS_QUIET_MS (an answer's handler may ask for the next), or after REQUESTS_SETTLE_MAX_MS
# (a request that hangs, a page that polls)
REQUESTS_QUIET_MS = 100
REQUESTS_SETTLE_MAX_MS = 2000
ANSWER_S = 1.0  # a page that runs no script of ours for this long after its load is held by its own


async def answers(pw_page: PWPage) -> bool:
    """The page runs a script of ours within ANSWER_S: False when its own scripts hold its thread."""
    try:
        await asyncio.wait_for(pw_page.evaluate("0"), ANSWER_S)
    except TimeoutError:
        return False
    except PlaywrightError:  # (closed, moved on: the read that follows says what happened)
        pass
    return True


async def requests_settled(pw_page: PWPage) -> bool:
    """Wait (bounded) for the requests the page's scripts made by its load event to come back; False
    when the wait ran out. A page that moves on meanwhile (a refresh) is left to the read that follows,
    which knows what to do."""
    try:
        await pw_page.wait_for_function(
            "(ms) => !window.__auditorRequestsQuiet || window.__auditorRequestsQuiet(ms)",
            arg=REQUESTS_QUIET_MS,
            timeout=REQUESTS_SETTLE_MAX_MS,
            polling=50,
        )
    except PlaywrightTimeout:
        return False
    except PlaywrightError:
        pass
    return True


class Settling:
    """The wait after one hover or click (SETTLE_JS), within SETTLE_BUDGET_S per page; past it, the
    old fixed 60 ms. A wait that overruns its own bound is cut short; the entries are read either way."""

    def __init__(self) -> None:
        self.spent = 0.0

    async def wait(self, pw_page: PWPage) -> None:
        start = time.monotonic()
        try:
            if self.spent >= SETTLE_BUDGET_S:
                await asyncio.sleep(0.06)
                return
            with contextlib.suppress(TimeoutError, PlaywrightError):
                async with asyncio.timeout(SETTLE_MAX_MS / 1000 + HOVER_TIMEOUT_S):
                    await pw_page.evaluate(SETTLE_JS, [SETTLE_QUIET_MS, SETTLE_MAX_MS])
        finally:
            self.spent += time.monotonic() - start


class NoAnswer(Exception):
    """The server did not answer a page's request in time (fetch_document)."""


async def fetch_document(context: BrowserContext, url: str, timeout_s: float) -> APIResponse | None:
    """A page's own answer (its HTML), fetched before the page gets a tab, in the context (its
    cookies, its user agent): a slow server then holds no tab while the pages behind it wait for one
    (the fixture store's `/slow`, 3 s, held one of six tabs and ended the crawl alone). None when the
    tab should ask itself: a redirect (followed by the browser, hop by hop); a request that failed
    (the browser's own navigation says how: refused, not found); a bot wall's or a busy server's
    answer (401, 403, 429, 503: a wall judges the browser, not this request, and Retry-After is
    honoured by the tab); a body declared larger than MAX_DOCUMENT_BYTES (streamed by the browser
    instead). Raises NoAnswer when the server did not answer within `timeout_s`."""
    try:
        answer = await context.request.get(
            url,
            headers={"Accept": ACCEPT_HTML, "Accept-Language": "zh-CN"},
            max_redirects=0,
            fail_on_status_code=False,
            timeout=timeout_s * 1000,
        )
    except PlaywrightTimeout as exc:
        raise NoAnswer(url) from exc
    except PlaywrightError as exc:
        if re.search(r"timed? ?out|timeout", str(exc), re.I):
            raise NoAnswer(url) from exc
        return None
    declared = answer.headers.get("content-length", "")
    if (
        300 <= answer.status < 400
        or answer.status in (401, 403, 429, 503)
        or (declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES)
    ):
        await answer.dispose()
        return None
    return answer


async def _answer_with(tab: PWPage, url: str, document: APIResponse) -> re.Pattern[str]:
    """The tab's next request for `url` answered with `document` (once; the server is not asked).
    Returns the route's pattern, for the caller to take away once the tab has navigated (a route left
    in place has every request of the tab looked at)."""

    async def answer(route: Route) -> None:
        await route.fulfill(response=document)

    # (the browser asks for a site's root as "/": https://shop.example.com is https://shop.example.com/)
    asked = url if urlsplit(url).path else url + "/"
    pattern = re.compile("^" + re.escape(asked) + "$")
    await tab.route(pattern, answer, times=1)
    return pattern


async def _open_tab(context: BrowserContext) -> PWPage:
    """A tab whose dialogs are dismissed and whose popups (new windows) are closed at once: they are
    not part of the audit."""
    pw_page = await context.new_page()
    pw_page.on("dialog", lambda d: asyncio.ensure_future(_dismiss(d)))
    pw_page.on("popup", lambda p: asyncio.ensure_future(_close_quietly(p)))
    # Chromium's headless shell sends a new tab a pointer move to (0, 0), which lands on whatever
    # document the tab shows when its renderer gets to it: without this, often the page about to be
    # read (a drop-down in its top-left corner then open, `:hover` and mouseenter, before any hover of
    # ours). A round trip through the blank first document has the renderer take it there (shell,
    # sequential tabs: 10 of 10 hovered without, 0 of 10 with; six at a time beside two busy cores:
    # 11 of 30 without, 0 of 120 with). The full Chromium sends none.
    await pw_page.evaluate("0")
    return pw_page


async def _tidy(action: Coroutine[Any, Any, Any]) -> None:
    """The page put back as it was after a step (a flag cleared, a watcher stopped, a route taken off),
    from a `finally`: skipped when the read is being stopped (its tab is closed next, and a page stuck in
    its own script never answers: a page that spun once scrolled held the crawl for good, waiting on it
    here), and never waited on for more than TIDY_TIMEOUT_S."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        action.close()
        return
    with contextlib.suppress(PlaywrightError, TimeoutError):
        async with asyncio.timeout(TIDY_TIMEOUT_S):
            await action


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


async def _dismiss(dialog: Dialog) -> None:
    with contextlib.suppress(PlaywrightError):
        await dialog.dismiss()
