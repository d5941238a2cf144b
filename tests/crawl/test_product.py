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
        ([{"@type": "Offer", "price": 149}, {"@type": "Offer", "price": 99}, {"@type": "Offer", "price": 129}], 99, 149),
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
