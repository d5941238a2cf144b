"""Crawl stage: the page photographed once (its first screens), cropped per region for the report."""

from __future__ import annotations

import asyncio
import hashlib
import io
from pathlib import Path

from PIL import Image as PILImage
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PWPage

from auditor.models import Page

MAX_SHOT_HEIGHT = 12000
MAX_CROP_SIDE = 1600


async def take_screenshots(pw_page: PWPage, page: Page, shots_dir: Path) -> None:
    """Region crops for the report; a page that cannot be photographed is still audited."""
    shots_dir.mkdir(parents=True, exist_ok=True)
    try:
        height = await pw_page.evaluate("() => document.documentElement.scrollHeight")
        width = await pw_page.evaluate("() => document.documentElement.clientWidth")
        clip = {"x": 0, "y": 0, "width": max(1, width), "height": max(1, min(height, MAX_SHOT_HEIGHT))}
        png = await pw_page.screenshot(full_page=True, clip=clip, timeout=15000)
    except PlaywrightError as exc:
        page.notes.append(f"screenshot failed: {str(exc).splitlines()[0][:200]}")
        return
    key = hashlib.sha1(f"{page.viewport}|{page.url}".encode()).hexdigest()[:12]
    try:
        await asyncio.get_running_loop().run_in_executor(None, _crop_regions, png, page, shots_dir, key)
    except (OSError, ValueError) as exc:
        page.notes.append(f"screenshot crop failed: {exc}")


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
