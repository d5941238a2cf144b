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
        # WooCommerce 8+ (woo-shopstic product.html:3347): the price only inside priceSpecification
        (
            [{"@type": "Offer", "priceSpecification": [{"@type": "UnitPriceSpecification", "price": "23.00"}]}],
            23,
            None,
        ),
        (  # a list price beside the selling one is the regular price, not a second selling price
            {
                "@type": "Offer",
                "priceSpecification": [
                    {"@type": "UnitPriceSpecification", "price": "24.00", "priceType": "https://schema.org/ListPrice"},
                    {"@type": "UnitPriceSpecification", "price": "23.00"},
                ],
            },
            23,
            None,
        ),
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


def test_the_regular_price_is_the_struck_one_beside_the_selling_price() -> None:
    """A page's first <del> may be another product's (woo-shopstic product.html: a menu item's ¥260
    before its own <del>$24</del> <ins>$23</ins>); a struck price equal to the selling one is kept."""
    ld = {"@type": "Product", "name": "Hoodie", "offers": {"@type": "Offer", "price": "23.00"}}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    page = (
        f"<html><head>{head}</head><body><ul class='menu'><li><del>¥260</del> ¥199</li></ul>"
        "<div class='summary'><p class='price'><del>$24.00</del> <ins>$23.00</ins></p></div></body></html>"
    )
    generic = resolve_profile("generic", {}, [])
    product = read_product(page, "http://shop.test/product.html", generic)
    assert product is not None and (product.price, product.regular_price) == (23, 24)
    same = page.replace("<del>$24.00</del>", "<del>$23.00</del>")
    assert read_product(same, "http://shop.test/product.html", generic).regular_price == 23  # type: ignore[union-attr]
    alone = page.replace("<del>$24.00</del> ", "")
    assert read_product(alone, "http://shop.test/product.html", generic).regular_price is None  # type: ignore[union-attr]
