"""Crawl stage: a product's selling price found by structure and appearance, for pages without
structured data (most Chinese marketplace pages have no JSON-LD and no microdata).

The page (auditor/js/extract.js) lists every short visible text that reads like a price, with its
font size and weight, colour, whether it is struck through, its class/id/itemprop/data attributes and
its distance to the product title. Here each is scored; the best is the selling price, the best struck
one near it the regular price. Prices inside related/recommended products, coupons, shipping and
instalment lines are not the product's. The confidence says how clearly the best one won; below
`MIN_CONFIDENCE` no price-based finding is made (the checks say why in their evidence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from auditor.parse import parse_prices
from auditor.vocabulary import PAGE_VOCABULARY

MIN_CONFIDENCE = 0.5
_MONEY = re.compile(r"[¥￥$€£]|元|RMB|CNY|USD", re.I)
# a number as shops write it, tolerating a space after the decimal point ("10999. 00", split markup)
_AMOUNT = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\s*\.\s*(\d{1,2}))?(?![\d])")
_RANGE = re.compile(r"\d\s*(?:-|~|–|至)\s*[¥￥$]?\s*\d")
_PRICE_ATTR = re.compile(r"price|prc|jiage|rmb|amount|money|sale|promo", re.I)
_LABEL = re.compile(r"价格|促销价|到手价|现价|售价|秒杀价|优惠价|活动价|专享价|抢购价|price|sale|now", re.I)
_NOT_PRICE = re.compile(PAGE_VOCABULARY["notPrice"], re.I)  # coupons, shipping, instalments, sizes


@dataclass
class PriceGuess:
    price: float | None
    price_max: float | None  # the high end of a range shown as the price (¥99-199)
    regular_price: float | None
    confidence: float
    selector: str
    why: str


_NEXT_TO_MONEY = re.compile(
    r"(?:[¥￥$€£]|RMB|CNY|USD)\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\s*\.\s*(\d{1,2}))?(?!\d)"
    r"|(\d{1,3}(?:,\d{3})+|\d+)(?:\s*\.\s*(\d{1,2}))?\s*(?:元|RMB|CNY|USD)",
    re.I,
)


def amounts(text: str) -> list[float]:
    """The numbers in a price text, in order; where the text has a currency mark, only the numbers
    standing next to one ("小米手环8 229元" is 229, not 8). A range gives its two ends."""
    pairs = [(m[0] or m[2], m[1] or m[3]) for m in _NEXT_TO_MONEY.findall(text)]
    if not pairs:
        pairs = _AMOUNT.findall(text)
    out = []
    for whole, cents in pairs:
        value = float(whole.replace(",", "") + (f".{cents}" if cents else ""))
        if value > 0:
            out.append(value)
    return out


def _reddish(color: str) -> bool:
    m = re.findall(r"[\d.]+", color)
    if len(m) < 3:
        return False
    r, g, b = (float(x) for x in m[:3])
    return r > 150 and r > g * 1.6 and r > b * 1.6


def _score(c: dict[str, Any], biggest_font: float) -> float:
    text, context, attrs = c["text"], c.get("context", ""), c.get("attrs", "")
    score = 0.0
    score += 3 if _MONEY.search(text) else 0
    score += 2 if _PRICE_ATTR.search(attrs) else 0
    score += 3 * (c.get("font_px", 0) / biggest_font) if biggest_font else 0
    score += 1 if c.get("weight", 400) >= 600 else 0
    score += 1 if _reddish(c.get("color", "")) else 0
    score += 1 if _LABEL.search(context) else 0
    if (d := c.get("title_dist")) is not None:
        score += max(0.0, 2 - d / 300)  # the buy box sits near the title
    if c.get("related"):
        score -= 6
    if _NOT_PRICE.search(context) or _NOT_PRICE.search(text):
        score -= 5
    if c.get("top", 0) > 1600:  # far below the first screens: descriptions, reviews, footers
        score -= 2
    return score


def find_price(candidates: list[dict[str, Any]]) -> PriceGuess | None:
    """The selling price (and the regular one) among a page's price-like texts, with a confidence."""
    usable = [c for c in candidates if amounts(c["text"])]
    if not usable:
        return None
    biggest = max(c.get("font_px", 0) for c in usable) or 1.0
    scored = sorted(((_score(c, biggest), c) for c in usable), key=lambda sc: -sc[0])
    selling = [(s, c) for s, c in scored if not c.get("struck")]
    if not selling:
        return None
    best_score, best = selling[0]
    value = amounts(best["text"])[0]  # a range: its low end, the high end below
    rivals = [s for s, c in selling[1:] if abs(amounts(c["text"])[0] - value) > 0.005]
    # how clearly it won: its lead over the best different price; alone, how price-like it is itself
    if rivals:
        confidence = max(0.0, min(1.0, 0.25 * (best_score - rivals[0]) + (0.25 if best_score >= 6 else 0.0)))
    else:
        confidence = max(0.0, min(1.0, (best_score - 3) / 6))
    if best_score < 3:
        confidence = min(confidence, 0.3)
    regular = None
    struck = [(s, c) for s, c in scored if c.get("struck") and not c.get("related") and s > 0]
    if struck and (r := amounts(struck[0][1]["text"])) and r[0] > value:
        regular = r[0]
    why = f"score {best_score:.1f} vs next {rivals[0]:.1f}" if rivals else f"score {best_score:.1f}, no rival"
    high = None
    if _RANGE.search(best["text"]):  # ¥99.00-199.00: the range as the price grammar reads it
        high = next((p.high for p in parse_prices(best["text"]) if p.high and abs(p.value - value) < 0.005), None)
        why += "; a range" if high else ""
    return PriceGuess(value, high, regular, round(confidence, 2), best.get("selector", ""), why)
