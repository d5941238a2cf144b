"""Crawl stage: product facts (title, prices, availability) from JSON-LD, microdata or selectors."""

from __future__ import annotations

import json
import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from auditor.crawl.profiles import Profile, find_marker
from auditor.models import ProductFacts
from auditor.vocabulary import DELISTED_MARKERS, SOLD_OUT_MARKERS

_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")
# a price element that holds a range and nothing else: Taobao's <em class="tb-rmb-num">99.00-199.00</em>
_RANGE_ONLY = re.compile(r"^\s*[¥￥$]?\s*(\d[\d,]*(?:\.\d+)?)\s*[-~～–至]\s*[¥￥$]?\s*(\d[\d,]*(?:\.\d+)?)\s*元?\s*$")


def _high(text: str | None) -> float | None:
    """The high end when a price element shows a range and nothing else."""
    m = _RANGE_ONLY.match(text or "")
    if m is None:
        return None
    low, high = (float(g.replace(",", "")) for g in m.groups())
    return high if high > low else None


def _number(value: Any) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and (m := _NUM.search(value.replace("，", ","))):
        return float(m.group(0).replace(",", ""))
    return None


def _ld_products(soup: BeautifulSoup) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if "Product" in kinds:
                found.append(node)
            for key in ("@graph", "mainEntity", "itemListElement", "item"):
                if key in node:
                    walk(node[key])

    for script in soup.find_all("script", type="application/ld+json"):
        try:
            walk(json.loads(script.string or ""))
        except (json.JSONDecodeError, TypeError):
            continue
    return found


def _offer_facts(
    product: dict[str, Any],
) -> tuple[float | None, float | None, float | None, str | None, str | None]:
    """(lowest price, highest price when they differ, regular price, currency, availability)."""
    offers = product.get("offers")
    offer_list = offers if isinstance(offers, list) else [offers] if isinstance(offers, dict) else []
    prices: list[float] = []
    regular = currency = availability = None
    for offer in offer_list:
        if offer.get("@type") == "AggregateOffer":
            prices += [p for key in ("lowPrice", "highPrice") if (p := _number(offer.get(key))) is not None]
        elif (p := _number(offer.get("price"))) is not None:
            prices.append(p)
        spec = offer.get("priceSpecification")
        selling: list[float] = []  # WooCommerce 8+: the price only inside priceSpecification
        for s in spec if isinstance(spec, list) else [spec] if isinstance(spec, dict) else []:
            if not isinstance(s, dict):
                continue
            if "ListPrice" in str(s.get("priceType", "")) or "StrikethroughPrice" in str(s.get("priceType", "")):
                regular = _number(s.get("price"))
            elif (p := _number(s.get("price"))) is not None:
                selling.append(p)
            currency = currency or s.get("priceCurrency")
        if offer.get("@type") != "AggregateOffer" and _number(offer.get("price")) is None:
            prices += selling[:1]
        currency = currency or offer.get("priceCurrency")
        availability = availability or str(offer.get("availability", "")) or None
    low, high = (min(prices), max(prices)) if prices else (None, None)
    return low, (high if high != low else None), regular, currency, availability


def _availability(schema_value: str | None, text: str, profile: Profile) -> str:
    if schema_value:
        v = schema_value.rsplit("/", 1)[-1].lower()
        if v in ("instock", "limitedavailability", "onlineonly", "instoreonly", "preorder", "presale"):
            return "on_sale"
        if v in ("outofstock", "soldout"):
            return "sold_out"
        if v in ("discontinued",):
            return "delisted"
    head = text[:600].lower()
    if any(m in head for m in DELISTED_MARKERS):
        return "delisted"
    if find_marker(head, profile.soft_404_markers):
        return "not_found"
    if any(m in head for m in SOLD_OUT_MARKERS):
        return "sold_out"
    return "unknown"


def shows_no_product(text: str, profile: Profile) -> bool:
    """The page's visible text says nothing of a product's state (sold out, off sale, not found): with no
    product markup either, read_product finds no product in it."""
    return bool(text) and _availability(None, text, profile) == "unknown"


def _select_text(soup: BeautifulSoup, selector: str | None) -> str | None:
    if not selector:
        return None
    try:
        el = soup.select_one(selector)
    except Exception:  # a bad selector from config: treated as not matching, validated elsewhere
        return None
    return el.get_text(" ", strip=True) if isinstance(el, Tag) else None


def _regular_beside(soup: BeautifulSoup, selector: str | None, price: float | None) -> float | None:
    """The struck-through price shown beside the selling one: of the elements `selector` finds, the
    first whose box (up to three levels up, 300 characters) also shows `price` (a page's first <del> may be another
    product's: woo-shopstic's is a menu item's ¥260 where its own reads $24 beside $23)."""
    if not selector:
        return None
    try:
        found = soup.select(selector, limit=200)
    except Exception:  # a bad selector from config: treated as not matching, validated elsewhere
        return None
    if price is None:
        return _number(found[0].get_text(" ", strip=True)) if found else None
    shown = re.compile(rf"(?<![\d.]){int(price)}(?:\.{str(price).split('.')[1].rstrip('0') or '0'}\d*)?(?![\d])")
    for el in found:
        value = _number(el.get_text(" ", strip=True))
        if value is None or value < price:
            continue
        box = el.parent
        for _ in range(3):
            if box is None or box.name in ("[document]", "html", "body"):
                break
            text = box.get_text(" ", strip=True)
            if len(text) > 300:  # no longer beside it: a whole section
                break
            if shown.search(text.replace(el.get_text(" ", strip=True), " ", 1)):
                return value
            box = box.parent
    return None


def read_product(html: str, url: str, profile: Profile, visible_text: str = "") -> ProductFacts | None:
    """Product facts from a rendered page; None when the page shows no product and no product message."""
    soup = BeautifulSoup(html, "html.parser")
    text = visible_text or soup.get_text(" ", strip=True)
    title = soup.title.get_text(strip=True) if soup.title else ""
    for product in _ld_products(soup):
        price, price_max, regular, currency, schema_avail = _offer_facts(product)
        return ProductFacts(
            url=url,
            title=str(product.get("name") or title),
            price=price,
            price_max=price_max,
            regular_price=regular or _regular_beside(soup, profile.selectors.get("regular_price"), price),
            currency=currency,
            availability=_availability(schema_avail, text, profile),  # type: ignore[arg-type]
            source="json-ld",
        )
    item = soup.select_one("[itemtype*='schema.org/Product']")
    if item is not None:
        price_el = item.select_one("[itemprop=price]")
        avail_el = item.select_one("[itemprop=availability]")
        name_el = item.select_one("[itemprop=name]")
        price_text = str(price_el.get("content") or price_el.get_text()) if price_el else None
        avail = (avail_el.get("href") or avail_el.get("content")) if avail_el else None
        return ProductFacts(
            url=url,
            title=name_el.get_text(strip=True) if name_el else title,
            price=_number(price_text),
            price_max=_high(price_text),
            availability=_availability(str(avail) if avail else None, text, profile),  # type: ignore[arg-type]
            source="microdata",
        )
    price_text = _select_text(soup, profile.selectors.get("price"))
    availability = _availability(None, text, profile)
    if price_text is None and availability == "unknown":
        return None
    return ProductFacts(
        url=url,
        title=_select_text(soup, profile.selectors.get("title")) or title,
        price=_number(price_text),
        price_max=_high(price_text),
        regular_price=_number(_select_text(soup, profile.selectors.get("regular_price"))),
        availability=availability,
        source="selectors",
    )  # type: ignore[arg-type]
