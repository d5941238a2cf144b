"""Report stage: each finding's picture, cut from its page's photo: its region (or, for a finding of
the whole page, its first screen), the element at fault outlined. The crawl photographs each page once
and cuts nothing (auditor/crawl/shots.py): only what has a finding is cut."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw

from auditor.models import Finding

OUTLINE = (230, 0, 18)
MARGIN, MAX_SIDE = 240, 1000  # around an element: enough context, and light to store and embed
MAX_CROP_SIDE = 1600  # a long region (a grid) is scaled down to this
FIRST_SCREEN = 900  # a finding of the whole page shows the page's top this high


def cut_for_findings(findings: list[Finding]) -> None:
    """Each finding whose screenshot is its page's photo gets `<photo>-<fingerprint>.jpg`, its own
    picture; one whose region is not in the photo (hidden, or below it) gets none. Each photo is
    decoded once (Pillow releases the GIL while decoding and encoding: two threads keep both cores busy)."""
    by_photo: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.screenshot:
            by_photo[f.screenshot].append(f)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(_cut_photo, by_photo.items()))


def _cut_photo(item: tuple[str, list[Finding]]) -> None:
    path, findings = item
    src = Path(path)
    if not src.is_file():
        for f in findings:
            f.screenshot = None
        return
    with Image.open(src) as img:
        photo = img.convert("RGB")
    for f in findings:
        f.screenshot = _cut_one(photo, src, f)


def _cut_one(photo: Image.Image, src: Path, f: Finding) -> str | None:
    if f.region_box:
        x, y, w, h = f.region_box
        crop = (max(0, int(x)), max(0, int(y)), min(photo.width, int(x + w)), min(photo.height, int(y + h)))
    else:
        crop = (0, 0, photo.width, min(photo.height, FIRST_SCREEN))
    if crop[2] - crop[0] < 2 or crop[3] - crop[1] < 2:
        return None
    part = photo.crop(crop)
    rect = None
    if f.box and f.region_box:
        bx, by, bw, bh = f.box
        left, top = bx - crop[0], by - crop[1]
        rect = (
            max(0, left - 2),
            max(0, top - 2),
            min(part.width - 1, left + bw + 2),
            min(part.height - 1, top + bh + 2),
        )
        if rect[2] <= rect[0] or rect[3] <= rect[1]:
            rect = None
    if rect is not None:
        ImageDraw.Draw(part).rectangle(rect, outline=OUTLINE, width=4)
        left = max(0, min(rect[0] - MARGIN, part.width - MAX_SIDE))
        top = max(0, min(rect[1] - MARGIN, part.height - MAX_SIDE))
        part = part.crop(
            (int(left), int(top), int(min(part.width, left + MAX_SIDE)), int(min(part.height, top + MAX_SIDE)))
        )
    elif part.width > MAX_CROP_SIDE or part.height > MAX_CROP_SIDE:
        part.thumbnail((MAX_CROP_SIDE, MAX_CROP_SIDE))
    dst = src.with_name(f"{src.stem}-{f.fingerprint[:12]}.jpg")
    part.save(dst, quality=85)
    return str(dst)
