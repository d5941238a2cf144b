"""Each finding's picture is cut from its page's photo at the report stage: its region, the element
at fault outlined in red; the page's first screen for a finding of the whole page; none for a region
not in the photo. The photo itself is never drawn on: two findings of one page each get their own."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from auditor.models import Finding
from auditor.screenshots import FIRST_SCREEN, MAX_SIDE, OUTLINE, cut_for_findings


def finding(photo: Path, name: str, region_box: tuple[float, float, float, float] | None, box=None) -> Finding:  # type: ignore[no-untyped-def]
    return Finding(
        check="broken-image",
        rule="r",
        severity="high",
        store="s",
        page="http://shop.test/",
        region="banner" if region_box else "page",
        message="m",
        fingerprint=name * 12,
        screenshot=str(photo),
        region_box=region_box,
        box=box,
    )


def reddish(rgb: tuple[int, int, int]) -> bool:
    return abs(rgb[0] - OUTLINE[0]) < 40 and rgb[1] < 60 and rgb[2] < 60


def test_pictures_are_cut_from_the_page_photo(tmp_path: Path) -> None:
    photo = tmp_path / "page.jpg"
    img = Image.new("RGB", (1200, 3000), (255, 255, 255))
    img.paste((0, 0, 255), (100, 1000, 700, 1300))  # a blue region 600 x 300, 1,000 px down
    img.save(photo, quality=90)
    outlined = finding(photo, "a", (100, 1000, 600, 300), box=(200, 1100, 100, 50))
    plain = finding(photo, "b", (100, 1000, 600, 300))
    whole = finding(photo, "c", None)
    hidden = finding(photo, "d", (0, 5000, 300, 300))  # below the photo's end
    cut_for_findings([outlined, plain, whole, hidden])

    assert outlined.screenshot and outlined.screenshot != str(photo)
    with Image.open(outlined.screenshot) as pic:
        assert pic.size == (600, 300) and pic.format == "JPEG"
        # the element's box, region-relative (100, 100), outlined: its left edge is red, its inside blue
        assert reddish(pic.convert("RGB").getpixel((99, 125)))
        assert pic.convert("RGB").getpixel((150, 125))[2] > 200
    assert plain.screenshot and plain.screenshot != outlined.screenshot
    with Image.open(plain.screenshot) as pic:  # the same region, no outline drawn from the other finding
        assert pic.size == (600, 300) and not reddish(pic.convert("RGB").getpixel((99, 125)))
    assert whole.screenshot
    with Image.open(whole.screenshot) as pic:
        assert pic.size == (1200, FIRST_SCREEN)
    assert hidden.screenshot is None
    with Image.open(photo) as kept:  # the photo itself is untouched
        assert kept.convert("RGB").getpixel((199, 1125))[2] > 200


def test_a_long_region_is_cut_around_its_element(tmp_path: Path) -> None:
    photo = tmp_path / "page.jpg"
    Image.new("RGB", (1200, 5000), (240, 240, 240)).save(photo)
    grid = finding(photo, "g", (0, 0, 1200, 5000), box=(100, 4000, 200, 200))
    cut_for_findings([grid])
    assert grid.screenshot
    with Image.open(grid.screenshot) as pic:  # the part around the element, not the whole grid
        assert max(pic.size) <= MAX_SIDE
        rgb = pic.convert("RGB")
        assert any(reddish(rgb.getpixel((x, y))) for x in range(pic.width) for y in range(0, pic.height, 7))


def test_a_photo_that_is_gone_leaves_no_picture(tmp_path: Path) -> None:
    gone = finding(tmp_path / "gone.jpg", "x", (0, 0, 10, 10))
    cut_for_findings([gone])
    assert gone.screenshot is None
