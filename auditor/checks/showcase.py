"""Checks: gaps in the showcase grid (橱窗) left by empty cells, placeholders and delisted items."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urldefrag, urlsplit

from pydantic import Field

from auditor.engine import CheckContext, Hit, Params, check
from auditor.models import Page, Slot
from auditor.vocabulary import DELISTED_MARKERS, SKIPPED_SCHEMES, SOLD_OUT_MARKERS

# a card that says so itself (cozastore-variety index.html:1377 <strong>SOLD OUT</strong> in place of
# the price); "即将售罄" / "almost sold out" is a sales pitch, not a gap
_CARD_SAYS = [
    (re.compile("|".join(re.escape(m) for m in markers), re.I), reason)
    for markers, reason in ((SOLD_OUT_MARKERS, "sold_out"), (DELISTED_MARKERS, "delisted"))
]
_PITCH_BEFORE = re.compile(r"(即将|即|快要|快|将|仅剩|预计|不|永不|almost|nearly|selling|never)\s*$", re.I)
_PITCH_AFTER = re.compile(r"^\s*(soon|倒计时|即|前|后)", re.I)


# a folder that holds only stand-ins (Magento's .../images/product/placeholder/small_image.jpg)
_PLACEHOLDER_FOLDER = re.compile(r"^(placeholders?|no-?images?|no_images?|nopic)$", re.I)


def _placeholder(url: str, pattern: re.Pattern[str]) -> bool:
    """A stand-in picture: by its file name or query (img.php?src=nopic.gif), or a folder of stand-ins;
    not by any folder (a WordPress demo's /default/wp-content/ holds real pictures)."""
    parts = urlsplit(url)
    *folders, name = parts.path.split("/")
    stand_in_folder = any(_PLACEHOLDER_FOLDER.match(f) for f in folders)
    return bool(pattern.search(name) or pattern.search(parts.query) or stand_in_folder)


def _own_page(slot: Slot, page: Page) -> str | None:
    """The card's link when it leads to a page of its own: not "#", "javascript:;" or the page itself."""
    link_to = "" if SKIPPED_SCHEMES.match(slot.link or "") else urldefrag(slot.link or "")[0]
    return slot.link if link_to and link_to != urldefrag(page.url)[0] else None


def _card_says(text: str) -> str | None:
    for pattern, reason in _CARD_SAYS:
        for m in pattern.finditer(text):
            before, after = text[max(0, m.start() - 10) : m.start()], text[m.end() : m.end() + 10]
            if not _PITCH_BEFORE.search(before) and not _PITCH_AFTER.search(after):
                return reason
    return None


class SlotGapParams(Params):
    placeholder_pattern: str = Field(
        r"placeholder|default|blank|nopic|no-image|no_image|spacer|loading|grey\.",
        description="picture file names (or queries) that mean 'no picture' (folders: only placeholder/no-image/nopic)",
    )


@check("showcase-slot-gap", SlotGapParams, needs=("links", "images"))
def showcase_slot_gap(ctx: CheckContext) -> Iterator[Hit]:
    """A showcase slot that shows nothing an operator would want: an empty cell, a placeholder image
    (by URL pattern, a missing image, or an image that did not load), or a product that is delisted,
    not found or sold out (from the product page, the link's soft-404 verdict, or the card's own
    words: 已售罄 / 已下架 / SOLD OUT in place of the price)."""
    pattern = re.compile(ctx.params.placeholder_pattern, re.I)
    for page, region in ctx.regions():
        for slot in region.slots:
            base = {"slot": slot.index, "selector": slot.selector, "title": slot.title}
            if slot.link is None and slot.image is None and not slot.title:
                yield Hit(
                    page, region, None, {**base, "reason": "empty"}, discriminator=f"slot-{slot.index}", box=slot.box
                )
                continue
            product = ctx.facts.products.get(slot.link or "")
            link = ctx.facts.links.get(slot.link or "")
            if product and product.availability in ("delisted", "not_found", "sold_out"):
                yield Hit(page, region, slot.link, {**base, "reason": product.availability}, box=slot.box)
                continue
            # (a card whose link misspells its scheme, "javascipt:;", still shows its product: a dead link only)
            if link and link.state == "dead" and not link.reason.startswith("bad-scheme"):
                reason = "delisted" if link.reason.startswith("delisted") else "dead-link"
                yield Hit(page, region, slot.link, {**base, "reason": reason, "link_reason": link.reason}, box=slot.box)
                continue
            if said := _card_says(slot.text):
                # a card linking "#" or "javascript:;" has no page of its own
                target = _own_page(slot, page)
                yield Hit(
                    page,
                    region,
                    target,
                    {**base, "reason": said, "source": "card", "text": slot.text[:120]},
                    discriminator="" if target else f"slot-{slot.index}",
                    box=slot.box,
                )
                continue
            img = slot.image
            if (
                img is None
                and slot.index == len(region.slots) - 1
                and (not slot.link or SKIPPED_SCHEMES.match(slot.link))
            ):
                # the grid's last cell with no picture that leads nowhere is its control ("换一批",
                # "查看更多": tmall-clude index.html:1377-1383), not a product missing from it
                continue
            img_facts = ctx.facts.images.get(img.url or "") if img else None
            if (
                img is None
                or not img.url
                or _placeholder(img.url, pattern)
                or (img_facts and not img_facts.ok and not img_facts.unreachable and not img_facts.error)
            ):
                # a card linking "#" or the page itself names no product: its picture does (jd-janecj's
                # 秒杀 cards, five pictures missing behind five href="#")
                own = _own_page(slot, page)
                target = own or (img.url if img and img.url else None)
                yield Hit(
                    page,
                    region,
                    target,
                    {**base, "reason": "placeholder", "image": img.url if img else None},
                    # cards showing one stand-in picture are one gap each, not one gap
                    discriminator="" if own else f"slot-{slot.index}",
                    box=slot.box,
                )
