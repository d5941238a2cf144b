"""Report stage: the region crop of each finding with the element at fault outlined."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw

from auditor.models import Finding

OUTLINE = (230, 0, 18)
MARGIN, MAX_SIDE = 240, 1000


def outline(findings: list[Finding]) -> None:
    """For findings with an element box, write `<crop>-<fingerprint>.png` with the box drawn on it
    (Pillow releases the GIL while decoding and encoding: two threads keep both cores busy)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(_outline_one, findings))


def _outline_one(f: Finding) -> None:
    box, region_box = f.box, f.region_box
    if not (f.screenshot and box and region_box and Path(f.screenshot).is_file()):
        return
    src = Path(f.screenshot)
    dst = src.with_name(f"{src.stem}-{f.fingerprint[:12]}.png")
    with Image.open(src) as img:
        marked = img.convert("RGB")
    scale = marked.width / region_box[2] if region_box[2] else 1.0  # crops of long regions are scaled down
    x, y = (box[0] - region_box[0]) * scale, (box[1] - region_box[1]) * scale
    w, h = box[2] * scale, box[3] * scale
    rect = (max(0, x - 2), max(0, y - 2), min(marked.width - 1, x + w + 2), min(marked.height - 1, y + h + 2))
    if rect[2] <= rect[0] or rect[3] <= rect[1]:
        return
    ImageDraw.Draw(marked).rectangle(rect, outline=OUTLINE, width=4)
    # the part of the region around the element: enough context, and light to store and embed
    left = max(0, min(rect[0] - MARGIN, marked.width - MAX_SIDE))
    top = max(0, min(rect[1] - MARGIN, marked.height - MAX_SIDE))
    marked = marked.crop(
        (int(left), int(top), int(min(marked.width, left + MAX_SIDE)), int(min(marked.height, top + MAX_SIDE)))
    )
    marked.save(dst, compress_level=1)
    f.screenshot = str(dst)
