"""Report stage: the region crop of each finding with the element at fault outlined."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from auditor.models import Finding

OUTLINE = (230, 0, 18)


def outline(findings: list[Finding]) -> None:
    """For findings with an element box, write `<crop>-<fingerprint>.png` with the box drawn on it."""
    for f in findings:
        box, region_box = f.evidence.get("box"), f.evidence.get("region_box")
        if not f.screenshot or not box or not region_box or not Path(f.screenshot).is_file():
            continue
        src = Path(f.screenshot)
        dst = src.with_name(f"{src.stem}-{f.fingerprint[:12]}.png")
        with Image.open(src) as img:
            marked = img.convert("RGB")
        x, y = box[0] - region_box[0], box[1] - region_box[1]
        rect = (max(0, x - 2), max(0, y - 2), min(marked.width - 1, x + box[2] + 2), min(marked.height - 1, y + box[3] + 2))
        if rect[2] <= rect[0] or rect[3] <= rect[1]:
            continue
        ImageDraw.Draw(marked).rectangle(rect, outline=OUTLINE, width=4)
        marked.save(dst)
        f.screenshot = str(dst)
