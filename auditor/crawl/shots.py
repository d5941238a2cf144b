"""Crawl stage: the page photographed once (its first screens) and the photo kept; the report stage
cuts each finding's picture from it (auditor/screenshots.py): nothing is cut for what has no finding."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PWPage

from auditor.i18n import t
from auditor.models import Page

MAX_SHOT_HEIGHT = 12000
# a JPEG, not a PNG: Chromium encodes it in a fraction of the time (its browser process was the crawl's
# biggest user of CPU), and it is decoded faster when a finding's picture is cut from it
PHOTO_QUALITY = 85
EARLY_PHOTO_S = 3.0  # an early photo that takes longer is not waited for: it is taken at the end of the read


# the page's laid-out size, and the width of its screen
LAYOUT_JS = "() => { const d = document.documentElement; return [d.scrollWidth, d.scrollHeight, d.clientWidth]; }"
# pictures asked for and still on their way: a photo taken now would show them blank
PENDING_JS = "() => [...document.images].some(i => (i.currentSrc || i.src) && !i.complete)"


@dataclass(frozen=True)
class Photo:
    """The page photographed (JPEG), and the size of its layout then (a photo of another layout is retaken)."""

    jpeg: bytes
    layout: tuple[int, int]


async def photograph(pw_page: PWPage, page: Page | None, locale: str = "zh-CN") -> Photo | None:
    """The page's first screens (up to MAX_SHOT_HEIGHT); None (and a note) when it cannot be taken."""
    try:
        width, height, view = await pw_page.evaluate(LAYOUT_JS)
        clip = {"x": 0, "y": 0, "width": max(1, view), "height": max(1, min(height, MAX_SHOT_HEIGHT))}
        # one pixel of the screen first: measured on the fixture store while other tabs load, the first
        # capture beyond the screen of a freshly scrolled page took 0.9-2.5 s, and 0.1-0.3 s after this
        await pw_page.screenshot(clip={"x": 0, "y": 0, "width": 1, "height": 1}, timeout=15000, scale="css")
        # (one pixel of the photo per CSS pixel, as the regions' boxes are measured: a phone's screen
        # has two or three of its own per CSS pixel)
        jpeg = await pw_page.screenshot(
            full_page=True, clip=clip, timeout=15000, type="jpeg", quality=PHOTO_QUALITY, scale="css"
        )
    except PlaywrightError as exc:
        if page is not None:
            page.notes.append(t("err_shot_failed", locale, detail=str(exc).splitlines()[0][:200]))
        return None
    return Photo(jpeg, (width, height))


async def photograph_if_settled(pw_page: PWPage, wait_s: float = EARLY_PHOTO_S) -> asyncio.Future[Photo | None] | None:
    """A photo taken early (while the page would otherwise wait on its carousels), only when no
    picture is still arriving; None leaves it to `take_screenshots` once the page has been read. It is
    waited for up to `wait_s` (the page's read comes first); one that takes longer goes on beside
    the read and `take_screenshots` takes it from there: Chromium finishes a capture once asked, and
    one given up at the deadline was its work thrown away and done again at the end (the hostile
    store's 60,000-link page: 4 s, then 3 s more)."""
    try:
        async with asyncio.timeout(EARLY_PHOTO_S):
            if await pw_page.evaluate(PENDING_JS):
                return None
    except (PlaywrightError, TimeoutError):
        return None
    photo = asyncio.ensure_future(photograph(pw_page, None))
    photo.add_done_callback(lambda f: f.cancelled() or f.exception())  # read by whoever awaits it
    await asyncio.wait({photo}, timeout=wait_s)
    return photo


async def layout_of(pw_page: PWPage) -> tuple[int, int]:
    width, height, _ = await pw_page.evaluate(LAYOUT_JS)
    return width, height


async def take_screenshots(
    pw_page: PWPage,
    page: Page,
    shots_dir: Path,
    early: Photo | asyncio.Future[Photo | None] | None = None,
    locale: str = "zh-CN",
) -> None:
    """The page's photo kept as `page.screenshot`: the `early` one (once it is taken) when the page is
    still laid out as it was then, else a new one; a page that cannot be photographed is still audited."""
    shots_dir.mkdir(parents=True, exist_ok=True)
    photo = await early if isinstance(early, asyncio.Future) else early
    try:
        moved = photo is None or photo.layout != await layout_of(pw_page)
    except PlaywrightError:
        moved = True  # the photo is retaken, and if that fails too it says so in the page's notes
    if moved:
        photo = await photograph(pw_page, page, locale)
        if photo is None:
            return
    assert photo is not None
    key = hashlib.sha1(f"{page.viewport}|{page.url}".encode()).hexdigest()[:12]
    path = shots_dir / f"{key}.jpg"
    try:
        path.write_bytes(photo.jpeg)
    except OSError as exc:
        page.notes.append(t("err_shot_not_saved", locale, detail=exc))
        return
    page.screenshot = str(path)
