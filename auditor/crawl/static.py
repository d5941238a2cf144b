"""Crawl stage: a product page read over plain HTTP, for server-rendered product pages.

Used when the profile allows it (`crawl.product_pages: auto|http`): a product page whose HTML already
carries its facts (JSON-LD, microdata or the profile's price selector) needs none of its scripts run,
no scroll, no menus hovered and no carousel watched. Its facts are read here from the HTML; its
regions are built by the one region builder (`auditor/js/extract.js`), the HTML written into a tab
that runs none of the page's scripts (`scriptless`): laid out with its own stylesheets and pictures,
so what shows, what is hidden and how big a picture is drawn are the browser's answers, as for every
other page.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from auditor.crawl.product import read_product
from auditor.crawl.profiles import Profile
from auditor.models import ProductFacts

# what the tab that lays the page out may not do: run a script (inline, from a file, in a handler or a
# javascript: link), load a frame, a font, a video or a plugin. Stylesheets and pictures load as usual.
SCRIPTLESS_CSP = (
    "script-src 'none'; frame-src 'none'; font-src 'none'; media-src 'none'; object-src 'none'; worker-src 'none'"
)
# what may come before a doctype without putting the page in quirks mode: HTML's whitespace (not
# Unicode's), an XML prolog, comments (`<!-- saved from url=... -->`)
DOCTYPE = re.compile(
    r"\A([ \t\n\r\f]*(<\?xml[^>]*>)?([ \t\n\r\f]*<!--.*?-->)*[ \t\n\r\f]*<!doctype[^>]*>)?", re.I | re.S
)
# a page's own policy: written into the tab it would stay in force for the pages written after it (a
# shop's img-src 'self' is the blank tab's origin there, upgrade-insecure-requests every later page's)
OWN_CSP = re.compile(r"""<meta\s[^>]*http-equiv\s*=\s*["']?content-security-policy[^>]*>""", re.I)
OWN_BASE = re.compile(r"""<base\s[^>]*?href\s*=\s*["']?([^"'\s>]+)""", re.I)
HTML_TAG = re.compile(r"<html\b([^>]*)>", re.I)
META_REFRESH = re.compile(r"""<meta\s[^>]*http-equiv\s*=\s*["']?refresh""", re.I)


def product_from_html(html: str, url: str, profile: Profile) -> ProductFacts | None:
    """The product the HTML holds, or None when it holds none (then a browser is needed): a page with
    no price and no word of being off sale, or one that sends the visitor on by itself (meta refresh)."""
    if META_REFRESH.search(html[:20000]):
        return None
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        if tag.name == "script" and tag.get("type") == "application/ld+json":
            continue
        tag.decompose()
    text = re.sub(r"\s+", " ", soup.body.get_text(" ", strip=True) if soup.body else "")
    product = read_product(str(soup), url, profile, text)
    if product is None or (product.price is None and product.availability in ("unknown", "on_sale")):
        return None
    if (h1 := soup.find("h1")) is not None and not product.heading:  # as the browser reader's heading
        product = product.model_copy(update={"heading": h1.get_text(" ", strip=True)[:200]})
    return product


def scriptless(html: str, url: str) -> str:
    """The HTML as written into a blank tab: first in its head a policy that runs none of its scripts,
    and a <base> that resolves its addresses against its own (or the base it names), after its
    doctype so that it keeps its mode (a doctype after other markup would put it in quirks mode)."""
    html = OWN_CSP.sub("", html.removeprefix("\ufeff"))  # (a BOM written into a tab is a character)
    own = OWN_BASE.search(html[:20000])
    base = urljoin(url, own.group(1)) if own else url
    attr = base.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    head = f'<meta http-equiv="Content-Security-Policy" content="{SCRIPTLESS_CSP}"><base href="{attr}">'
    # a page that declares no language is laid out as Chinese, as in every tab (crawler.LANG_JS: the
    # fallback font looked up for every run of CJK text otherwise); a declared one is kept
    root = HTML_TAG.search(html[:20000])
    if root is None or not re.search(r"\blang\s*=", root.group(1), re.I):
        head = '<html lang="zh-CN">' + head
    m = DOCTYPE.match(html[:4096])
    cut = m.end() if m else 0
    return html[:cut] + head + html[cut:]
