"""Checks: promotions still on show after their window ended (text, alt text, images, landing pages)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from auditor.engine import CheckContext, Hit, Params, check
from auditor.models import Page, Region
from auditor.parse import find_campaigns, parse_windows
from auditor.parse.dates import ENDED, PROMO_CONTEXT, Window, countdown_over

Source = Literal["text", "alt", "ocr", "landing", "campaign", "countdown"]


class ExpiredParams(Params):
    grace_hours: float = Field(0, ge=0, description="hours after the end before it counts as expired")
    sources: list[Source] = Field(default_factory=lambda: ["text", "alt", "ocr", "landing", "campaign", "countdown"])
    campaign_only: bool = Field(False, description="only what carries a configured campaign's keywords or window")


def _about_campaign(text: str, window: Window | None, ctx: CheckContext) -> bool:
    if find_campaigns(text, ctx.now, ctx.campaigns):
        return True
    if window is None or window.end is None:
        return False
    return any((window.start or window.end) <= c.end and window.end >= c.start for c in ctx.campaigns)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _ago(end: datetime | None, now: datetime) -> str:
    if end is None:
        return ""
    hours = (now - end).total_seconds() / 3600
    return f"{hours / 24:.0f} 天" if hours >= 24 else f"{hours:.0f} 小时"


def expired_in(text: str, ctx: CheckContext) -> tuple[Window | None, str | None]:
    """The window that makes `text` expired, or a configured campaign that ended; None if any window
    in it is still active or upcoming (a text with a pre-sale and a main window is not expired)."""
    window, campaign = _expired_in(text, ctx)
    if window is not None and ctx.params.campaign_only and not _about_campaign(text, window, ctx):
        return None, None
    return window, campaign


def _expired_in(text: str, ctx: CheckContext) -> tuple[Window | None, str | None]:
    grace = timedelta(hours=ctx.params.grace_hours)
    windows = parse_windows(text, ctx.now, ctx.facts.first_seen)
    if windows:
        if any(w.state != "ended" for w in windows if w.kind != "ended"):
            return None, None
        dated = [w for w in windows if w.end is not None]
        last = max(dated, key=lambda w: w.end) if dated else windows[0]  # type: ignore[arg-type, return-value]
        if last.end is None or last.end + grace < ctx.now:
            return last, None
        return None, None
    if "campaign" in ctx.params.sources:
        for c in find_campaigns(text, ctx.now, ctx.campaigns):
            if c.end + grace < ctx.now:
                return Window(c.start, c.end, "ended", c.keyword, "range"), c.name
    return None, None


def _texts(region: Region) -> Iterator[tuple[str, str]]:
    """(source, text) pairs a person reads in the region."""
    for t in region.texts:
        yield "text", t.text
    seen = {t.text for t in region.texts}
    # a showcase card's own words (xiaomi-liyanlon's TV cards: "小米电视4A 49英寸 8月21~31日专享 2599元"),
    # before its links: a link's words inside a card's are read once, with the card's
    for slot in region.slots:
        if slot.text and slot.text not in seen:
            seen.add(slot.text)
            yield "text", slot.text
    for link in region.links:
        if link.text and link.text not in seen and not any(link.text in s for s in seen):
            seen.add(link.text)
            yield "text", link.text
    for img in [*region.images, *(s.image for s in region.slides if s.image)]:
        if img.alt and img.alt not in seen:
            seen.add(img.alt)
            yield "alt", img.alt


# regions whose pictures are products' own photos: a date on one is a sale's only beside a sign of a sale
PRODUCT_PICTURES = ("showcase", "category", "product.related")


@check("expired-promotion", ExpiredParams, needs=("links", "images", "ocr"))
def expired_promotion(ctx: CheckContext) -> Iterator[Hit]:
    """Content that advertises a window that has ended: a date range, deadline or "已结束" in page
    text, alt text or inside an image (OCR); a configured campaign (by keyword) past its end; a link
    whose landing page says the activity has ended. Upcoming and active windows are never findings,
    nor a text that holds an ended pre-sale next to an active main window. Dates without a year take
    the year nearest the audit clock; campaigns get only their configured dates, never invented ones.
    Relative promises (今晚24点, 限时3天) count from the day the store first showed them. A countdown
    read twice in the browser that stays at zero or counts up is over, wherever it stands on the page.
    A date read in a product's own photo (a showcase cell) counts only beside a sign of a sale (a
    promotion word, a festival, a price or coupon, a "时间：" label): a race poster's date is the product."""
    sources = set(ctx.params.sources)
    for page, region in ctx.regions():
        for source, text in _texts(region):
            if source not in sources:
                continue
            window, campaign = expired_in(text, ctx)
            if window and window.kind == "countdown" and region.countdowns:
                continue  # the countdown was read twice in the browser: judged below on both reads
            if window:
                yield _hit(page, region, None, source, text, window, campaign, ctx, _key(text))
        if "ocr" in sources:
            for img in [*region.images, *(s.image for s in region.slides if s.image)]:
                ocr = ctx.facts.ocr_for(img.url)
                if ocr is None or not ocr.text:
                    continue
                window, campaign = expired_in(ocr.text, ctx)
                if window and region.kind in PRODUCT_PICTURES and not campaign and not PROMO_CONTEXT.search(ocr.text):
                    continue  # a date on a product's own picture (a poster, a ticket) with nothing of a sale by it
                if window:
                    yield _hit(
                        page,
                        region,
                        img.url,
                        "ocr",
                        ocr.text,
                        window,
                        campaign,
                        ctx,
                        extra={"ocr_lines": [line.model_dump() for line in ocr.lines]},
                        box=img.box,
                    )
        if "landing" in sources:
            for link in region.links:
                status = ctx.facts.links.get(link.url)
                if status is None or status.state != "ok" or not status.text:
                    continue
                m = ENDED.search(f"{status.title} {status.text[:600]}")
                if (
                    m
                    and ctx.params.campaign_only
                    and not _about_campaign(f"{link.text} {status.title} {status.text[:600]}", None, ctx)
                ):
                    continue
                if m:
                    yield _hit(
                        page,
                        region,
                        link.url,
                        "landing",
                        m.group(0),
                        Window(None, None, "ended", m.group(0), "ended"),
                        None,
                        ctx,
                        extra={"landing_title": status.title, "link_text": link.text},
                        box=link.box,
                    )
    if "countdown" in sources:
        for page, region in _countdown_regions(ctx):
            for cd in region.countdowns:
                why = countdown_over(cd.first, cd.second, cd.elapsed_ms)
                if why is None:
                    continue
                zh = ctx.locale != "en"
                seen = f"{cd.first} → {cd.second}" if cd.first != cd.second else cd.first
                how = {
                    "zero": ("停在零", "stays at zero"),
                    "negative": ("显示负数", "shows time below zero"),
                    "nan": ("显示 NaN，截止时间读不出", "shows NaN: its end date cannot be read"),
                }.get(why, ("在往上走", "counts up"))
                when = f"（倒计时{how[0]}：{seen}）" if zh else f"(the countdown {how[1]}: {seen})"
                yield Hit(
                    page,
                    region,
                    None,
                    {
                        "source": "countdown",
                        "text": cd.first,
                        "reads": [cd.first, cd.second],
                        "elapsed_ms": cd.elapsed_ms,
                        "reason": why,
                        "window": Window(None, None, "ended", cd.first, "countdown").as_dict(),
                    },
                    discriminator=f"countdown:{cd.selector}",
                    fmt={"when": when, "snippet": cd.first[:60]},
                    box=cd.box,
                )


def _countdown_regions(ctx: CheckContext) -> Iterator[tuple[Page, Region]]:
    """Every region holding a countdown, whatever the rule's regions: a countdown says outright that its
    sale ends, wherever it stands (a 秒杀 block outside any banner, a deal card's timer in a category
    page's grid: shopify-pullman's collections)."""
    for page in ctx.snapshot.pages:
        for region in page.regions:
            if region.countdowns:
                yield page, region


def _hit(
    page: Page,
    region: Region,
    target: str | None,
    source: str,
    text: str,
    window: Window,
    campaign: str | None,
    ctx: CheckContext,
    discriminator: str = "",
    extra: dict[str, object] | None = None,
    box: tuple[float, float, float, float] | None = None,
) -> Hit:
    now, zh = ctx.now, ctx.locale != "en"
    if window.end:
        stamp = window.end.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M")
        when = f"已于 {stamp} 结束（{_ago(window.end, now)}前）" if zh else f"ended {stamp}"
    else:
        when = "（页面写明已结束）" if zh else "(the page says it has ended)"
    return Hit(
        page,
        region,
        target,
        {
            "source": source,
            "text": text[:300],
            "window": window.as_dict(),
            "campaign": campaign,
            "ended_ago": _ago(window.end, now),
            **(extra or {}),
        },
        discriminator=discriminator,
        fmt={"when": when, "snippet": window.text or text[:60]},
        box=box,
    )
