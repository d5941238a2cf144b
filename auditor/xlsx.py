"""Export stage: the issue log as an Excel workbook, with a thumbnail of each finding's screenshot."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font
from PIL import Image

from auditor.i18n import label, t
from auditor.models import Finding

THUMB = (240, 120)
OFF_SALE_COLUMNS = ("product", "target", "before", "now", "first_seen", "status", "assignee", "id")


def workbook(header: list[str], rows: list[list[Any]], findings: list[Finding], locale: str = "zh-CN") -> bytes:
    """The issue log (`header` and `rows` already in the reader's language) and, when products went
    off sale, the 下架/缺货清单 on a sheet of its own; sheet names and fixed words in `locale`."""
    wb = Workbook()
    ws = wb.active
    ws.title = t("sheet_log", locale)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [18, 40, 12, 60, 10, 12, 12, 12, 24, 10, 40, 36, 22]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    for r, (row, f) in enumerate(zip(rows, findings, strict=True), start=2):
        ws.append(row)
        for cell in ws[r]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if f.screenshot and Path(f.screenshot).is_file():
            with Image.open(f.screenshot) as img:
                img.thumbnail(THUMB)
                buf = io.BytesIO()
                img.convert("RGB").save(buf, format="PNG")
            buf.seek(0)
            pic = XLImage(buf)
            ws.add_image(pic, f"L{r}")
            ws.row_dimensions[r].height = THUMB[1] * 0.75 + 4
    gone = [f for f in findings if f.check == "product-unavailable"]
    if gone:  # 下架/缺货清单: what customer service needs, on a sheet of its own
        sheet = wb.create_sheet(t("sheet_off_sale", locale))
        sheet.append([t(col, locale) for col in OFF_SALE_COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for col, w in zip("ABCDEFGH", (30, 60, 10, 12, 18, 10, 10, 8), strict=True):
            sheet.column_dimensions[col].width = w
        for f in gone:
            sheet.append(
                [
                    str(f.evidence.get("title") or ""),
                    f.target or f.page,
                    label(str(f.evidence.get("before")), locale),
                    label(str(f.evidence.get("after")), locale),
                    f.first_seen.strftime("%Y-%m-%d %H:%M") if f.first_seen else "",
                    label(f.status, locale),
                    f.assignee or "",
                    f.id,
                ]
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
