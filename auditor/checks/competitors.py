"""Checks: competitors selling our paired products cheaper (seed item 12), and our products gone off
sale since they were last seen on sale (seed item 15)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext, Hit, Params, check
from auditor.models import Page, Region

UNAVAILABLE = ("delisted", "sold_out", "not_found")
AFTER_ZH = {"delisted": "已下架", "sold_out": "已售罄/缺货", "not_found": "页面找不到（404）"}
AFTER_EN = {"delisted": "delisted", "sold_out": "sold out", "not_found": "not found (404)"}


def _our_page(ctx: CheckContext, url: str) -> Page | None:
    for page in ctx.snapshot.pages:
        if page.viewport == "desktop" and url in (page.url, page.final_url):
            return page
    return None


def _price_region(page: Page) -> Region:
    return next((r for r in page.regions if r.kind == "product.price"), Region(kind="product.price"))


@check("competitor-low-price", Params, needs=("links",))
def competitor_low_price(ctx: CheckContext) -> Iterator[Hit]:
    """A competitor's paired product priced below ours × (1 − threshold): reason `lower`; or its price
    fell by at least `drop_alert` against its own median of the 14 days before: reason `sudden-drop`
    (severity high). Both prices come from this run's reads (ours from our product page, trusted
    prices only); a pair whose rival price could not be read is a run error, never a finding."""
    for rival in ctx.facts.rivals:
        if rival.price is None:
            continue
        ours = ctx.facts.products.get(rival.ours)
        # a sudden drop is the rival's own fact: judged even when our page was not read this run
        page = _our_page(ctx, rival.ours) or Page(url=rival.ours, kind="product")
        region = _price_region(page)
        zh = ctx.locale != "en"
        base = {
            "competitor": rival.competitor,
            "their_price": rival.price,
            "their_read_at": rival.read_at.isoformat() if rival.read_at else None,
            "our_price": ours.price if ours else None,
            "our_read_at": ctx.now.isoformat(),
        }
        our_price = ours.price if ours is not None and ours.price_trusted else None
        if our_price is not None and rival.price < our_price * (1 - rival.threshold):
            gap = our_price - rival.price
            share = gap / our_price
            yield Hit(
                page,
                region,
                rival.url,
                {**base, "reason": "lower", "gap": round(gap, 2), "gap_share": round(share, 4)},
                discriminator=f"lower:{rival.url}",
                fmt={
                    "competitor": rival.competitor,
                    "what": (
                        f"售价 ¥{rival.price:g}，比我们的 ¥{our_price:g} 低 ¥{gap:g}（{share:.0%}）"
                        if zh
                        else f"sells at {rival.price:g}, {gap:g} ({share:.0%}) below our {our_price:g}"
                    ),
                },
            )
        if rival.median_14d and rival.price <= rival.median_14d * (1 - rival.drop_alert):
            fall = (rival.median_14d - rival.price) / rival.median_14d
            yield Hit(
                page,
                region,
                rival.url,
                {
                    **base,
                    "reason": "sudden-drop",
                    "median_14d": rival.median_14d,
                    "gap": round(rival.median_14d - rival.price, 2),
                    "fall_share": round(fall, 4),
                },
                discriminator=f"drop:{rival.url}",
                fmt={
                    "competitor": rival.competitor,
                    "what": (
                        f"突然降价到 ¥{rival.price:g}（14 天中位数 ¥{rival.median_14d:g}，降 {fall:.0%}）"
                        if zh
                        else f"dropped to {rival.price:g} ({fall:.0%} below its 14-day median {rival.median_14d:g})"
                    ),
                },
                severity="high",
            )


@check("product-unavailable", Params, needs=("links",))
def product_unavailable(ctx: CheckContext) -> Iterator[Hit]:
    """One of our products that was on sale in an earlier run and is now delisted, sold out or not
    found (its page answers 404/410). The finding stays open while the product stays off sale (so it
    is new, and listed for customer service, once) and becomes fixed when it is back on sale. A
    product never seen on sale is not judged: nothing says it went off sale."""
    for page in ctx.snapshot.pages:
        if page.viewport != "desktop":
            continue
        url = page.url
        before = ctx.facts.last_on_sale.get(url) or ctx.facts.last_on_sale.get(page.final_url or "")
        if before is None:
            continue
        if page.product is not None:
            now_state = page.product.availability
        elif page.status in (404, 410):
            now_state = "not_found"
        else:
            continue
        if now_state not in UNAVAILABLE:
            continue
        title = page.product.name if page.product is not None else ""
        yield Hit(
            page,
            _price_region(page),
            url,
            {
                "before": "on_sale",
                "before_at": before.isoformat(),
                "after": now_state,
                "title": title,
                "status": page.status,
            },
            fmt={"title": title or url, "after": (AFTER_ZH if ctx.locale != "en" else AFTER_EN)[now_state]},
        )
