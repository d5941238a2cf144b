"""Benchmark: a synthetic store (N products, M distinct banner images, categories, a share of
defects) served on loopback, for timing audits at 250 / 500 / 1,000 products.

    .venv/bin/python bench/synth_store.py --products 1000 --images 300 --port 8700   # serve it
"""

from __future__ import annotations

import argparse
import functools
import glob
import io
import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from PIL import Image, ImageDraw, ImageFont

PER_CATEGORY = 40


@functools.lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    paths = sorted(glob.glob("/usr/share/fonts/**/NotoSansCJK*.ttc", recursive=True))
    return ImageFont.truetype(paths[0], size) if paths else ImageFont.load_default()


class SynthStore:
    def __init__(self, products: int, images: int, seed: int = 7, defects: float = 0.03) -> None:
        rnd = random.Random(seed)
        self.n, self.m = products, images
        self.prices = [rnd.choice([19, 29, 39, 59, 79, 99, 129, 159, 199, 299]) for _ in range(products)]
        self.dead = {i for i in range(products) if rnd.random() < defects}
        self.delisted = {i for i in range(products) if rnd.random() < defects} - self.dead
        self.expired = {j for j in range(images) if rnd.random() < 0.1}
        self.categories = max(1, (products + PER_CATEGORY - 1) // PER_CATEGORY)
        self._images: dict[int, bytes] = {}
        self._lock = threading.Lock()
        self.requests = 0

    # ---- pages ----
    def home(self) -> str:
        nav = "".join(
            f'<li class="m" data-c="{c}"><a href="/c/{c}">分类{c}</a></li>' for c in range(min(6, self.categories))
        )
        slides = "".join(
            f'<div><a href="/p/{i}"><img src="/img/{i % self.m}.png" alt="主推{i}"></a></div>' for i in range(5)
        )
        banners = "".join(
            f'<a href="/p/{i * 7 % self.n}"><img class="ad" src="/img/{(i * 11) % self.m}.png" alt="活动{i}"></a>'
            for i in range(6)
        )
        all_categories = "".join(f'<a href="/c/{c}">分类{c}</a>' for c in range(self.categories))
        cards = "".join(
            f'<div class="cell"><a href="/p/{i}"><img src="/thumb/{i % self.m}.png" alt="商品{i}"></a>'
            f'<div class="t">商品{i}</div><div class="p">¥{self.prices[i]}</div></div>'
            for i in range(min(24, self.n))
        )
        return f"""<!doctype html><html><head><meta charset="utf-8"><title>合成店铺</title><style>
        body{{width:1200px;margin:0}} .nav{{display:flex;list-style:none;gap:20px;height:40px}}
        .kv{{width:1200px;height:400px;overflow:hidden}} .kv .t{{display:flex;transition:transform .2s}}
        .kv .t>div{{flex:0 0 1200px}} .kv img{{width:1200px;height:400px}} .ad{{width:1000px;height:250px;display:block}}
        .grid{{display:grid;grid-template-columns:repeat(4,280px);gap:10px}} .cell img{{width:280px;height:280px}}
        </style></head><body><ul class="nav">{nav}</ul><div class="kv"><div class="t">{slides}</div></div>
        {banners}<div class="grid">{cards}</div><div class="ft"><a href="/about">关于</a><a href="/help">帮助</a>
        <a href="/gone">旧链接</a>{all_categories}</div>
        <script>var k=0,t=document.querySelector('.kv .t');setInterval(function(){{k=(k+1)%5;t.style.transform='translateX('+(-1200*k)+'px)'}},1000);
        document.querySelectorAll('.m').forEach(function(li){{li.addEventListener('mouseenter',function(){{if(li.querySelector('.sub'))return;
        var d=document.createElement('div');d.className='sub';var a=document.createElement('a');a.href='/c/'+li.dataset.c+'?sort=new';
        a.textContent='新品';d.appendChild(a);li.appendChild(d);}});}});</script></body></html>"""

    def category(self, c: int) -> str:
        ids = range(c * PER_CATEGORY, min(self.n, (c + 1) * PER_CATEGORY))
        cards = "".join(
            f'<li><a href="/p/{i}"><img src="/thumb/{i % self.m}.png" width="200" height="200" alt="商品{i}">'
            f"<span>商品{i}</span></a><em>¥{self.prices[i]}</em></li>"
            for i in ids
        )
        return (
            f'<!doctype html><html><head><meta charset="utf-8"><title>分类{c}</title></head><body><h1>分类{c}</h1>'
            f'<ul style="display:grid;grid-template-columns:repeat(4,220px)">{cards}</ul></body></html>'
        )

    def product(self, i: int) -> tuple[int, str]:
        if i in self.dead:
            return 404, "<h1>404</h1>"
        if i in self.delisted:
            return 200, '<html><head><meta charset="utf-8"><title>商品</title></head><body>该商品已下架</body></html>'
        ld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "Product",
                "name": f"商品{i}",
                "offers": {
                    "@type": "Offer",
                    "price": str(self.prices[i]),
                    "priceCurrency": "CNY",
                    "availability": "https://schema.org/InStock",
                },
            },
            ensure_ascii=False,
        )
        related = "".join(f'<a href="/p/{(i + k) % self.n}">商品{(i + k) % self.n}</a> ' for k in (1, 2, 3))
        promo = (i * 3) % self.m
        return 200, (
            f'<!doctype html><html><head><meta charset="utf-8"><title>商品{i}</title>'
            f'<script type="application/ld+json">{ld}</script></head><body><h1>商品{i}</h1>'
            f'<div class="price">¥{self.prices[i]}</div>'
            f'<a href="/c/{i // PER_CATEGORY}"><img src="/img/{promo}.png" width="750" height="250" alt="关联推荐"></a>'
            f'<div class="rel">{related}</div></body></html>'
        )

    def thumb(self, j: int) -> bytes:
        """A square product picture."""
        buf = io.BytesIO()
        Image.new("RGB", (400, 400), (j * 37 % 255, j * 91 % 255, j * 53 % 255)).save(buf, format="PNG")
        return buf.getvalue()

    def image(self, j: int) -> bytes:
        with self._lock:
            if j not in self._images:
                img = Image.new("RGB", (750, 250), (40 + j * 37 % 200, 60 + j * 53 % 180, 90 + j * 29 % 160))
                d = ImageDraw.Draw(img)
                d.text((30, 40), f"爆款推荐 {j}号", font=_font(48), fill="white")
                window = "10.1-10.7" if j in self.expired else "12.1-12.31"
                d.text((30, 130), f"到手价¥{self.prices[j % self.n]} {window}", font=_font(40), fill="yellow")
                buf = io.BytesIO()
                img.save(buf, format="PNG")
                self._images[j] = buf.getvalue()
            return self._images[j]


def serve(store: SynthStore, port: int = 0) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._go(head=True)

        def do_GET(self) -> None:
            self._go(head=False)

        def _go(self, head: bool) -> None:
            store.requests += 1
            path = urlsplit(self.path).path
            status, ctype, body = 404, "text/html; charset=utf-8", b"<h1>404</h1>"
            try:
                if path == "/":
                    status, body = 200, store.home().encode()
                elif path.startswith("/c/"):
                    status, body = 200, store.category(int(path[3:])).encode()
                elif path.startswith("/p/"):
                    code, text = store.product(int(path[3:]))
                    status, body = code, text.encode()
                elif path.startswith("/img/"):
                    status, ctype, body = 200, "image/png", store.image(int(path[5:].split(".")[0]) % store.m)
                elif path.startswith("/thumb/"):
                    status, ctype, body = 200, "image/png", store.thumb(int(path[7:].split(".")[0]) % store.m)
                elif path in ("/about", "/help"):
                    status, body = 200, f"<title>{path}</title><p>ok</p>".encode()
            except ValueError:
                pass
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--port", type=int, default=8700)
    a = ap.parse_args()
    server = serve(SynthStore(a.products, a.images), a.port)
    print(f"http://127.0.0.1:{server.server_address[1]}/  ({a.products} products, {a.images} images); Ctrl-C stops")
    threading.Event().wait()
