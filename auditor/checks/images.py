"""Checks: images that do not load, and images shown out of shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from pydantic import Field

from auditor.engine import CheckContext, Hit, Params, check
from auditor.models import Image, ImageFacts, Page, Region


def _images(ctx: CheckContext) -> Iterator[tuple[Page, Region, Image]]:
    """Each picture of each region once; of its copies, one that shows (a header holds a fly-out's
    pictures hidden, and the copy a hover showed beside them: xiaomi-lpmaster's menu)."""
    for page, region, copies in _copies(ctx):
        yield page, region, next((img for img in copies if img.visible), copies[0])


@check("broken-image", needs=("images",))
def broken_image(ctx: CheckContext) -> Iterator[Hit]:
    """An image that does not load or does not decode: an HTTP error (404), zero bytes, bytes that
    are not an image (an HTML error page behind a .jpg URL), a file cut short (`truncated`), one too
    big to decode (`too-large`, a decompression bomb) or in a format browsers do not show
    (`unsupported-format`). An image on a host that did not answer is unknown, not broken.
    The target is the URL the browser
    actually used (currentSrc, or the lazy attribute it will load)."""
    for page, region, img in _images(ctx):
        facts = ctx.facts.images.get(img.url or "")
        if facts is not None and not facts.ok and not facts.unreachable and not facts.error:
            yield Hit(
                page,
                region,
                img.url,
                {
                    "reason": facts.reason,
                    "status": facts.status,
                    "content_type": facts.content_type,
                    "size_bytes": facts.size_bytes,
                    "alt": img.alt,
                    "selector": img.selector,
                },
                box=img.box,
            )


class DistortedParams(Params):
    tolerance: float = Field(0.05, gt=0, lt=1)
    min_size: int = Field(24, ge=1)


def _drawn_is_probed(img: Image, width: int, height: int) -> bool:
    """The picture the page holds is the one probed (same shape), not a stand-in still in its place."""
    if not (img.natural_width and img.natural_height and width and height):
        return False
    return abs(img.natural_width / img.natural_height - width / height) <= 0.01 * (width / height)


def _drawn_size(img: Image) -> tuple[float, float]:
    """The size the picture is drawn at: an <img>'s content box; a CSS background's background-size
    when it sets both sides (auto on a side, cover and contain keep the shape: nothing to measure)."""
    if img.kind == "img":
        return img.rendered_width, img.rendered_height
    if img.kind == "background" and img.object_fit == "fill":
        return img.drawn_width, img.drawn_height
    return 0, 0


def _copies(ctx: CheckContext) -> Iterator[tuple[Page, Region, list[Image]]]:
    """Each picture of each region with all its copies there (one picture drawn at several sizes)."""
    for page, region in ctx.regions():
        copies: dict[str, list[Image]] = {}
        for img in [
            *region.images,
            *(s.image for s in region.slides if s.image),
            *(s.image for s in region.slots if s.image),
        ]:
            if img.url:
                copies.setdefault(img.url, []).append(img)
        for found in copies.values():
            yield page, region, found


class _Measured(NamedTuple):
    off: float  # how far the drawn ratio is from the natural one, as a share of the natural
    img: Image
    natural: float
    rendered: float
    width: float
    height: float
    facts: ImageFacts  # what the probe read (the natural size)


def _measure(ctx: CheckContext, region: Region, img: Image) -> _Measured | None:
    """How far out of shape one copy is drawn, or None when it is not measured (hidden, tiny, a
    spacer, not loaded)."""
    facts = ctx.facts.images.get(img.url or "")
    if facts is None or not facts.ok or not (img.visible or region.kind in ("kv", "carousel")):
        return None
    if not img.visible and not _drawn_is_probed(img, facts.width, facts.height):
        return None  # a hidden slide still showing a lazy loader's stand-in: its box is the stand-in's
    width, height = _drawn_size(img)
    if min(width, height) < ctx.params.min_size:
        return None
    if min(facts.width, facts.height) < ctx.params.min_size / 2:
        # a strip of a few pixels stretched over a box is a fill (a gradient, a rule), a 1x1 picture a
        # spacer or a lazy loader's stand-in (jd-saved-xslx's KV: blank.png at 590x470), not a picture
        return None
    natural = facts.width / facts.height if facts.height else 0
    rendered = width / height if height else 0
    if not natural or not rendered:
        return None
    return _Measured(abs(rendered - natural) / natural, img, natural, rendered, width, height, facts)


@check("distorted-image", DistortedParams, needs=("images",))
def distorted_image(ctx: CheckContext) -> Iterator[Hit]:
    """An image whose rendered aspect ratio differs from its natural one beyond `tolerance` (default
    5%): squashed or stretched. The rendered size is the content box (padding and border excluded),
    and `object-fit` is honoured: `cover`, `contain`, `scale-down` and `none` keep the picture's shape
    by design, only `fill` (the default) distorts. A CSS background is measured when `background-size`
    sets both of its sides (`30px 30px`, `100% 100%`) and it is not a tiled pattern. A picture a few
    pixels thin (a 1x1 spacer, a gradient strip) is a fill, not measured. Skips hidden images, tiny
    ones (icons, under `min_size` px) and images that did not load (those are broken-image); a
    carousel's slide that is not the one shown at the moment is laid out all the same (faded out, not
    removed) and is checked, so the verdict does not depend on which slide was up when the page was read."""
    tol = ctx.params.tolerance
    for page, region, copies in _copies(ctx):
        # of one picture's copies in a region, the one drawn furthest out of shape (jd-skylar: item2.jpg
        # square in five panels, 140x120 in the 品牌头条 box)
        # (cover / contain / scale-down / none keep the picture's shape by design: only fill stretches it)
        fills = [img for img in copies if img.object_fit in ("fill", "", "normal")]
        measured = [m for m in (_measure(ctx, region, img) for img in fills) if m is not None]
        if not measured:
            continue
        off, img, natural, rendered, width, height, facts = max(measured, key=lambda m: m.off)
        fit = img.object_fit
        # (beyond the tolerance by more than float noise: 800x360 in 350x150 is 5% off exactly, and
        # abs(r - n) / n computes as 0.05000000000000006: suning-xiaohuihui's 猜你喜欢 picture)
        if off > tol + 1e-9:
            how = "squashed" if rendered < natural else "stretched"
            yield Hit(
                page,
                region,
                img.url,
                {
                    "natural": [facts.width, facts.height],
                    "rendered": [round(width), round(height)],
                    "ratio_natural": round(natural, 3),
                    "ratio_rendered": round(rendered, 3),
                    "off_by": round(off, 3),
                    "how": how,
                    "object_fit": fit,
                    **({"background_size": [round(width), round(height)]} if img.kind == "background" else {}),
                    "selector": img.selector,
                },
                fmt={"off_pct": round(off * 100)},
                box=img.box,
            )
