"""Checks: after a campaign ends, its products back at their regular price."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from pydantic import Field

from auditor.engine import CheckContext, Hit, Params, check
from auditor.models import Page, PricePoint


class RestoredParams(Params):
    tolerance: float = Field(0.01, ge=0, description="yuan above the promo price that still counts as not restored")


def _history_promo(points: list[PricePoint], start: Any, end: Any) -> tuple[float, float] | None:
    """(lowest price seen during the campaign, last price seen before it), when both were observed."""
    during = [p.price for p in points if p.price is not None and start <= p.at <= end]
    before = [p for p in points if p.price is not None and p.at < start]
    if not during or not before:
        return None
    return min(during), before[-1].price  # type: ignore[return-value]


@check("price-not-restored", RestoredParams, needs=("links",))
def price_not_restored(ctx: CheckContext) -> Iterator[Hit]:
    """After a campaign's end, a campaign product still at (or below) its promo price. The promo and
    regular prices come from the campaign's `products` in config; without them, from earlier runs'
    observations: the lowest price seen during the campaign against the last one seen before it
    (a product whose price did not drop during the campaign is not a campaign product). Campaigns
    still running are skipped, and so are products whose page shows no price."""
    pages: dict[str, Page] = {p.url: p for p in ctx.snapshot.pages}
    home = ctx.snapshot.pages[0] if ctx.snapshot.pages else None
    for campaign in ctx.campaigns:
        if campaign.end >= ctx.now or home is None:
            continue
        items: list[tuple[str, float, float | None, str]] = []
        for item in campaign.products:
            items.append((urljoin(home.url, item.url), item.promo_price, item.regular_price, "config"))
        if not campaign.products:
            for url, points in ctx.facts.price_history.items():
                got = _history_promo(points, campaign.start, campaign.end)
                if got and got[0] < got[1]:
                    items.append((url, got[0], got[1], "history"))
        for url, promo, regular, source in items:
            product = ctx.facts.products.get(url)
            if product is None or not product.price_trusted:
                continue
            if product.price > promo + ctx.params.tolerance:
                continue
            page = pages.get(url, home)
            yield Hit(
                page,
                None,
                url,
                {
                    "campaign": campaign.name,
                    "campaign_end": campaign.end.isoformat(),
                    "promo_price": promo,
                    "regular_price": regular,
                    "actual_price": product.price,
                    "source": source,
                    "product_title": product.title,
                },
                fmt={"title": product.title or url, "actual": f"¥{product.price:g}", "promo": f"¥{promo:g}"},
            )
