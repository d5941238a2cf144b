"""The console in a real Chromium against `auditor serve`, on SQLite and on PostgreSQL: an operator logs
in, opens a finding, assigns it, resolves it with a note and sees it resolved in the list and in the
XLSX export; starts a run and watches it finish; a viewer sees no action buttons; a finding whose text
came from a page with `<script>` and `onerror` runs nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, sync_playwright

from auditor.browser import find_browser, launch_options
from auditor.models import Finding
from auditor.models import Page as SeenPage
from auditor.store.db import open_db
from auditor.store.repo import Repo
from tests.conftest import CLOCK, free_port

NOW = "2026-11-20T09:00:00+08:00"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'

pytestmark = [pytest.mark.browser, pytest.mark.network, pytest.mark.slow]


def seed(db_url: str) -> None:
    repo = Repo(open_db(db_url))
    run_id = repo.start_run("patterns", CLOCK)
    found = [
        Finding(
            check="dead-link",
            rule="dead-link",
            severity=severity,  # type: ignore[arg-type]
            store="patterns",
            page="http://shop.test/",
            region="nav",
            target=f"http://shop.test/p{n}",
            message=message,
            evidence={"text": HOSTILE},
            fingerprint=f"fp{n}",
        )
        for n, severity, message in ((1, "high", "导航链接 404"), (2, "critical", HOSTILE), (3, "low", "页脚链接 404"))
    ]
    repo.record(run_id, found, [SeenPage(url="http://shop.test/")], True, ["dead-link"], CLOCK)
    repo.finish_run(run_id, "complete", pages_seen=1, findings_total=len(found))
    for name, role in (("op", "operator"), ("view", "viewer"), ("boss", "admin")):
        repo.add_user(name, role, f"{name}-password")


@pytest.fixture
def served(tmp_path: Path, db_url: str, fixture_store: Any) -> Iterator[dict[str, Any]]:
    (tmp_path / "config.yaml").write_text(
        f"storage: {{url: '{db_url}'}}\n"
        f"stores: [{{name: patterns, url: '{fixture_store.url}patterns/links.html'}}]\n"
        "crawl: {max_depth: 0, carousel_watch_ms: 1000}\n",
        encoding="utf-8",
    )
    seed(db_url)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "auditor", "serve", "--config", "config.yaml", "--port", str(port), "--now", NOW],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "AUDITOR_DB_URL": ""},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
        assert time.monotonic() < deadline, "the console did not start"
        time.sleep(0.3)
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(find_browser()))  # type: ignore[arg-type]
        try:
            yield {"base": base, "browser": browser, "db": db_url}
        finally:
            browser.close()
            server.terminate()
            server.wait(30)


def logged_in(served: dict[str, Any], who: str) -> tuple[Page, list[str]]:
    context = served["browser"].new_context(accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(served["base"] + "/")
    assert "/login" in page.url
    page.fill("input[name=name]", who)
    page.fill("input[name=password]", f"{who}-password")
    page.click("form.login button")
    page.wait_for_url(served["base"] + "/")
    return page, dialogs


def test_operator_triages_exports_and_runs_now_viewer_only_reads(served: dict[str, Any]) -> None:
    base = served["base"]
    page, dialogs = logged_in(served, "op")

    # the list: most severe first, the page's markup shown as text and never run
    page.goto(base + "/findings")
    title = page.title()
    messages = page.locator("td.msg").all_inner_texts()
    assert messages[0] == HOSTILE and messages[1:] == ["导航链接 404", "页脚链接 404"]
    page.click("td.msg >> text=" + HOSTILE)
    page.wait_for_url("**/findings/*")
    assert page.locator("p.msg").inner_text() == HOSTILE
    assert page.locator("pre.evidence").inner_text().count("onerror") == 1
    page.go_back()
    assert dialogs == [] and page.title() == title

    # open the high finding, assign it, resolve it with a note
    page.click("text=导航链接 404")
    page.wait_for_url("**/findings/*")
    page.fill("input[name=assignee]", "小美")
    page.click("form[action$='/assign'] button")
    page.wait_for_load_state()
    assert "小美" in page.locator("dl.facts").inner_text()
    page.fill("form[action$='/resolve'] input[name=note]", "已换回正确链接")
    page.click("form[action$='/resolve'] button")
    page.wait_for_load_state()
    history = page.locator("table.list tbody").inner_text()
    assert "已指派" in history and "已处理" in history and "已换回正确链接" in history and "op" in history

    # resolved in the list, and in the XLSX export of that filter, in the checklist's columns
    page.goto(base + "/findings?status=resolved")
    assert page.locator("td.msg").all_inner_texts() == ["导航链接 404"]
    with page.expect_download() as got:
        page.click("text=导出当前筛选 XLSX")
    sheet = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    head = [str(h) for h in rows[0]]
    assert {"检查项目", "问题记录", "检查人", "日期", "跟进人", "处理结果"} <= set(head)
    assert len(rows) == 2 and rows[1][head.index("处理结果")] and "已换回正确链接" in rows[1][head.index("处理结果")]
    assert rows[1][head.index("跟进人")] == "小美"

    # run now from the dashboard, a second one refused while the first runs, watched to the end
    page.goto(base + "/")
    page.click("form[action='/runs'] button")
    page.wait_for_url(base + "/runs")
    assert page.locator("ul.jobs li").count() == 1
    page.goto(base + "/")
    page.click("form[action='/runs'] button")
    page.wait_for_url(base + "/runs")
    assert "正在巡检" in page.locator("p.flash").inner_text()
    deadline = time.monotonic() + 240
    while page.locator("ul.jobs b.job-done, ul.jobs b.job-failed").count() == 0:  # the page refreshes itself
        assert time.monotonic() < deadline, page.content()
        page.wait_for_timeout(500)
    assert page.locator("ul.jobs b.job-done").count() == 1, page.locator("ul.jobs").inner_text()
    page.click("ul.jobs a")
    assert page.locator("span.status").first.get_attribute("class") in ("status s-complete", "status s-partial")
    run_pid = Repo(open_db(served["db"])).run(int(page.url.rsplit("/", 1)[1]))
    assert run_pid is not None and run_pid.pid != os.getpid()  # ran in a worker process, not here
    assert dialogs == []

    # a viewer reads the same pages and sees no action
    viewer, _ = logged_in(served, "view")
    viewer.goto(base + "/findings")
    assert viewer.locator("fieldset.bulk").count() == 0
    viewer.click("text=页脚链接 404")
    viewer.wait_for_url("**/findings/*")
    assert viewer.locator("div.actions").count() == 0 and viewer.locator("main button").count() == 0
    viewer.goto(base + "/")
    assert viewer.locator("form[action='/runs']").count() == 0

    # on a phone (375 px wide): nothing runs off the side of the screen, the list and a finding read
    viewer.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/findings", "/runs"):
        viewer.goto(base + path)
        wide = viewer.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 375, (path, wide)
    viewer.goto(base + "/findings")
    assert viewer.locator("td.msg").first.is_visible()
