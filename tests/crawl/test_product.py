"""Product facts from structured data: a product sold at several prices keeps its range."""

from __future__ import annotations

import json

import pytest

from auditor.crawl.product import read_product
from auditor.crawl.profiles import resolve_profile


def _page(offers: object) -> str:
    ld = {"@context": "https://schema.org", "@type": "Product", "name": "棉麻抱枕", "offers": offers}
    return f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body></body></html>'


@pytest.mark.parametrize(
    ("offers", "price", "price_max"),
    [
        ({"@type": "AggregateOffer", "lowPrice": "99.00", "highPrice": "199.00", "priceCurrency": "CNY"}, 99, 199),
        ([{"@type": "Offer", "price": p} for p in (149, 99, 129)], 99, 149),
        ({"@type": "Offer", "price": "69.00"}, 69, None),
        ({"@type": "AggregateOffer", "lowPrice": 59, "highPrice": 59}, 59, None),  # one price, not a range
    ],
)
def test_offers_give_the_lowest_price_and_the_high_end_of_a_range(
    offers: object, price: float, price_max: float | None
) -> None:
    product = read_product(_page(offers), "http://shop.test/p/1", resolve_profile("generic", {}, []))
    assert product is not None and product.source == "json-ld"
    assert (product.price, product.price_max) == (price, price_max)


def test_a_price_element_holding_a_range_keeps_it_with_a_profile() -> None:
    html = (
        '<html><head><title>抱枕</title></head><body><h1>北欧棉麻抱枕</h1><div class="tb-property-cont">'
        '<em class="tb-rmb">¥</em><em class="tb-rmb-num">99.00-199.00</em></div></body></html>'
    )
    product = read_product(html, "http://shop.test/item.htm?id=1", resolve_profile("tmall", {}, []))
    assert product is not None and product.source == "selectors"
    assert (product.price, product.price_max) == (99, 199)
    micro = (
        '<html><body><div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">抱枕</h1>'
        '<span itemprop="price">99.00-199.00</span></div></body></html>'
    )
    product = read_product(micro, "http://shop.test/p/2", resolve_profile("generic", {}, []))
    assert product is not None and (product.price, product.price_max) == (99, 199)
