"""A page is photographed once, early (while its carousels are watched); that photo is kept only when
the page is still laid out as it was, else a new one is taken. Nothing is cut from it in the crawl:
findings' pictures are (tests/test_screenshots.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import async_playwright

from auditor.browser import find_browser, launch_options
from auditor.crawl.shots import photograph_if_settled, take_screenshots
from auditor.models import Page, Region

pytestmark = [pytest.mark.browser]

PAGE = """<!doctype html><html><body style="margin:0">
<div id="top" style="height:300px;background:rgb(255,0,0)"></div>
<div id="grid" style="height:200px;background:rgb(0,0,255)"></div></body></html>"""


def colour_at(path: str, y: int) -> tuple[int, int, int]:
    """The colour in the middle of row `y` of a photo, to the nearest of pure red, green and blue
    (a JPEG's colours are close, not exact)."""
    with Image.open(path) as img:
        r, g, b = img.convert("RGB").getpixel((img.width // 2, y))
    return (
        255 if r > 200 else 0 if r < 60 else r,
        255 if g > 200 else 0 if g < 60 else g,
        255 if b > 200 else 0 if b < 60 else b,
    )


async def test_the_early_photo_is_kept_unless_the_layout_moved(tmp_path: Path) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options(find_browser()))  # type: ignore[arg-type]
        try:
            tab = await browser.new_page(viewport={"width": 800, "height": 600})
            await tab.set_content(PAGE)
            photo = await photograph_if_settled(tab)
            assert photo is not None

            def page_with_grid_at(y: int) -> Page:
                return Page(
                    url="http://shop.test/",
                    viewport="desktop",
                    regions=[Region(kind="showcase", selector="#grid", box=(0, y, 800, 200))],
                )

            # the page changed colour but not its layout: the early photo is kept (still blue)
            await tab.evaluate("() => { document.querySelector('#grid').style.background = 'rgb(0,255,0)'; }")
            same = page_with_grid_at(300)
            await take_screenshots(tab, same, tmp_path / "a", photo)
            assert same.screenshot and same.screenshot.endswith(".jpg")
            assert colour_at(same.screenshot, 400) == (0, 0, 255)
            assert list((tmp_path / "a").iterdir()) == [Path(same.screenshot)]  # one photo, no crops

            # a block grew above the grid and pushed it down: the photo is retaken, the grid is green
            await tab.evaluate("() => { document.querySelector('#top').style.height = '700px'; }")
            moved = page_with_grid_at(700)
            await take_screenshots(tab, moved, tmp_path / "b", photo)
            assert moved.screenshot and colour_at(moved.screenshot, 800) == (0, 255, 0)
        finally:
            await browser.close()


async def test_an_early_photo_not_waited_for_is_not_taken_again(tmp_path: Path) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options(find_browser()))  # type: ignore[arg-type]
        try:
            tab = await browser.new_page(viewport={"width": 800, "height": 600})
            await tab.set_content(PAGE)
            captures = []
            capture = tab.screenshot

            async def counted(**kwargs: Any) -> bytes:
                captures.append(kwargs.get("full_page", False))
                return await capture(**kwargs)

            tab.screenshot = counted  # type: ignore[method-assign]
            # not waited for at all (as a photo that takes longer than EARLY_PHOTO_S): it goes on
            photo = await photograph_if_settled(tab, wait_s=0)
            assert photo is not None and not photo.done()
            page = Page(url="http://shop.test/", viewport="desktop")
            await take_screenshots(tab, page, tmp_path, photo)
            assert page.screenshot and colour_at(page.screenshot, 400) == (0, 0, 255)
            assert captures == [False, True]  # the early photo's pixel and its capture, nothing again
        finally:
            await browser.close()


async def test_no_early_photo_while_a_picture_is_still_arriving(tmp_path: Path) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options(find_browser()))  # type: ignore[arg-type]
        try:
            tab = await browser.new_page()
            # a picture whose server never answers (a routed request left hanging)
            await tab.route("**/slow.png", lambda route: None)
            await tab.set_content('<img src="http://shop.test/slow.png" width="100" height="100">', wait_until="commit")
            assert await photograph_if_settled(tab) is None
        finally:
            await browser.close()
