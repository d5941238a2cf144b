"""What `auditor doctor` says: the browser, the OCR engine and the database, found and working?"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.config import Config
from auditor.errors import AuditorError


@dataclass(frozen=True)
class Part:
    name: str  # browser, ocr, database
    ok: bool
    said: str  # what was found, or why it fails


def diagnose(cfg: Config) -> list[Part]:
    from auditor.browser import browser_version, find_browser
    from auditor.store.db import open_db, safe_url

    parts = []
    try:
        choice = find_browser(install=False)
        where = f"{choice.executable or 'playwright chromium'} ({choice.source}) {browser_version(choice)}"
        parts.append(Part("browser", True, where))
    except AuditorError as exc:
        parts.append(Part("browser", False, f"NOT FOUND — {exc}"))
    try:
        from importlib.metadata import version

        from auditor.probes.ocr import runtime

        chosen = runtime()
        parts.append(Part("ocr", True, f"rapidocr {version('rapidocr')} on {chosen} {version(chosen)}"))
    except Exception as exc:  # a broken install is what doctor is for
        parts.append(Part("ocr", False, f"NOT AVAILABLE — {exc}"))
    try:
        open_db(cfg.db_url)
        parts.append(Part("database", True, f"{safe_url(cfg.db_url)} (opens, schema up to date)"))
    except AuditorError as exc:
        parts.append(Part("database", False, f"{safe_url(cfg.db_url)} FAILS — {exc}"))
    return parts
