"""Checks: links whose landing page is not the product the region promotes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import Field
from rapidfuzz import fuzz

from auditor.engine import CheckContext, Hit, Params, check
from auditor.models import ProductFacts
from auditor.parse.normalize import normalize
from auditor.vocabulary import DELISTED_MARKERS, SOLD_OUT_MARKERS

# words that say how a product is promoted, not which product it is
PROMO_WORDS = re.compile(
    r"双\s*1[12]|618|双十[一二]|预告|预售|活动|大促|专区|会场|新品|清仓|特卖|特惠|限时|爆款|热卖|狂欢|抢购|秒杀|包邮|"
    r"满\d+|减\d+|\d+折|\s*[¥$€£₹]\s*[\d.,]+|(?<![a-z])(?:rs\.?|inr|usd|us\$|rmb|cny|eur|gbp)\s*[\d.,]+|[\d.]+元|"
    r"起|仅需|到手价|焕新|上市|夏季|冬季|春季|秋季|新春|精选|推荐|"
    # … and a card's stock badge: on a Shopify Dawn card the only words shown over the picture are
    # "Sold out" (its copy of the title there is hidden: shopify-meatshed's featured collection)
    rf"{'|'.join(re.escape(m) for m in (*SOLD_OUT_MARKERS, *DELISTED_MARKERS))}|in stock|low stock|"
    r"[^\w]+",
    re.I,
)


NAME_SCORE = 40.0  # rapidfuzz partial_ratio below which two names are of different products


def names_differ(named: str, product: ProductFacts, min_score: float = NAME_SCORE, min_chars: int = 2) -> bool:
    """The words a card or link shows name another product than the landing page's (its title or
    heading); False when they name none (a price alone, "2026") or the page has no name."""
    name = product_name(named or "")
    titles = [t for t in (product_name(product.title), product_name(product.heading)) if t]
    if len(re.sub(r"\d", "", name)) < min_chars or not titles:
        return False
    return max(fuzz.partial_ratio(name, title) for title in titles) < min_score


class TargetParams(Params):
    min_score: float = Field(NAME_SCORE, ge=0, le=100, description="rapidfuzz partial_ratio below which names differ")
    min_name_chars: int = Field(2, ge=1)


def product_name(text: str) -> str:
    return PROMO_WORDS.sub("", normalize(text)).lower()


@check("link-target-mismatch", TargetParams, needs=("links",))
def link_target_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    """A link whose landing page is not the product the region names: a banner or card says 电水壶
    and the page it opens is a desk lamp. Only where the region names a product (a card title, a
    slide's or banner's alt text once promotion words such as 双11 / 清仓 / ¥149 are stripped) and
    the landing page is a live product page; names are compared fuzzily (rapidfuzz partial_ratio) with
    the page's title and its heading (h1), the better of the two."""
    for page, region in ctx.regions():
        pairs = [(s.link, s.title) for s in region.slots]
        pairs += [(s.link, s.alt or s.text) for s in region.slides]
        pairs += [(link.url, link.text) for link in region.links if link.image is not None]
        seen: set[str] = set()
        for url, named in pairs:
            if not url or url in seen:
                continue
            product = ctx.facts.products.get(url)
            status = ctx.facts.links.get(url)
            if product is None or product.availability not in ("on_sale", "unknown", "sold_out"):
                continue
            if status is not None and status.state != "ok":
                continue
            name = product_name(named or "")
            # the page's <title>, and its heading where the title is generic (jd-jerome: <title>详情页</title>)
            titles = [t for t in (product_name(product.title), product_name(product.heading)) if t]
            # a name has letters: a card's "Rs 2,645" or "2026" names no product
            if len(re.sub(r"\d", "", name)) < ctx.params.min_name_chars or not titles:
                continue
            seen.add(url)
            score = max(fuzz.partial_ratio(name, title) for title in titles)
            if score >= ctx.params.min_score:
                continue
            yield Hit(
                page,
                region,
                url,
                {"region_names": named, "landing_title": product.title, "score": round(score, 1)},
                fmt={"named": named, "landing": product.title},
            )
