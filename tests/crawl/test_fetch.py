"""A page's answer is fetched before the page gets a tab (a slow server then holds none: see
test_regions.py) and handed to the tab: the server is asked once, with the context's user agent and
cookies; the cookies it sets go with what the page loads; a compressed GBK page reads as the browser
reads it; a redirect is followed by the browser itself."""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from auditor.config import CrawlSettings, Store
from auditor.crawl.crawler import Crawler
from auditor.crawl.profiles import resolve_profile
from tests.conftest import CLOCK

pytestmark = [pytest.mark.browser, pytest.mark.network]

PAGE = (
    "<title>压缩页面</title><nav><a href='/other'>别的页面</a></nav><p>你好</p><img src='/pic.png' width=20 height=20>"
)
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Shop:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                shop.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path == "/wall":  # a bot wall: it judges the browser, not the fetch before it
                    wall = "<title>访问被拒绝</title><p>请完成验证</p>".encode()
                    self.send_response(403)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(wall)))
                    self.end_headers()
                    self.wfile.write(wall)
                    return
                if self.path == "/moved":
                    self.send_response(301)
                    self.send_header("Location", "/page")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/pic.png":
                    body, kind, extra = PIXEL, "image/png", {}
                else:
                    body = gzip.compress(PAGE.encode("gbk"))
                    kind, extra = "text/html; charset=gbk", {"Content-Encoding": "gzip", "Set-Cookie": "sid=42; Path=/"}
                self.send_response(200)
                self.send_header("Content-Type", kind)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def asked(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.seen if p == path]


@pytest.fixture
def shop() -> Iterator[Shop]:
    s = Shop()
    threading.Thread(target=s.server.serve_forever, daemon=True).start()
    yield s
    s.server.shutdown()
    s.server.server_close()


def read(shop: Shop, path: str, **crawl: Any) -> Any:
    store = Store(name="t", url=shop.url + "/")
    settings = CrawlSettings(carousel_watch_ms=1000, **{"fetch_first": True, **crawl})
    crawler = Crawler(store, settings, resolve_profile("generic", {}, []), None, CLOCK, only=[shop.url + path])
    return asyncio.run(crawler.run()).snapshot.pages[0], settings


def test_the_answer_fetched_first_is_the_one_the_tab_reads(shop: Shop) -> None:
    page, settings = read(shop, "/page")
    assert page.error is None and page.status == 200 and page.title == "压缩页面" and "你好" in page.text
    (asked,) = shop.asked("/page")  # once, not again by the tab (nor by its menus' tab)
    assert "sec-ch-ua" not in asked  # asked before the tab opened, not by the browser
    assert asked["user-agent"] == settings.user_agent and "text/html" in asked["accept"]
    # the cookie the page's answer set goes with the picture the page loads
    assert shop.asked("/pic.png") and all(h.get("cookie") == "sid=42" for h in shop.asked("/pic.png"))
    assert any(link.url.endswith("/other") for r in page.regions for link in r.links)


def test_a_redirect_is_followed_by_the_browser(shop: Shop) -> None:
    page, _ = read(shop, "/moved")
    assert page.error is None and page.title == "压缩页面" and page.final_url == shop.url + "/page"
    # the 301 is asked again by the tab, which follows it itself (and the menus' tab loads where it landed)
    assert len(shop.asked("/moved")) == 2 and shop.asked("/page")


def test_a_wall_is_left_to_the_browser(shop: Shop) -> None:
    page, _ = read(shop, "/wall")
    assert page.status == 403 and page.blocked
    fetched, browser = shop.asked("/wall")  # the 403 answered to the fetch is not the browser's verdict
    assert "sec-ch-ua" not in fetched and "sec-ch-ua" in browser


def test_fetch_first_off_leaves_every_page_to_its_tab(shop: Shop) -> None:
    page, _ = read(shop, "/page", fetch_first=False)
    assert page.error is None and page.title == "压缩页面"
    assert shop.asked("/page") and all("sec-ch-ua" in h for h in shop.asked("/page"))  # only the browser asked


def test_a_site_root_named_without_its_slash_is_asked_once(shop: Shop) -> None:
    page, _ = read(shop, "")  # https://shop.example.com, as an operator writes it
    assert page.error is None and page.title == "压缩页面"
    (asked,) = shop.asked("/")  # the browser's "/" answered with what was fetched for the name
    assert "sec-ch-ua" not in asked
