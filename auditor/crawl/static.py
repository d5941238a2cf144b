"""Crawl stage: a page read over plain HTTP (no JavaScript), for server-rendered product pages.

Used when the profile allows it (`crawl.product_pages: auto|http`): a product page whose HTML already
carries its facts (JSON-LD, microdata or the profile's price selector) needs no browser, and reading
it with httpx + BeautifulSoup is a hundred times cheaper.

Its regions are built by the rules of the browser's builder (`auditor/js/extract.js`, product pages)
with the same words (`auditor/vocabulary.py`: LAZY_ATTRIBUTES, PAGE_VOCABULARY, RELATED_BLOCK): the
price box after the title, blocks of links to other products, linked pictures as the product's promo
banners, everything else as `page`; lazy pictures, links kept as written, onclick navigations, the
per-page link budget. What only layout can tell is read from the markup instead: an element hidden by
its `hidden` attribute or an inline `display:none` is left out unless a sibling of its kind shows (a
tab panel a click reveals), and a picture's size is its width/height attributes — unknown sizes make
size-based checks (distorted-image) skip the picture.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from auditor.crawl.product import read_product
from auditor.crawl.profiles import Profile
from auditor.models import Image, Link, Page, Region, TextBlock
from auditor.vocabulary import BUY_CONTROLS, LAZY_ATTRIBUTES, LINE_BLOCKS, PAGE_VOCABULARY, RELATED_BLOCK

V = {name: re.compile(pattern, re.I) for name, pattern in PAGE_VOCABULARY.items()}
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
BANNER_MIN = (300, 60)  # extract.js: a linked picture at least this wide and tall is a banner
# extract.js: on a product page, a picture with no link at least this many times as wide as tall is
# a detail banner (详情页海报); the product's own photos are about square or taller
DETAIL_BANNER_RATIO = 2
MAX_LINKS = 5000


class _Reader:
    def __init__(self, soup: BeautifulSoup, base: str, max_links: int) -> None:
        self.soup = soup
        self.base = base
        self.ids = Counter(str(t.get("id")) for t in soup.find_all(id=True))
        self.budget = {"links": max_links, "images": max_links}
        self.left_out: Counter[str] = Counter()
        self.nth: dict[int, int] = {}

    def spend(self, what: str) -> bool:
        if self.budget[what] > 0:
            self.budget[what] -= 1
            return True
        self.left_out[what] += 1
        return False

    def path(self, el: Tag) -> str:
        """The same CSS path extract.js gives: a unique id, else nth-of-type steps from body."""
        parts: list[str] = []
        for e in [el, *el.parents]:
            if not isinstance(e, Tag) or e.name in ("body", "html", "[document]"):
                break
            if e.get("id") and self.ids[str(e.get("id"))] == 1:
                parts.insert(0, f"#{e['id']}")
                break
            parts.insert(0, f"{e.name}:nth-of-type({self.nth_of_type(e)})")
        return ("" if parts and parts[0].startswith("#") else "body > ") + " > ".join(parts)

    def nth_of_type(self, el: Tag) -> int:
        """Counted once per parent, as extract.js does (a list of 60,000 links is not walked per link)."""
        if id(el) not in self.nth and isinstance(el.parent, Tag):
            counts: Counter[str] = Counter()
            for child in el.parent.find_all(recursive=False):
                counts[child.name] += 1
                self.nth[id(child)] = counts[child.name]
        return self.nth.get(id(el), 1)

    def image(self, tag: Tag) -> Image:
        src = str(tag.get("src") or "").strip()
        empty = not src or src.startswith("#")  # src="#" is the page itself: no picture set yet (extract.js)
        url: str | None = urljoin(self.base, src) if not empty else None
        placeholder = empty or src.startswith("data:") or bool(V["placeholderSrc"].search(src))
        for attr in LAZY_ATTRIBUTES:  # a lazy picture not swapped in yet: its attribute names the real one
            value = str(tag.get(attr) or "").strip()
            if value and placeholder and not V["encodedAddress"].search(value):
                url = urljoin(self.base, re.split(r"[\s,]", value)[0])
                break
        if empty and not url:  # a lazy loader of the shop's own (imgpath="a.jpg")
            own = next(
                (
                    str(v).strip()
                    for k, v in tag.attrs.items()
                    if k != "src" and isinstance(v, str) and V["imageFile"].search(v.strip())
                ),
                None,
            )
            url = urljoin(self.base, own) if own else None
        if url and url.startswith("data:"):
            url = None
        return Image(
            url=url,
            alt=str(tag.get("alt") or "").strip(),
            rendered_width=_dim(tag, "width"),
            rendered_height=_dim(tag, "height"),
            visible=shown(tag),
            selector=self.path(tag),
        )

    def link(self, el: Tag) -> Link | None:
        if el.name in ("a", "area") and el.has_attr("href"):
            url = str(el.get("href") or "").strip()
        else:  # onclick navigations: location.href='...' / window.open('...')
            m = V["onclickNavigation"].search(str(el.get("onclick") or ""))
            if not m:
                return None
            url = m.group(1)
        img = el.find("img") if el.name == "a" else None
        image = self.image(img) if isinstance(img, Tag) else None
        if el.name == "area":
            text = str(el.get("alt") or el.get("title") or "")
        else:
            text = _text(el) or str(el.get("title") or "")
        return Link(
            url=url if V["rawLink"].search(url) else urljoin(self.base, url),
            text=text or (image.alt if image else ""),
            kind="area" if el.name == "area" else "a" if el.name == "a" else "onclick",
            selector=self.path(el),
            coords=str(el.get("coords") or "") if el.name == "area" else None,
            image=image,
        )

    def links_in(self, root: Tag) -> list[Link]:
        out = []
        for el in _linkish(root):
            if self.spend("links") and (link := self.link(el)) is not None:
                out.append(link)
        return out

    def images_in(self, root: Tag) -> list[Image]:
        return [self.image(img) for img in root.find_all("img") if self.spend("images")]


def _dim(tag: Tag, attr: str) -> float:
    value = str(tag.get(attr) or "").strip().removesuffix("px")
    return float(value) if value.isdigit() else 0.0


def _text(el: Tag) -> str:
    return re.sub(r"\s+", " ", el.get_text(" ", strip=True)).strip()


def _linkish(root: Tag) -> list[Tag]:
    return [t for t in root.find_all(True) if (t.name in ("a", "area") and t.has_attr("href")) or t.has_attr("onclick")]


def _hidden_here(el: Tag) -> bool:
    return el.has_attr("hidden") or bool(HIDDEN_STYLE.search(str(el.get("style") or "")))


def _same_kind(a: Tag, b: Tag) -> bool:
    """extract.js's rule: the same tag, and one's classes hold the other's (state classes aside)."""
    if a.name != b.name:
        return False
    ca, cb = ({c for c in e.get("class") or [] if not V["stateClass"].search(c)} for e in (a, b))
    if not ca or not cb:
        return ca == cb
    return ca <= cb or cb <= ca


def shown(el: Tag) -> bool:
    """Not hidden by the markup itself (no layout here: the `hidden` attribute and inline styles)."""
    return not any(_hidden_here(e) for e in [el, *el.parents] if isinstance(e, Tag))


def revealable(el: Tag) -> bool:
    """Hidden, but one of a set whose other member shows (a tab panel): a click reveals it. A copy of
    the menu hidden for another screen size has no shown sibling of its kind."""
    for x in [el, *el.parents]:
        if not isinstance(x, Tag) or x.name == "body":
            return False
        if _hidden_here(x):
            parent = x.parent
            return isinstance(parent, Tag) and any(
                k is not x and _same_kind(k, x) and shown(k) for k in parent.find_all(recursive=False)
            )
    return False


def _price_element(soup: BeautifulSoup, profile: Profile) -> Tag | None:
    """extract.js's rule: the profile's selector, itemprop=price, else the first short element after
    the title that shows a currency mark and digits and is no coupon, shipping or instalment line; the
    region is the buy box holding it (its promotions' words with it) or the price with its label."""
    found = soup.select_one(profile.selectors["price"]) if profile.selectors.get("price") else None
    found = found or soup.select_one("[itemprop=price]")
    if found is None:
        body = soup.body or soup
        h1 = body.find("h1")
        for e in h1.find_all_next(True) if isinstance(h1, Tag) else body.find_all(True):
            if len(e.find_all(True, recursive=False)) <= 2 and shown(e):
                text = _text(e)
                if len(text) < 40 and V["priceText"].search(text) and not V["notPrice"].search(text):
                    found = e
                    break
    if found is None:
        return None
    box = found.parent  # the price with its label and the struck price, not the page
    # extract.js's buy box: the nearest block holding the price and a buy control, up to six levels
    x, k = box, 0
    while isinstance(x, Tag) and x.name not in ("body", "[document]") and k < 6:
        if len(_text(x)) <= 1500 and any(
            V["buyControl"].search(str(b.get("value") or "") if b.name == "input" else _text(b))
            for b in x.select(BUY_CONTROLS)
        ):
            return x
        x, k = x.parent, k + 1
    return box if isinstance(box, Tag) and box.name not in ("body", "[document]") and len(_text(box)) < 120 else found


def _footer(body: Tag, profile: Profile) -> Tag | None:
    """extract.js's rule, with link counts for the heights only layout knows: the profile's selector,
    <footer> or role=contentinfo, else the last block of the page with three links or more — inside a
    box that wraps the whole page, that box's last such block."""
    if profile.selectors.get("footer") and (found := body.select_one(profile.selectors["footer"])) is not None:
        return found
    if marked := body.select("footer, [role=contentinfo]"):
        return marked[-1]

    def blocks(parent: Tag) -> list[Tag]:
        return [c for c in parent.find_all(recursive=False) if shown(c) and len(c.find_all("a")) >= 3]

    total = len(body.find_all("a"))
    found = blocks(body)
    last = found[-1] if found else None
    while last is not None and len(last.find_all("a")) > total / 2 and len(found) == 1:
        found = blocks(last)
        last = found[-1] if found else None
    return last


def _related_blocks(body: Tag, profile: Profile, here: str, base: str) -> list[Tag]:
    """extract.js's rule: the smallest elements whose links mostly lead to other products."""
    links: Counter[int] = Counter()
    products: Counter[int] = Counter()
    tags: dict[int, Tag] = {}
    for a in body.find_all("a", href=True):
        url = urljoin(base, str(a["href"]).strip())
        is_product = profile.is_product(url) and url.split("#")[0] != here
        for up in a.parents:
            if not isinstance(up, Tag) or up.name in ("body", "html", "[document]"):  # extract.js: body * only
                break
            tags[id(up)] = up
            links[id(up)] += 1
            products[id(up)] += is_product
    blocks = {
        key
        for key in links
        if products[key] >= RELATED_BLOCK["min_products"]
        and links[key] <= RELATED_BLOCK["max_links"]
        and products[key] >= links[key] * RELATED_BLOCK["share"]
    }
    inner = {id(p) for key in blocks for p in tags[key].parents if id(p) in blocks}  # contain a smaller block
    return [tags[key] for key in links if key in blocks and key not in inner]


def read_static(
    html: str, url: str, status: int, profile: Profile, depth: int, max_links: int = MAX_LINKS
) -> Page | None:
    """A product page from its HTML, or None when the HTML holds no product (then a browser is needed)."""
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
    body = soup.body or soup
    reader = _Reader(soup, url, max_links)
    here = url.split("#")[0]
    regions: list[Region] = []
    taken: list[Tag] = []

    def free(el: Tag) -> bool:  # not inside a region already built
        return not any(el is t or any(p is t for p in el.parents) for t in taken)

    def add(kind: str, el: Tag) -> None:
        if not free(el):
            return
        taken.append(el)
        selector = reader.path(el)
        links = [link] if el.name == "a" and (link := reader.link(el)) else reader.links_in(el)
        text = _text(el)
        texts = [TextBlock(text=text[:2000], selector=selector)] if text else []
        if kind == "product.price":  # extract.js's rule: the buy box line by line
            lines: dict[str, Tag] = {}
            for e in el.select(LINE_BLOCKS):
                if not e.select_one(LINE_BLOCKS) and (line := _text(e)):
                    lines.setdefault(line, e)
            texts = [TextBlock(text=t[:500], selector=reader.path(e)) for t, e in lines.items()] or texts
        regions.append(
            Region(
                kind=kind,  # type: ignore[arg-type]
                selector=selector,
                links=links,
                images=[reader.image(el)] if el.name == "img" else reader.images_in(el),
                texts=texts,
                visible=shown(el),
            )
        )

    footer = _footer(body, profile)
    if footer is not None:
        add("footer", footer)
    price = _price_element(soup, profile)
    if price is not None:
        add("product.price", price)
    if profile.product_url:
        for block in _related_blocks(body, profile, here, url):
            add("product.related", block)
    for img in body.find_all("img"):
        a = img.find_parent("a", href=True)
        if not isinstance(a, Tag):
            continue
        w, h = _dim(img, "width"), _dim(img, "height")
        if (not w or w >= BANNER_MIN[0]) and (not h or h >= BANNER_MIN[1]):
            add("product.promo", a)
    for img in body.find_all("img"):  # a detail banner with no link: only its written size tells
        w, h = _dim(img, "width"), _dim(img, "height")
        linked = isinstance(img.find_parent("a", href=True), Tag) or img.get("usemap")
        if w >= BANNER_MIN[0] and BANNER_MIN[1] <= h <= w / DETAIL_BANNER_RATIO and not linked:
            add("product.promo", img)

    rest = Region(kind="page", selector="body")
    for el in _linkish(body):
        if not free(el):
            continue
        if el.name not in ("a", "area") and not V["onclickNavigation"].search(str(el.get("onclick") or "")):
            continue  # an onclick that sends nobody anywhere (addCart()) spends none of the links' budget
        if not shown(el) and not revealable(el):  # a copy hidden for another screen size
            continue
        if reader.spend("links") and (link := reader.link(el)) is not None:
            rest.links.append(link)
    rest.images = [reader.image(img) for img in body.find_all("img") if free(img) and reader.spend("images")]
    regions.append(rest)
    title = soup.title.get_text(strip=True) if soup.title else ""
    return Page(
        url=url,
        final_url=url,
        status=status,
        kind="product",
        title=title,
        depth=depth,
        regions=regions,
        product=product,
        text=text[:20000],
        left_out=dict(reader.left_out),
    )
