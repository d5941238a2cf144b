"""Crawl stage: the page photographed once (its first screens), cropped per region for the report."""

from __future__ import annotations

import asyncio
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PWPage

from auditor.i18n import t
from auditor.models import Page

MAX_SHOT_HEIGHT = 12000
MAX_CROP_SIDE = 1600
EARLY_PHOTO_S = 3.0  # an early photo that takes longer is left to the end of the page's read


# the page's laid-out size, and the width of its screen
LAYOUT_JS = "() => { const d = document.documentElement; return [d.scrollWidth, d.scrollHeight, d.clientWidth]; }"
# pictures asked for and still on their way: a photo taken now would show them blank
PENDING_JS = "() => [...document.images].some(i => (i.currentSrc || i.src) && !i.complete)"


@dataclass(frozen=True)
class Photo:
    """The page photographed, and the size of its layout then (a photo of another layout is retaken)."""

    png: bytes
    layout: tuple[int, int]


async def photograph(pw_page: PWPage, page: Page | None, locale: str = "zh-CN") -> Photo | None:
    """The page's first screens (up to MAX_SHOT_HEIGHT); None (and a note) when it cannot be taken."""
    try:
        width, height, view = await pw_page.evaluate(LAYOUT_JS)
        clip = {"x": 0, "y": 0, "width": max(1, view), "height": max(1, min(height, MAX_SHOT_HEIGHT))}
        # one pixel of the screen first: measured on the fixture store while other tabs load, the first
        # capture beyond the screen of a freshly scrolled page took 0.9-2.5 s, and 0.1-0.3 s after this
        await pw_page.screenshot(clip={"x": 0, "y": 0, "width": 1, "height": 1}, timeout=15000)
        png = await pw_page.screenshot(full_page=True, clip=clip, timeout=15000)
    except PlaywrightError as exc:
        if page is not None:
            page.notes.append(t("err_shot_failed", locale, detail=str(exc).splitlines()[0][:200]))
        return None
    return Photo(png, (width, height))


async def photograph_if_settled(pw_page: PWPage) -> Photo | None:
    """A photo taken early (while the page would otherwise wait on its carousels), only when no
    picture is still arriving and within EARLY_PHOTO_S (the page's read comes first); None leaves it
    to `take_screenshots` once the page has been read."""
    try:
        async with asyncio.timeout(EARLY_PHOTO_S):
            if await pw_page.evaluate(PENDING_JS):
                return None
            return await photograph(pw_page, None)
    except (PlaywrightError, TimeoutError):
        return None


async def layout_of(pw_page: PWPage) -> tuple[int, int]:
    width, height, _ = await pw_page.evaluate(LAYOUT_JS)
    return width, height


async def take_screenshots(
    pw_page: PWPage, page: Page, shots_dir: Path, photo: Photo | None = None, locale: str = "zh-CN"
) -> None:
    """Region crops for the report, cut from `photo` when the page is still laid out as it was then
    (else from a new one); a page that cannot be photographed is still audited."""
    shots_dir.mkdir(parents=True, exist_ok=True)
    try:
        moved = photo is None or photo.layout != await layout_of(pw_page)
    except PlaywrightError:
        moved = True  # the photo is retaken, and if that fails too it says so in the page's notes
    if moved:
        photo = await photograph(pw_page, page, locale)
        if photo is None:
            return
    assert photo is not None
    png = photo.png
    key = hashlib.sha1(f"{page.viewport}|{page.url}".encode()).hexdigest()[:12]
    try:
        await asyncio.get_running_loop().run_in_executor(None, _crop_regions, png, page, shots_dir, key)
    except (OSError, ValueError) as exc:
        page.notes.append(t("err_crop_failed", locale, detail=exc))


def _crop_regions(png: bytes, page: Page, shots_dir: Path, key: str) -> None:
    full = PILImage.open(io.BytesIO(png))
    for i, region in enumerate(page.regions):
        if not region.box or region.box[2] < 2 or region.box[3] < 2 or not region.visible:
            continue
        x, y, w, h = region.box
        box = (
            max(0, int(x)),
            max(0, int(y)),
            min(full.width, int(x + w)),
            min(full.height, int(y + h), MAX_SHOT_HEIGHT),
        )
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        path = shots_dir / f"{key}-{i}-{region.kind.replace('.', '_')}.png"
        crop = full.crop(box)
        if crop.width > MAX_CROP_SIDE or crop.height > MAX_CROP_SIDE:  # a long grid: keep it light
            crop.thumbnail((MAX_CROP_SIDE, MAX_CROP_SIDE))
        crop.save(path, compress_level=1)
        region.screenshot = str(path)
