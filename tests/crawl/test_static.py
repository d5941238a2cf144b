"""One region builder: a product page read over HTTP (auditor/crawl/static.py) gets the regions,
links and pictures the browser's builder (auditor/js/extract.js) gives the same page, by the same
words (auditor/vocabulary.py)."""

from __future__ import annotations

import asyncio

import pytest

from auditor.config import CrawlSettings, Store
from auditor.crawl.crawler import Crawler, decode_html
from auditor.crawl.profiles import resolve_profile
from auditor.crawl.static import read_static
from auditor.demo_store import FixtureStore
from auditor.models import Page
from auditor.net import make_client
from tests.conftest import CLOCK, ROOT
from tests.hostile_store import HostileStore

PAGE = ROOT / "fixtures" / "patterns" / "detail-static.html"
URL = "http://shop.test/patterns/detail-static.html"
GENERIC = resolve_profile("generic", {}, [])


def static(html: str, max_links: int = 5000) -> Page:
    page = read_static(html, URL, 200, GENERIC, 0, max_links)
    assert page is not None
    return page


def urls(page: Page, kind: str | None = None) -> list[str]:
    return [link.url for r in page.regions if kind in (None, r.kind) for link in r.links]


def test_the_http_reader_uses_the_shared_words() -> None:
    page = static(PAGE.read_text(encoding="utf-8"))
    everything = urls(page)
    assert "javascritp:;" in everything  # a misspelled scheme kept as written, for dead-link
    assert "http://shop.test/patterns/mobile-only-menu" not in everything  # the menu's hidden copy
    assert "http://shop.test/patterns/in-hidden-tab" in everything  # a tab a click shows
    assert "http://shop.test/patterns/from-onclick" in urls(page, "product.related")
    pictures = [i.url for r in page.regions for i in r.images]
    assert "http://shop.test/img/p1.png" in pictures  # placeholder.png stands in for data-original
    assert "http://shop.test/img/p3.png" in pictures  # the shop's own lazy attribute (imgpath)
    promos = [i.url for r in page.regions if r.kind == "product.promo" for i in r.images]
    # the detail banner with no link is a promo (wide); the description's square photos are not
    assert promos == ["http://shop.test/img/banner-618.png", "http://shop.test/img/detail-kettle.png"]
    assert not any("placeholder" in (u or "") for u in pictures)


def test_a_page_of_60000_links_is_read_up_to_the_budget() -> None:
    links = "".join(f'<a href="/x/{i}">{i}</a>' for i in range(60000))
    html = (
        '<script type="application/ld+json">{"@type":"Product","name":"x","offers":{"price":"9.90"}}</script>'
        f"<h1>x</h1><p>¥9.90</p>{links}"
    )
    page = static(html, max_links=1000)
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
        result = asyncio.run(Crawler(store, settings, GENERIC, None, CLOCK, only=[url]).run())
        [read[how]] = [p for p in result.snapshot.pages if p.viewport == "desktop"]
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


def test_a_percent_encoded_page_address_in_a_lazy_attribute_is_no_picture() -> None:
    # jd-lijingshan's hidden QR popups: <img data-url="https%3A%2F%2F..."> is what a QR maker is given
    qr = (
        '<div class="qr"><img data-url="https%3A%2F%2Fm.shop.test%2Fchannel">'
        '<img src="blank.gif" data-url="/img/p2.png"></div>'
    )
    html = PAGE.read_text(encoding="utf-8").replace("</body>", qr + "</body>")
    pictures = [i.url for r in static(html).regions for i in r.images]
    assert "http://shop.test/img/p2.png" in pictures, pictures  # a lazy picture's own address is kept
    assert not any("%3A" in (u or "") for u in pictures), pictures
