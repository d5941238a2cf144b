"""Checks: carousels (KV 聚焦图) that stopped rotating."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext, Hit, Params, check


class CarouselParams(Params):
    min_slides: int = 2


@check("carousel-not-rotating", CarouselParams)
def carousel_not_rotating(ctx: CheckContext) -> Iterator[Hit]:
    """A carousel with two or more slides whose shown slide did not change while it was watched (a
    few of its intervals, in the page, during the rest of the crawl). Skips carousels with one slide
    and ones the crawler could not watch."""
    for page, region in ctx.regions():
        if region.kind not in ("kv", "carousel") or region.rotates is not False:
            continue
        if len(region.slides) < ctx.params.min_slides:
            continue
        yield Hit(
            page,
            region,
            None,
            {
                "selector": region.selector,
                "slides": len(region.slides),
                "observed_ms": region.observed_ms,
            },
            discriminator=region.selector,
            fmt={"seconds": round((region.observed_ms or 0) / 1000, 1)},
        )
