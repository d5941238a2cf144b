"""One region builder: a product page read over HTTP (auditor/crawl/static.py) has its facts read from
its HTML and its regions built by the browser's builder (auditor/js/extract.js), the HTML laid out in a
tab that runs none of its scripts; the regions are those a rendered read of the same page gives."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from auditor.config import CrawlSettings, Store
from auditor.crawl.crawler import Crawler, decode_html
from auditor.crawl.profiles import resolve_profile
from auditor.crawl.static import scriptless
from auditor.demo_store import FixtureStore
from auditor.models import Page
from auditor.net import make_client
from tests.conftest import CLOCK
from tests.hostile_store import HostileStore

GENERIC = resolve_profile("generic", {}, [])


def over_http(url: str, **settings: object) -> tuple[Page, dict[str, float]]:
    """One product page read the way the crawl reads server-rendered ones: over HTTP."""
    crawler = Crawler(
        Store(name="t", url=url), CrawlSettings(product_pages="http", **settings), GENERIC, None, CLOCK, only=[url]
    )
    [page] = [p for p in asyncio.run(crawler.run()).snapshot.pages if p.viewport == "desktop"]
    return page, crawler.stage_totals


def urls(page: Page, kind: str | None = None) -> list[str]:
    return [link.url for r in page.regions if kind in (None, r.kind) for link in r.links]


@pytest.mark.browser
@pytest.mark.network
def test_a_page_read_over_http_is_laid_out_with_its_stylesheets_and_none_of_its_scripts(
    fixture_store: FixtureStore,
) -> None:
    # (the file starts with a BOM: written into a tab as a character, it would have put the policy that
    # stops the page's scripts in <body>, where no browser obeys it)
    page, steps = over_http(fixture_store.url + "patterns/detail-scriptless.html")
    assert "laying out the HTML" in steps and "navigating" not in steps, steps  # not read in the browser
    assert page.product is not None and page.product.price == 159.0 and page.error is None
    everything = urls(page)
    base = fixture_store.url.rstrip("/")
    # none of its scripts ran: neither what its inline script writes nor what <noscript> offers instead
    assert not [u for u in everything if "from-inline-script" in u or "from-noscript" in u], everything
    # a copy hidden by the stylesheet (no inline style says so): its own link left out, the shared one
    # kept once, as the copy on show
    assert base + "/patterns/only-small-screens" not in everything
    assert everything.count(base + "/category/kitchen") == 1, everything
    # a banner with no size written: drawn by the CSS at 750 px wide, its height its picture's shape
    [promo] = [i for r in page.regions if r.kind == "product.promo" for i in r.images]
    assert promo.url == base + "/img/banner-618.png"
    assert (promo.rendered_width, promo.rendered_height, promo.natural_width) == (750, 187.5, 1000), promo
    pictures = [i.url for r in page.regions for i in r.images]
    assert base + "/img/p2.png" in pictures  # a lazy picture's own address is kept
    # (jd-lijingshan's hidden QR popups: <img data-url="https%3A%2F%2F..."> is what a QR maker is given)
    assert not any("%3A" in (u or "") for u in pictures), pictures
    assert [r.kind for r in page.regions] == ["footer", "product.price", "product.promo", "page"], page.regions


def test_the_html_written_into_the_tab_keeps_its_mode_and_resolves_its_addresses() -> None:
    saved = '<!DOCTYPE html>\n<!-- saved from url=(0019)https://a.test/ -->\n<html lang="en"><head><base href="/shop/">'
    out = scriptless(saved, "http://a.test/p/1")
    assert out.startswith('<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="script-src \'none\';')
    assert '<base href="http://a.test/shop/">' in out and '<html lang="zh-CN">' not in out  # its own base, its lang
    bare = scriptless("<p>x</p>", 'http://a.test/p?a=1&b="2')
    assert bare.startswith('<html lang="zh-CN"><meta') and '<base href="http://a.test/p?a=1&amp;b=&quot;2">' in bare


@pytest.fixture
def link_farm() -> Iterator[str]:
    """A product page (JSON-LD) of 60,000 links, served over HTTP on loopback."""
    links = "".join(f'<a href="/x/{i}">{i}</a>\n' for i in range(60000))
    body = (
        '<!doctype html><script type="application/ld+json">{"@type":"Product","name":"x","offers":{"price":"9.90"}}'
        f"</script><h1>x</h1><p>¥9.90</p>{links}"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/products/farm"
    server.shutdown()


@pytest.mark.browser
@pytest.mark.network
def test_a_page_of_60000_links_read_over_http_is_read_up_to_the_budget(link_farm: str) -> None:
    page, steps = over_http(link_farm, max_links_per_page=1000)
    assert "laying out the HTML" in steps and "navigating" not in steps, steps
    assert len(urls(page)) == 1000 and page.left_out["links"] == 59000


@pytest.mark.browser
@pytest.mark.network
@pytest.mark.parametrize(
    ("path", "kinds"),
    [
        (
            "patterns/detail-static.html",
            ["footer", "product.price", "product.related", "product.promo", "product.promo", "page"],
        ),
        ("products/linen-shirt", ["product.price", "product.related", "page"]),  # JSON-LD, Chinese
        ("shopify/products/desk-lamp", ["product.price", "page"]),  # microdata, English
    ],
)
def test_rendered_and_http_reads_build_the_same_regions(
    fixture_store: FixtureStore, path: str, kinds: list[str]
) -> None:
    url = fixture_store.url + path
    read: dict[str, Page] = {}
    for how in ("browser", "http"):
        store = Store(name="t", url=fixture_store.url)
        settings = CrawlSettings(product_pages=how, carousel_watch_ms=1000)
        crawler = Crawler(store, settings, GENERIC, None, CLOCK, only=[url])
        result = asyncio.run(crawler.run())
        [read[how]] = [p for p in result.snapshot.pages if p.viewport == "desktop"]
        # each read the way it was asked for (a failed layout would fall back to the browser)
        assert ("laying out the HTML" in crawler.stage_totals) == (how == "http"), crawler.stage_totals
        assert ("navigating" in crawler.stage_totals) == (how == "browser"), crawler.stage_totals
    rendered, http = read["browser"], read["http"]
    assert http.product is not None and http.product.price == rendered.product.price  # type: ignore[union-attr]

    def shape(page: Page) -> list[tuple[str, str, list[str], list[str | None], list[str]]]:
        return [
            (r.kind, r.selector, [link.url for link in r.links], [i.url for i in r.images], [t.text for t in r.texts])
            for r in page.regions
        ]

    assert [r.kind for r in rendered.regions] == kinds
    assert shape(http) == shape(rendered)
    # src="#" (a closed dialog's picture, set when it opens) is no picture: never fetched as one
    assert not [i.url for p in (rendered, http) for r in p.regions for i in r.images if i.url and i.url.endswith("#")]
    price_box = " ".join(t.text for r in rendered.regions if r.kind == "product.price" for t in r.texts)
    # the price box holds the price, never a shipping line (detail-static.html: 满99元包邮 between h1 and price)
    assert any(mark in price_box for mark in "¥$") and "包邮" not in price_box, price_box


def test_a_page_names_its_charset_in_the_header_or_in_meta() -> None:
    gbk = '<html><head><meta charset="gbk"><title>电水壶</title></head><body>￥159</body></html>'.encode("gbk")
    assert "电水壶" in decode_html(gbk, None)  # GBK said only in <meta>: no header charset
    assert "电水壶" in decode_html("<p>电水壶</p>".encode(), None)  # nothing said: UTF-8
    assert "电水壶" in decode_html("<p>电水壶</p>".encode("gb18030"), "GB2312")  # the header wins
    assert decode_html(b"<p>ok</p>", "no-such-charset") == "<p>ok</p>"
    for odd in ("undefined", "idna", "punycode"):  # codecs that are not text encodings: read as UTF-8
        assert decode_html(f'<meta charset="{odd}"><p>电水壶</p>'.encode(), None).endswith("电水壶</p>")
        assert "电水壶" in decode_html("<p>电水壶</p>".encode(), odd)
    assert "电水壶" in decode_html('<meta charset="utf-16"><p>电水壶</p>'.encode(), None)


async def test_a_product_page_over_http_is_read_within_bounds() -> None:
    """A gzip bomb (200 MB inflated) and a server that drips bytes are recorded as page errors."""
    with HostileStore() as hostile:
        store = Store(name="t", url=hostile.url)
        settings = CrawlSettings(page_deadline_s=3, link_timeout_s=2)
        crawler = Crawler(store, settings, GENERIC, None, CLOCK)
        async with make_client(settings) as client:
            crawler.client = client
            bomb = await crawler._read_static(hostile.url + "bomb.html", 1)
            drip = await crawler._read_static(hostile.url + "drip", 1)
    assert bomb is not None and bomb.error is not None and "页面超过 8 MB" in bomb.error
    assert drip is not None and drip.error is not None and "3 秒内没有读完（正在通过 HTTP 读取）" in drip.error


@pytest.mark.browser
async def test_the_scriptless_tabs_are_bounded_and_a_failed_one_is_replaced() -> None:
    """Two tabs at most; a third caller waits for one to come back; a discarded tab frees its place
    for a new one, into which a page is written that runs none of its scripts."""
    from playwright.async_api import async_playwright

    from auditor.browser import find_browser, launch_options
    from auditor.crawl.reader import ScriptlessTabs

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options(find_browser(running=pw)))  # type: ignore[arg-type]
        try:
            tabs = ScriptlessTabs(browser, 2, {"viewport": {"width": 1280, "height": 900}})
            a, b = await tabs.get(), await tabs.get()
            third = asyncio.ensure_future(tabs.get())
            await asyncio.sleep(0.2)
            assert not third.done()  # both places taken
            await tabs.discard(a)
            c = await asyncio.wait_for(third, 10)
            assert c is not a and c is not b and a.is_closed()
            # (a BOM first: written into a tab as a character, it would put the policy after it in <body>)
            page = (
                "\ufeff<!doctype html><p id=x>before</p>"
                "<script>document.getElementById('x').textContent = 'ran'</script>"
            )
            written = scriptless(page, "http://shop.test/p/1")
            await c.evaluate("(h) => { document.open(); document.write(h); document.close(); }", written)
            assert await c.evaluate("() => document.compatMode") == "CSS1Compat"  # no quirks mode either
            assert await c.evaluate("() => document.getElementById('x').textContent") == "before"
            tabs.put(b)
            assert await asyncio.wait_for(tabs.get(), 10) is b
        finally:
            await browser.close()
