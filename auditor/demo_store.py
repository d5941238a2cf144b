"""The bundled fixture storefront, served on a free loopback port for `auditor demo` and the tests.

Pages are rendered from `fixtures/store/`; dates written `{{date:OFFSET:FORMAT}}` are relative to
the server's clock, so the planted defects stay planted whatever the audit date.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from auditor.config import Config, RequiredElement, Storage, Store

STORE_DIR = Path(__file__).resolve().parent / "demo"  # shipped in the package: `auditor demo` works anywhere
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"  # the checkout's test pages (not installed)
_DATE = re.compile(r"\{\{date:([+-]?\d+):(md|dot|iso|slash)\}\}")
_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".css": "text/css", ".js": "application/javascript"}

PRODUCT_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<script type="application/ld+json">{ld}</script></head>
<body><div class="detail"><h1>{title}</h1><img src="/img/{img}" alt="{title}" width="400" height="400">
<div class="price-box">{price_html}</div><div class="status">{status}</div></div>{detail}
<div class="related"><a href="/products/tea-cup">陶瓷茶杯</a> <a href="/products/slippers">居家拖鞋</a></div>
</body></html>"""
SHOPIFY_PRODUCT = """<!doctype html><html lang="en"><head><meta charset="utf-8">\
<title>{title} – Hearth &amp; Home</title></head>
<body><main><div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">{title}</h1>
<img src="/img/{img}" alt="{title}" width="400" height="400">
<div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="priceCurrency" content="USD">
<span class="price-item price-item--sale" itemprop="price" content="{price}">${price}</span>
<link itemprop="availability" href="https://schema.org/{availability}"></div></div></main></body></html>"""
GONE_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="tip">{message}</div><a href="/">返回首页</a></body></html>"""


CATEGORY_TITLES = {
    "clearance": "清仓特卖",
    "new": "新品上架",
    "all": "全部分类",
    "bedding": "床品",
    "kitchen": "厨房",
    "member": "会员日",
}


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that gives up on a slow response resets the connection: not worth a traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def render_dates(text: str, now: datetime) -> str:
    def one(m: re.Match[str]) -> str:
        d = now + timedelta(days=int(m.group(1)))
        return {
            "md": f"{d.month}月{d.day}日",
            "dot": f"{d.month}.{d.day}",
            "iso": d.date().isoformat(),
            "slash": f"{d.month}/{d.day}",
        }[m.group(2)]

    return _DATE.sub(one, text)


def load_products() -> list[dict[str, Any]]:
    return yaml.safe_load((STORE_DIR / "products.yaml").read_text(encoding="utf-8"))


DEMO_DB = "sqlite:///auditor-demo.db"


@contextmanager
def serving_demo(cfg: Config, now: datetime, port: int = 0, config_file: bool = False) -> Iterator[FixtureStore]:
    """`auditor demo`: the bundled store served on loopback and `cfg` pointed at it — one store, "demo",
    whose 在线客服 widget is required; a database of its own (auditor-demo.db) unless a config file or
    AUDITOR_DB_URL says where."""
    if cfg.storage.url == Storage().url and not config_file:
        cfg.storage.url = DEMO_DB
    with FixtureStore(now, port=port) as fixture:
        cfg.stores = [
            Store(name="demo", url=fixture.url, required=[RequiredElement(name="在线客服", selector="#cs-widget")])
        ]
        yield fixture


class FixtureStore:
    """A threaded HTTP server for the fixture store; `with FixtureStore(now) as store: store.url`."""

    def __init__(self, now: datetime, host: str = "127.0.0.1", port: int = 0) -> None:
        self.now = now
        self.products = {p["slug"]: p for p in load_products()}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.httpd = _QuietServer((host, port), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> FixtureStore:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, method: str, path: str) -> int:
        with self.lock:
            key = f"{method} {path}"
            self.hits[key] = self.hits.get(key, 0) + 1
            return self.hits[key]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        store = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _send(
                self,
                status: int,
                body: bytes = b"",
                ctype: str = "text/html; charset=utf-8",
                headers: dict[str, str] | None = None,
                head: bool = False,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _page(self, text: str, status: int = 200, head: bool = False) -> None:
                self._send(status, render_dates(text, store.now).encode(), head=head)

            def _serve(self, head: bool) -> None:
                path = urlsplit(self.path).path
                n = store.count("HEAD" if head else "GET", path)
                if path in ("/shopify", "/shopify/"):
                    return self._page((STORE_DIR / "shopify" / "home.html").read_text(encoding="utf-8"), head=head)
                if path.startswith("/shopify/products/"):
                    return self._shopify_product(path.removeprefix("/shopify/products/"), head)
                if (
                    path.startswith("/shopify/collections/")
                    or path.startswith("/shopify/pages/")
                    or path.startswith("/shopify/policies/")
                ):
                    if path.endswith(("/gone", "/last-season")):
                        return self._send(404, b"<h1>404 Page not found</h1>", head=head)
                    name = path.rsplit("/", 1)[-1].replace("-", " ").title()
                    return self._page(f"<title>{name}</title><h1>{name}</h1><p>{name}</p>", head=head)
                if path.startswith("/patterns/"):  # small pages reproducing real-markup patterns
                    f = FIXTURES / "patterns" / Path(path).name
                    if not f.is_file():
                        return self._send(404, b"<h1>404</h1>", head=head)
                    ctype = {".css": "text/css", ".html": "text/html; charset=utf-8", ".js": "text/javascript"}
                    if delay := parse_qs(urlsplit(self.path).query).get("delay"):  # a slow CDN, a module loader's wait
                        time.sleep(min(float(delay[0]), 5))
                    return self._send(200, f.read_bytes(), ctype.get(f.suffix, "text/plain"), head=head)
                if path == "/hostile":
                    return self._page((STORE_DIR / "hostile.html").read_text(encoding="utf-8"), head=head)
                if path == "/never-finishes.png":
                    time.sleep(120)  # the page's load event never fires within the crawl's patience
                    return self._send(404, head=head)
                if path == "/hangs":
                    time.sleep(120)
                    return self._send(200, b"late", head=head)
                if path in ("/", "/index.html"):
                    return self._page((STORE_DIR / "home.html").read_text(encoding="utf-8"), head=head)
                if path.startswith("/img/"):
                    f = STORE_DIR / "img" / Path(path).name
                    if not f.is_file():
                        return self._send(404, b"not found", "text/plain", head=head)
                    return self._send(200, f.read_bytes(), _TYPES.get(f.suffix, "application/octet-stream"), head=head)
                if path.startswith("/products/"):
                    return self._product(path.removeprefix("/products/"), head)
                if m := re.fullmatch(r"/status/(\d{3})", path):
                    return self._send(int(m.group(1)), f"<h1>{m.group(1)}</h1>".encode(), head=head)
                if path == "/loop/a":
                    return self._send(302, headers={"Location": "/loop/b"}, head=head)
                if path == "/loop/b":
                    return self._send(302, headers={"Location": "/loop/a"}, head=head)
                if path == "/old-page":
                    return self._send(301, headers={"Location": "/about"}, head=head)
                if m := re.fullmatch(r"/slow-for/(\d+(?:\.\d+)?)", path):  # a page that takes its time, every time
                    time.sleep(min(float(m.group(1)), 30))
                    return self._page("<title>首页</title><h1>首页</h1><p>慢慢打开</p>", head=head)
                if path == "/slow":
                    time.sleep(3)
                    return self._page("<title>慢页面</title><p>终于加载完成</p>", head=head)
                if path == "/head-405":
                    if head:
                        return self._send(405, headers={"Allow": "GET"}, head=True)
                    return self._page("<title>隐私政策</title><p>隐私政策全文</p>")
                if path == "/rate-limited":
                    if n == 1:
                        return self._send(429, b"slow down", "text/plain", {"Retry-After": "1"}, head=head)
                    return self._page("<title>常见问题</title><p>常见问题解答</p>", head=head)
                if path == "/promo/double11":
                    return self._page(
                        "<title>双11主会场</title><h1>双11狂欢节</h1><p>本活动已结束，感谢您的参与</p>", head=head
                    )
                if path == "/promo/618":
                    return self._page("<title>618年中大促</title><h1>618年中大促</h1><p>活动已结束</p>", head=head)
                if path.startswith("/category/"):
                    return self._category(path.removeprefix("/category/"), head)
                if path in ("/about", "/help/shipping", "/help/service"):
                    name = {"/about": "关于我们", "/help/shipping": "发货说明", "/help/service": "在线客服"}[path]
                    return self._page(f"<title>{name}</title><h1>{name}</h1><p>{name}内容</p>", head=head)
                self._send(404, b"<h1>404 Not Found</h1>", head=head)

            def _product(self, slug: str, head: bool) -> None:
                p = store.products.get(slug)
                if p is None:
                    return self._send(404, b"<h1>404</h1>", head=head)
                title = html.escape(p["title"])
                if p["state"] == "delisted":
                    return self._page(GONE_PAGE.format(title=title, message="很抱歉，该商品已下架"), head=head)
                if p["state"] == "not_found":
                    return self._page(GONE_PAGE.format(title="悦家生活旗舰店", message="您查看的商品不存在"), head=head)
                availability = "OutOfStock" if p["state"] == "sold_out" else "InStock"
                ld = {
                    "@context": "https://schema.org",
                    "@type": "Product",
                    "name": p["title"],
                    "offers": {
                        "@type": "Offer",
                        "price": str(p["price"]),
                        "priceCurrency": "CNY",
                        "availability": f"https://schema.org/{availability}",
                    },
                }
                price_html = f'<span class="now">¥{p["price"]}</span>'
                if p.get("regular"):
                    price_html += f' <del class="was">¥{p["regular"]}</del>'
                status = "已售罄" if p["state"] == "sold_out" else "现货"
                self._page(
                    PRODUCT_PAGE.format(
                        title=title,
                        ld=json.dumps(ld, ensure_ascii=False),
                        img=p["img"],
                        price_html=price_html,
                        status=status,
                        # the description's banner, a picture with no link (seed item 11: 详情页海报)
                        detail=(
                            f'\n<div class="desc"><img src="/img/{p["detail"]}" width="750" height="300" alt=""></div>'
                            if p.get("detail")
                            else ""
                        ),
                    ),
                    head=head,
                )

            def _shopify_product(self, slug: str, head: bool) -> None:
                p = store.products.get(slug)
                if p is None or p["state"] in ("delisted", "not_found"):
                    return self._send(404, b"<h1>404 Page not found</h1>", head=head)
                availability = "OutOfStock" if p["state"] == "sold_out" else "InStock"
                self._page(
                    SHOPIFY_PRODUCT.format(
                        title=html.escape(p["title"]), img=p["img"], price=p["price"], availability=availability
                    ),
                    head=head,
                )

            def _category(self, name: str, head: bool) -> None:
                known = {"all", "new", "bedding", "kitchen", "discontinued", "clearance", "member"}
                if name not in known:
                    return self._send(404, b"<h1>404</h1>", head=head)
                items = (
                    list(store.products.values())[:6]
                    if name != "clearance"
                    else [store.products[s] for s in ("tableware-set", "linen-shirt", "cushion")]
                )
                cards = "".join(
                    f'<li><a href="/products/{p["slug"]}"><img src="/img/{p["img"]}" width="200" height="200">'
                    f"<span>{html.escape(p['title'])}</span></a><em>¥{p['price']}</em></li>"
                    for p in items
                )
                self._page(
                    f"<title>分类 {CATEGORY_TITLES.get(name, name)}</title>"
                    f"<h1>{name}</h1><ul class='list'>{cards}</ul>",
                    head=head,
                )

        return Handler
