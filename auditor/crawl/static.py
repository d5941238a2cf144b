"""Crawl stage: a page read over plain HTTP (no JavaScript), for server-rendered product pages.

Used when the profile allows it (`crawl.product_pages: auto|http`): a product page whose HTML already
carries its facts (JSON-LD, microdata or the profile's price selector) needs no browser, and reading
it with httpx + BeautifulSoup is a hundred times cheaper. Rendered sizes are unknown here, so
size-based checks (distorted-image) skip these images.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from auditor.crawl.product import read_product
from auditor.crawl.profiles import Profile
from auditor.models import Image, Link, Page, Region, TextBlock
from auditor.vocabulary import LAZY_ATTRIBUTES, SKIPPED_SCHEMES


def _dim(tag: Tag, attr: str) -> float:
    value = str(tag.get(attr) or "")
    return float(value) if value.isdigit() else 0.0


def _image(tag: Tag, base: str) -> Image:
    src = str(tag.get("src") or "")
    for attr in LAZY_ATTRIBUTES:
        if tag.get(attr) and (not src or src.startswith("data:")):
            src = str(tag.get(attr))
            break
    url = None if not src or src.startswith("data:") else urljoin(base, src)
    return Image(
        url=url,
        alt=str(tag.get("alt") or "").strip(),
        rendered_width=_dim(tag, "width"),
        rendered_height=_dim(tag, "height"),
    )


def _link(a: Tag, base: str) -> Link | None:
    href = str(a.get("href") or "").strip()
    if not href:
        return None
    url = href if SKIPPED_SCHEMES.match(href) else urljoin(base, href)
    img = a.find("img")
    image = _image(img, base) if isinstance(img, Tag) else None
    text = a.get_text(" ", strip=True) or (image.alt if image else "") or str(a.get("alt") or "")
    return Link(
        url=url,
        text=text,
        kind="area" if a.name == "area" else "a",
        image=image,
        coords=str(a.get("coords")) if a.name == "area" else None,
    )


def read_static(html: str, url: str, status: int, profile: Profile, depth: int) -> Page | None:
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
    here = url.split("#")[0]
    related = Region(kind="product.related")
    rest = Region(kind="page", selector="body")
    regions: list[Region] = []
    for a in soup.find_all(["a", "area"]):
        link = _link(a, url)
        if link is None:
            continue
        if link.image is not None and link.image.url and (link.image.rendered_width or 300) >= 300:
            regions.append(Region(kind="product.promo", links=[link], images=[link.image]))
        elif profile.is_product(link.url) and link.url.split("#")[0] != here:
            related.links.append(link)
        else:
            rest.links.append(link)
    in_links = {id(img) for a in soup.find_all("a") for img in a.find_all("img")}
    rest.images = [_image(img, url) for img in soup.find_all("img") if id(img) not in in_links]
    price = soup.select_one(profile.selectors["price"]) if profile.selectors.get("price") else None
    price = price or soup.select_one("[itemprop=price]")
    if price is None and product.price is not None:  # the element that shows the structured price
        shown = re.compile(rf"[¥￥$]\s*{product.price:g}(?![\d])")
        found = soup.find(string=shown)
        price = found.parent if found is not None else None
    if isinstance(price, Tag):
        regions.append(Region(kind="product.price", texts=[TextBlock(text=price.get_text(" ", strip=True))]))
    if related.links:
        regions.append(related)
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
    )
