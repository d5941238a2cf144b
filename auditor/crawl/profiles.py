"""Crawl stage: profiles say how a store's pages are read (selectors, product URLs, soft-404 markers)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.errors import ConfigError
from auditor.vocabulary import CHALLENGE_MARKERS, ENDED_MARKERS, SOFT_404_MARKERS  # noqa: F401

REGION_SELECTOR_KEYS = ("nav", "kv", "carousel", "banner", "showcase", "announcement", "footer")
OTHER_SELECTOR_KEYS = ("price", "regular_price", "title", "availability")


@dataclass(frozen=True)
class Profile:
    name: str
    selectors: dict[str, str] = field(default_factory=dict)
    # product pages as real shops and their clones name them: /products/x, /product-details.html,
    # /item/1, item.htm, /detail.html, shop-details.html, jd_detail.html, /goods/1, goodsDetail.html,
    # single-product.html, /dp/ASIN, /p/123 (not product-list.html, products.html, blog-details.html,
    # order-details.html, news_detail.html: a detail page of something else)
    product_url: str = (
        r"/products?/|/product[-_.](?!list|categor|search|grid|compare)(?:[\w-]*\.html?|html?)"
        r"|/products[-_](?!list|categor|search|grid|compare)[\w-]*\.html?|/item[s]?[/.]|/detail"
        r"|(?:shop|product|goods|item|jd|sp|[Cc]ommodity)[_-]?[Dd]etails?[._-]"
        r"|/goods(?:[-_]?(?:[Dd]etail|[Dd]esc|[Ii]nfo))?[/.]|item\.htm|/single-product|/dp/|/p/\d"
    )
    category_url: str = r"/category|/categories|/collections?/|/list|/search|/shop/"
    soft_404_markers: tuple[str, ...] = tuple(SOFT_404_MARKERS)

    def is_product(self, url: str) -> bool:
        return re.search(self.product_url, url) is not None

    def is_category(self, url: str) -> bool:
        return re.search(self.category_url, url) is not None and not self.is_product(url)


BUILTIN: dict[str, Profile] = {
    "generic": Profile("generic", selectors={"regular_price": "del, s, [itemprop=highPrice]"}),
    # Tmall / Taobao shop decoration: known module classes; the generic structure finder still runs
    # for anything these miss.
    "tmall": Profile(
        "tmall",
        selectors={
            "price": ".tm-price, .tb-rmb-num, [class*=Price--priceText], .tm-promo-price .tm-price",
            "regular_price": ".tm-price-panel del, .tb-price del",
            "title": ".tb-detail-hd h1, [class*=ItemHeader--mainTitle], h1",
        },
        product_url=r"detail\.tmall\.com/item\.htm|item\.taobao\.com/item\.htm|/item\.htm",
        category_url=r"/category|/search\.htm|/list",
        soft_404_markers=(*SOFT_404_MARKERS, "很抱歉，您查看的宝贝不存在", "此宝贝已下架"),
    ),
    "shopify": Profile(
        "shopify",
        selectors={
            "nav": "header nav, .header__inline-menu, [role=navigation]",
            "footer": "footer, .footer",
            "price": ".price-item--sale, .price__sale .price-item, .product__price, [data-product-price]",
            "regular_price": ".price-item--regular, s.price-item, .compare-at-price",
            "title": ".product__title h1, h1.product-single__title, h1",
            "announcement": ".announcement-bar, #shopify-section-announcement-bar",
        },
        product_url=r"/products/",
        category_url=r"/collections/",
        soft_404_markers=(*SOFT_404_MARKERS, "sold out", "this product is unavailable"),
    ),
}


def resolve_profile(name: str, overrides: dict[str, str], markers: list[str]) -> Profile:
    """The built-in profile `name` with the store's selector overrides from config."""
    base = BUILTIN.get(name)
    if base is None:
        raise ConfigError(f"unknown profile {name!r}; built-in profiles: {', '.join(BUILTIN)}")
    unknown = set(overrides) - set(REGION_SELECTOR_KEYS) - set(OTHER_SELECTOR_KEYS)
    if unknown:
        keys = ", ".join(REGION_SELECTOR_KEYS + OTHER_SELECTOR_KEYS)
        raise ConfigError(f"stores.selectors: unknown selector key(s) {', '.join(sorted(unknown))}; known: {keys}")
    return Profile(
        name=base.name,
        selectors={**base.selectors, **overrides},
        product_url=base.product_url,
        category_url=base.category_url,
        soft_404_markers=tuple(dict.fromkeys([*base.soft_404_markers, *markers])),
    )


def find_marker(text: str, markers: tuple[str, ...] | list[str]) -> str | None:
    low = text.lower()
    return next((m for m in markers if m.lower() in low), None)
