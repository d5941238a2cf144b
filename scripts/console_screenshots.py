"""Screenshots of the web console for the README: the bundled demo store audited on two mornings, one
finding assigned, then the dashboard and the findings page (desktop, and the findings at phone width)
taken in Chromium from a real `auditor serve`.

    .venv/bin/python scripts/console_screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from auditor.browser import find_browser, launch_options
from auditor.config import load_config
from auditor.demo_store import FixtureStore
from auditor.pipeline import run_audit
from auditor.store.db import open_db
from auditor.store.repo import Repo

NOW = datetime.fromisoformat("2026-11-20T09:00:00+08:00")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs", help="folder for the PNG files (default: docs)")
    out = Path(parser.parse_args().out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, FixtureStore(NOW) as store:
        work = Path(tmp)
        (work / "config.yaml").write_text(
            f"storage: {{url: 'sqlite:///{work / 'a.db'}'}}\n"
            f"stores: [{{name: 旗舰店, url: '{store.url}'}}]\n"
            "campaigns: [{name: 双11, start: '2026-11-01T00:00:00+08:00', end: '2026-11-11T23:59:59+08:00'}]\n",
            encoding="utf-8",
        )
        cfg = load_config(work / "config.yaml")
        for clock in (NOW - timedelta(days=1), NOW):  # two mornings: a trend and "new since the previous run"
            print(f"auditing the demo store at {clock:%Y-%m-%d %H:%M} ...", flush=True)
            run_audit(cfg, cfg.stores[0], clock)
        repo = Repo(open_db(cfg.db_url))
        repo.add_user("组长", "admin", "demo-password")
        first = repo.findings(store="旗舰店")[0]
        repo.set_status([first.id], "assigned", "组长", NOW, note="换成新主图", assignee="小美")
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "auditor", "serve", "--config", "config.yaml", "--port", str(port)],
            cwd=work,
            env={**os.environ, "AUDITOR_DB_URL": ""},
            stdout=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base + "/login")
            with sync_playwright() as p:
                browser = p.chromium.launch(**launch_options(find_browser()))  # type: ignore[arg-type]
                for name, width, pages in (("desktop", 1280, ("/", "/findings")), ("phone", 390, ("/findings",))):
                    # the console's policy allows no script at all; the script that waits for its images is ours
                    page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
                    page.goto(base + "/login")
                    page.fill("input[name=name]", "组长")
                    page.fill("input[name=password]", "demo-password")
                    page.click("form.login button")
                    page.wait_for_url(base + "/")
                    for path in pages:
                        page.goto(base + path)
                        _wait_for_images(page)
                        target = out / f"console-{'dashboard' if path == '/' else 'findings'}-{name}.png"
                        page.screenshot(path=str(target), full_page=path == "/")
                        print(f"wrote {target}")
                browser.close()
        finally:
            server.terminate()
            server.wait(30)


def _wait_for_images(page: Page, timeout_s: float = 30) -> None:
    """Every <img> of the page loaded before the shot. The findings' thumbnails are loading="lazy": the
    page's load event does not wait for them, and those away from the viewport are not even requested,
    so they are switched to eager first."""
    page.evaluate("() => { for (const img of document.images) img.loading = 'eager'; }")
    try:
        page.wait_for_function(
            "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)", timeout=timeout_s * 1000
        )
    except PlaywrightTimeoutError:
        missing = page.evaluate(
            "() => [...document.images].filter(img => !img.complete || !img.naturalWidth).map(img => img.src)"
        )
        raise SystemExit(f"images did not load on {page.url} within {timeout_s:.0f} s: {missing}") from None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise SystemExit(f"the console did not answer at {url}")


if __name__ == "__main__":
    main()
