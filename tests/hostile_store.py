"""A hostile storefront for the always-finishes tests: every way a page, an image or a host can
misbehave, served on loopback. Pages live in `fixtures/hostile/`; the bad bytes are made here."""

from __future__ import annotations

import gzip
import io
import socket
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
LONG_PATH = "/search?q=" + "x" * 6000  # a 6,000-character URL that answers 404
MANY_LINKS = 60_000
REDIRECT_HOPS = 40
BOMB_SIDE = (8000, 7000)  # 56 MP: over the image probe's 50 MP limit, a few KB as a PNG
GZIP_BOMB_MB = 200


def closed_port() -> int:
    """A loopback port with nothing listening."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def picture(text: str, size: tuple[int, int], fmt: str = "PNG") -> bytes:
    img = Image.new("RGB", size, (240, 200, 120))
    draw = ImageDraw.Draw(img)
    for x in range(0, size[0], 40):
        draw.line([(x, 0), (x, size[1])], fill=(200, 120, 60), width=3)
    draw.text((20, 20), text, fill=(0, 0, 0))
    out = io.BytesIO()
    img.save(out, fmt, quality=90)
    return out.getvalue()


def truncated_jpeg(size: tuple[int, int]) -> bytes:
    """A real JPEG cut at 60%: its header (and size) reads fine, its pixels do not."""
    data = picture("truncated", size, "JPEG")
    return data[: len(data) * 6 // 10]


def bomb_png(width: int, height: int) -> bytes:
    """A 1-bit PNG of width×height written row by row: a few KB on the wire, width×height pixels
    to whoever decodes it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    comp = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def gzip_bomb(megabytes: int) -> bytes:
    """An HTML page that is ~200 KB gzipped and `megabytes` MB inflated."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        gz.write(
            b"<!doctype html><html><head><title>\xe5\xa4\xa7\xe9\xa1\xb5\xe9\x9d\xa2</title></head><body><p>ok</p>"
        )
        block = b" " * (1024 * 1024)
        for _ in range(megabytes):
            gz.write(block)
        gz.write(b"</body></html>")
    return buf.getvalue()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Resets, garbage and clients that give up are the point here, not worth a traceback."""


class HostileStore:
    """`with HostileStore() as store: store.url`; `store.hits` counts requests per path."""

    def __init__(self) -> None:
        self.closed_port = closed_port()
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.files: dict[str, tuple[bytes, str]] = {
            "/img/kv-1.png": (picture("KV 1", (800, 300)), "image/png"),
            "/img/kv-3.png": (picture("KV 3", (800, 300)), "image/png"),
            "/img/kv-truncated.jpg": (truncated_jpeg((800, 300)), "image/jpeg"),
            "/img/banner-truncated.jpg": (truncated_jpeg((600, 150)), "image/jpeg"),
            "/img/bomb.png": (bomb_png(*BOMB_SIDE), "image/png"),
            "/img/item-1.png": (picture("1", (200, 200)), "image/png"),
            "/img/item-4.png": (picture("4", (200, 200)), "image/png"),
        }
        self.gzip_bomb = gzip_bomb(GZIP_BOMB_MB)
        self.many_links = (
            "<!doctype html><html><head><meta charset='utf-8'><title>六万链接</title></head><body><div>"
            + "".join(f"<a href='/page/{i % 10}'>商品 {i}</a> " for i in range(MANY_LINKS))
            + "</div></body></html>"
        ).encode()
        self.httpd = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def home(self) -> str:
        text = (PAGES / "home.html").read_text(encoding="utf-8")
        return text.replace("{{closed_port}}", str(self.closed_port)).replace("{{long_url}}", LONG_PATH)

    def __enter__(self) -> HostileStore:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

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
                self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **hdr: str
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in hdr.items():
                    self.send_header(k.replace("_", "-"), v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _html(self, text: str, status: int = 200) -> None:
                self._send(status, text.encode())

            def _serve(self, head: bool) -> None:
                path = urlsplit(self.path).path
                with store.lock:
                    store.hits[path] = store.hits.get(path, 0) + 1
                if path == "/":
                    return self._html(store.home())
                if path in store.files:
                    body, ctype = store.files[path]
                    return self._send(200, body, ctype)
                if path == "/dialogs":
                    return self._html((PAGES / "dialogs.html").read_text(encoding="utf-8"))
                if path == "/infinite":
                    return self._html((PAGES / "infinite.html").read_text(encoding="utf-8"))
                if path == "/busy":
                    return self._html((PAGES / "busy.html").read_text(encoding="utf-8"))
                if path == "/never":
                    time.sleep(120)  # never answers within anyone's patience
                    return self._html("<title>late</title>")
                if path == "/many-links":
                    return self._send(200, store.many_links)
                if path.startswith("/page/"):
                    return self._html(f"<title>商品页 {path}</title><p>一件商品</p>")
                if path in ("/refresh-a", "/refresh-b"):
                    other = "/refresh-b" if path == "/refresh-a" else "/refresh-a"
                    return self._html(
                        f"<!doctype html><html><head><meta charset='utf-8'>"
                        f"<meta http-equiv='refresh' content='0; url={other}'><title>跳转中</title></head>"
                        f"<body><p>正在跳转…</p></body></html>"
                    )
                if path in ("/js-a", "/js-b"):  # the same loop by script: location.replace after load
                    other = "/js-b" if path == "/js-a" else "/js-a"
                    return self._html(
                        f"<!doctype html><html><head><meta charset='utf-8'><title>跳转中</title></head>"
                        f"<body><p>正在跳转…</p><script>location.replace('{other}')</script></body></html>"
                    )
                if path.startswith("/hop/"):
                    n = int(path.rsplit("/", 1)[-1] or 0)
                    if n < REDIRECT_HOPS:
                        return self._send(302, Location=f"/hop/{n + 1}")
                    return self._html("<title>终点</title><p>到了</p>")
                if path == "/reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return None
                if path == "/garbage":
                    self.wfile.write(b"\x00\xff\xfeNOT HTTP AT ALL\r\n\x00\x00garbage garbage\r\n\r\n")
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                if path == "/more":
                    return self._html(
                        "<!doctype html><html><head><meta charset='utf-8'><title>更多</title></head><body>"
                        "<h1>更多</h1><p><a href='/bomb.html'>大页面</a> <a href='/'>首页</a></p></body></html>"
                    )
                if path in ("/drip", "/drip.pdf"):  # a byte every half second, for up to a minute: never whole
                    self.send_response(200)
                    kind = "application/pdf" if path.endswith(".pdf") else "text/html; charset=utf-8"
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    for _ in range(120):
                        try:
                            self.wfile.write(b" ")
                            self.wfile.flush()
                        except OSError:
                            break
                        time.sleep(0.5)
                    self.close_connection = True
                    return None
                if path == "/bomb.html":
                    return self._send(200, store.gzip_bomb, Content_Encoding="gzip")
                return self._send(404, b"<title>404</title><h1>404 Not Found</h1>")

        return Handler


if __name__ == "__main__":  # serve it by hand: python tests/hostile_store.py
    with HostileStore() as s:
        print(s.url, flush=True)
        threading.Event().wait()
