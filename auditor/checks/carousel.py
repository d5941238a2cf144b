"""Checks: carousels (KV 聚焦图) that stopped rotating, or cannot rotate."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext, Hit, Params, check


class CarouselParams(Params):
    min_slides: int = 2
    expect_autoplay: bool = False  # also report carousels declared without autoplay (data-autoplay=false)


@check("carousel-not-rotating", CarouselParams)
def carousel_not_rotating(ctx: CheckContext) -> Iterator[Hit]:
    """A carousel whose shown slide does not change: never moved while watched (`never-moved`), or
    moved and then stopped for longer than two and a half of its own intervals (`stopped`, e.g. a
    slider whose script throws after its first move); and a home page's KV with dots for several
    slides but a single slide (`single-slide`: it cannot rotate). A carousel is only what the crawler
    saw evidence for (dots, arrows, a slider library's structure, or slides changing). Skips carousels
    the crawler could not watch, and ones browsed by hand (`autoplay_off`: declared without autoplay,
    `data-autoplay="false"`, a Bootstrap carousel without `data-ride`; a gallery led by thumbnails of
    its pictures off the home page; one beside the KV that never moved and declares nothing of
    playing) unless the rule sets `expect_autoplay: true`; and one whose slides all show the same
    picture (it may rotate unseen: its picture is what to fix)."""
    for page, region in ctx.regions():
        if region.kind not in ("kv", "carousel"):
            continue
        base = {
            "selector": region.selector,
            "slides": len(region.slides),
            "observed_ms": region.observed_ms,
            "moves": region.moves,
            "interval_ms": region.interval_ms,
            "signals": region.signals,
        }
        fmt = {"seconds": round((region.observed_ms or 0) / 1000, 1)}
        # browsed by hand (declared so, led by thumbnails, or beside the KV saying nothing of playing):
        # not meant to rotate, one slide or many (xiaomi-ljjmi's 猜你喜欢 pager: two dots, one strip)
        if region.autoplay_off and not ctx.params.expect_autoplay:
            continue
        # (three slides of the same content behind three dots are slides, not one: xiaomi-ljjmi's 内容 cards;
        # off the home page "dots" beside one picture are a product's colour swatches: its fenlei.html)
        if (
            len(region.slides) == 1
            and region.slide_boxes <= 1
            and region.dots >= 2
            and not region.rotates
            and page.kind == "home"
        ):
            yield Hit(page, region, None, {**base, "reason": "single-slide", "dots": region.dots},
                      discriminator=region.selector, fmt=fmt)  # fmt: skip
            continue
        if region.rotates is not False or len(region.slides) < ctx.params.min_slides:
            continue
        pictures = {s.image.url for s in region.slides if s.image}
        if not region.moves and len(pictures) == 1 and all(s.image for s in region.slides):
            continue  # every slide shows one picture: a rotation could not be seen (xiaomi-eugeneyichen's KV)
        reason = "stopped" if region.moves else "never-moved"
        yield Hit(page, region, None, {**base, "reason": reason}, discriminator=region.selector, fmt=fmt)
