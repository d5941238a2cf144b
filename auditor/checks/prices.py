"""Checks: prices shown (in images, in text) against the product's actual price; discount categories."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.checks.targets import names_differ
from auditor.engine import CheckContext, Hit, Params, check
from auditor.models import Image, Page, ProductFacts, Region
from auditor.parse import parse_prices
from auditor.parse.prices import Price

SELLING_ROLES = ("promo", "current", "price")


class PriceParams(Params):
    tolerance: float = Field(0.01, ge=0, description="yuan of difference that still counts as the same price")


def _product(ctx: CheckContext, url: str | None) -> ProductFacts | None:
    p = ctx.facts.products.get(url or "")
    return p if p and p.price_trusted and p.availability in ("on_sale", "unknown") else None


def _money(low: float | None, high: float | None = None) -> str:
    return f"¥{low:g}-{high:g}" if high else f"¥{low:g}"


def _shown(prices: list[Price]) -> str:
    return "、".join(_money(p.value, p.high) for p in prices)


def _agrees(shown: list[Price], product: ProductFacts, tolerance: float) -> bool:
    """Whether any price shown (or range) meets the product's price (or its range of variants)."""
    assert product.price is not None
    return any(p.agrees_with(product.price, product.price_max, tolerance) for p in shown)


def _linked_images(region: Region, page: Page) -> Iterator[tuple[str, Image]]:
    """(product link, image) pairs where one image links to one place; on a product page, a promo
    picture that links nowhere (a detail banner) is about the page's own product."""
    if region.kind == "product.promo" and page.product is not None and not region.links:
        for img in region.images:
            yield page.url, img
    for slide in region.slides:
        if slide.link and slide.image:
            yield slide.link, slide.image
    for slot in region.slots:
        if slot.link and slot.image:
            yield slot.link, slot.image
    for link in region.links:
        if link.image and link.kind == "a":
            yield link.url, link.image


@check("image-price-mismatch", PriceParams, needs=("images", "ocr"))
def image_price_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    """A price read inside an image (OCR: 到手价¥149, 仅需¥89起) that is not the linked product's
    actual selling price. Only selling prices count (原价/划线价 are skipped); thresholds such as
    满300减50 and discounts such as 8折 are not prices. Skips images linking to several places
    (image maps), products not on sale, and images with no price in them."""
    for page, region in ctx.regions():
        seen: set[tuple[str, str]] = set()
        for link, img in _linked_images(region, page):
            if not img.url or (link, img.url) in seen:
                continue
            seen.add((link, img.url))
            product, ocr = _product(ctx, link), ctx.facts.ocr_for(img.url)
            if product is None or ocr is None:
                continue
            shown = [p for p in parse_prices(ocr.text) if p.role in SELLING_ROLES]
            if not shown or _agrees(shown, product, ctx.params.tolerance):
                continue
            yield Hit(
                page,
                region,
                img.url,
                {
                    "ocr_text": ocr.text,
                    "image_prices": [p.as_dict() for p in shown],
                    "actual_price": product.price,
                    "actual_price_max": product.price_max,
                    "product": link,
                    "product_title": product.title,
                },
                fmt={"shown": _shown(shown), "actual": _money(product.price, product.price_max)},
                box=img.box,
            )


@check("price-mismatch", PriceParams, needs=("links",))
def price_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    """A price in page text (a showcase card's price, a caption or link text) that differs from the
    linked product's actual selling price. Skips regular prices (原价), products not on sale, text
    with no price, and cards naming another product than the page they open (a template's every card
    linking one demo product page: fashe-yashbhojgarhia; that is link-target-mismatch's)."""
    for page, region in ctx.regions():
        pairs = [(s.link, s.price_text or s.text, s.title or s.text) for s in region.slots if s.link]
        pairs += [(link.url, link.text, link.text) for link in region.links if link.text]
        seen: set[str] = set()
        for url, text, _named in pairs:
            product = _product(ctx, url)
            if product is None or url in seen:
                continue
            # a page opened by a card of another product is no product's own (a template whose every
            # card opens one demo page, fashe-yashbhojgarhia): its price is compared with none of them
            if any(names_differ(n, product) for u, _, n in pairs if u == url):
                continue
            shown = [p for p in parse_prices(text) if p.role in SELLING_ROLES]
            if not shown:
                continue
            seen.add(url)
            if _agrees(shown, product, ctx.params.tolerance):
                continue
            yield Hit(
                page,
                region,
                url,
                {
                    "text": text[:200],
                    "shown_prices": [p.as_dict() for p in shown],
                    "actual_price": product.price,
                    "actual_price_max": product.price_max,
                    "product_title": product.title,
                },
                fmt={"shown": _shown(shown), "actual": _money(product.price, product.price_max)},
            )


class DiscountCategoryParams(Params):
    keywords: list[str] = Field(
        default_factory=lambda: [
            "清仓",
            "特价",
            "折扣",
            "特卖",
            "促销",
            "秒杀",
            "限时",
            "sale",
            "outlet",
            "clearance",
            "discount",
        ]
    )
    min_discount: float = Field(0.0, ge=0, lt=1, description="how far below the regular price counts as discounted")


def _is_discount_category(page: Page, keywords: list[str]) -> bool:
    """Named so by its title or URL; its text only when it has no title (the first words of a page are
    its header, whose hot words say 清仓 on every page of a shop: jd-jerome's search results list)."""
    head = f"{page.title} {page.url} {'' if page.title.strip() else page.text[:200]}".lower()
    return any(k.lower() in head for k in keywords)


@check("discount-category-mismatch", DiscountCategoryParams, needs=("links",))
def discount_category_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    """A product listed in a discount category (清仓 / 特价 / sale ..., by the category page's title or
    URL) whose price is no longer below its regular price: the category was not cleaned up after the
    price changed. Skips products whose page shows no price."""
    for page, region in ctx.regions():
        if page.kind != "category" and region.kind != "category":
            continue
        if not _is_discount_category(page, ctx.params.keywords):
            continue
        for slot in region.slots:
            product = _product(ctx, slot.link)
            if product is None:
                continue
            regular = product.regular_price
            if regular is not None and product.price < regular * (1 - ctx.params.min_discount) - 0.001:  # type: ignore[operator]
                continue
            yield Hit(
                page,
                region,
                slot.link,
                {
                    "category": page.url,
                    "category_title": page.title,
                    "price": product.price,
                    "regular_price": regular,
                    "slot": slot.index,
                    "title": product.title,
                },
                fmt={"title": product.title or slot.title, "price": f"¥{product.price:g}"},
            )
