"""Findings a team follows up: triage from the command line, the issue-log exports, the HTML report
opened in a real browser, notifications. All on a copy of the end-to-end audit's database."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import auditor

pytestmark = [pytest.mark.browser, pytest.mark.network, pytest.mark.slow]


@pytest.fixture
def work(audited: dict[str, Any], tmp_path: Path) -> Path:
    for name in ("config.yaml", "audit.db", "report.html"):
        shutil.copy(audited["work"] / name, tmp_path / name)
    return tmp_path


def cli(work: Path, *args: str, **kw: Any) -> Any:
    return auditor(*args, "--config", "config.yaml", "--now", "2026-11-21T10:00:00+08:00", cwd=work, **kw)


def findings(work: Path, *filters: str) -> list[dict[str, Any]]:
    r = cli(work, "findings", "list", "--json", *filters)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_assign_resolve_ignore_reopen_with_history(work: Path) -> None:
    dead = findings(work, "--check", "dead-link", "--region", "footer")
    assert len(dead) == 3
    one = str(dead[0]["id"])
    assert cli(work, "findings", "assign", one, "--to", "小王", "--by", "组长").returncode == 0
    assert cli(work, "findings", "resolve", one, "--note", "已恢复页面", "--by", "小王").returncode == 0
    shown = json.loads(cli(work, "findings", "show", one).stdout)
    assert (shown["status"], shown["assignee"], shown["resolution"]) == ("resolved", "小王", "已恢复页面")
    assert [(h["from"], h["to"], h["who"]) for h in shown["history"]][-2:] == [
        ("open", "assigned", "组长"),
        ("assigned", "resolved", "小王"),
    ]
    assert cli(work, "findings", "reopen", one).returncode == 0
    assert json.loads(cli(work, "findings", "show", one).stdout)["status"] == "open"


def test_bulk_ignore_by_filter(work: Path) -> None:
    r = cli(work, "findings", "ignore", "--check", "distorted-image", "--note", "设计如此")
    assert r.returncode == 0 and "已将 1 条问题标记为 已忽略" in r.stdout
    assert [f["status"] for f in findings(work, "--check", "distorted-image")] == ["ignored"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["findings", "resolve", "99999", "--note", "x"], "no finding with id 99999"),
        (["findings", "resolve", "1"], "--note is required"),
        (["findings", "ack"], "give finding ids or a filter"),
        (["findings", "show", "424242"], "no finding with id 424242"),
        (["export", "--format", "csv", "--output", "/nonexistent-dir/x.csv"], "does not exist"),
        (["report", "--run", "777"], "no run #777"),
    ],
)
def test_bad_input_is_exit_2_and_changes_nothing(work: Path, args: list[str], message: str) -> None:
    before = (work / "audit.db").read_bytes()
    r = cli(work, *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert findings(work, "--status", "open") and (work / "audit.db").read_bytes() == before


def test_a_status_change_that_makes_no_sense(work: Path) -> None:
    one = str(findings(work)[0]["id"])
    assert cli(work, "findings", "ignore", one, "--note", "误报").returncode == 0
    r = cli(work, "findings", "ack", one)
    assert r.returncode == 2 and "cannot become acknowledged" in r.stderr


def test_csv_issue_log_in_chinese_and_english(work: Path) -> None:
    assert cli(work, "export", "--format", "csv", "--output", "log.csv").returncode == 0
    rows = list(csv.reader(io.StringIO((work / "log.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == [
        "检查项目",
        "页面",
        "区域",
        "问题记录",
        "严重程度",
        "检查人",
        "日期",
        "跟进人",
        "处理结果",
        "状态",
        "链接",
        "截图",
        "检查编号",
    ]
    assert len(rows) - 1 == len(findings(work)) and rows[1][5] == "值班运营" and rows[1][6] == "2026-11-21"
    from auditor.i18n import LABELS

    zh = {v["zh-CN"] for v in LABELS.values()}
    for row in rows[1:]:  # check, severity, status and region in Chinese; the stable id in its own column
        assert {row[0], row[2], row[4], row[9]} <= zh, row
        assert LABELS[row[12]]["zh-CN"] == row[0]
    (work / "config.yaml").write_text((work / "config.yaml").read_text() + "locale: en\n")
    assert cli(work, "export", "--format", "csv", "--output", "log-en.csv").returncode == 0
    header, first = list(csv.reader(io.StringIO((work / "log-en.csv").read_text(encoding="utf-8-sig"))))[:2]
    assert header[:4] == ["Check", "Page", "Region", "Problem"]
    assert first[4] in ("Critical", "High", "Medium", "Low") and first[9] in ("Open", "Regressed", "Fixed", "Ignored")


def test_xlsx_has_a_thumbnail_per_screenshot(work: Path) -> None:
    assert cli(work, "export", "--format", "xlsx", "--output", "log.xlsx").returncode == 0
    ws = load_workbook(work / "log.xlsx").active
    with_shots = [f for f in findings(work) if f["screenshot"]]
    assert ws.max_row == len(findings(work)) + 1 and len(ws._images) == len(with_shots) > 0
    from auditor.i18n import LABELS

    rows = list(ws.iter_rows(values_only=True))  # the checklist's columns, every label in Chinese
    assert rows[0][:9] == ("检查项目", "页面", "区域", "问题记录", "严重程度", "检查人", "日期", "跟进人", "处理结果")
    zh = {v["zh-CN"] for v in LABELS.values()}
    assert all({row[0], row[2], row[4], row[9]} <= zh for row in rows[1:]), rows[1]


def test_report_counts_first_then_most_severe_first(work: Path) -> None:
    import re

    html = (work / "report.html").read_text(encoding="utf-8")
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    shown = re.findall(r'<div class="finding" id="f\d+"><span class="sev (\w+)">', html)
    assert len(shown) == len(findings(work)) and shown == sorted(shown, key=order.__getitem__)
    assert html.index('class="summary counts"') < html.index('<div class="finding"')
    counts = dict(re.findall(r'<td><span class="sev (\w+)">[^<]+</span> (\d+)</td>', html))
    assert {k: int(v) for k, v in counts.items()} == {s: shown.count(s) for s in set(shown)}


def test_new_since_last_export(work: Path) -> None:
    first = cli(work, "export", "--format", "jsonl", "--new-since-last-export")
    assert len(first.stdout.splitlines()) == len(findings(work))
    again = cli(work, "export", "--format", "jsonl", "--new-since-last-export")
    assert again.returncode == 0 and again.stdout == ""


def test_report_escapes_what_came_from_the_page(work: Path) -> None:
    from playwright.sync_api import sync_playwright

    from auditor.browser import find_browser, launch_options

    report = work / "report.html"
    html = report.read_text(encoding="utf-8")
    assert "<script>window.__xss" not in html and "&lt;script&gt;window.__xss=1" in html
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(find_browser()))  # type: ignore[arg-type]
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        assert page.evaluate("() => window.__xss") is None
        assert "<script>window.__xss=1</script>" in (page.text_content("body") or "")
        assert page.locator("img.shot").count() > 5
        browser.close()
    assert requests == [report.as_uri()]  # one file, nothing fetched from anywhere


def test_report_is_written_again_from_the_database(work: Path) -> None:
    r = cli(work, "report", "--output", "again.html")
    assert r.returncode == 0 and "run #2" in r.stdout
    assert "kv-shirt-price.png" in (work / "again.html").read_text(encoding="utf-8")


class Receiver(BaseHTTPRequestHandler):
    got: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        Receiver.got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_notification_after_a_run(work: Path, fixture_store: Any) -> None:
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    (work / "config.yaml").write_text(
        (work / "config.yaml").read_text()
        + "notify: {urls: ['json://127.0.0.1:${HOOK_PORT}/hook'], min_severity: high}\n"
    )
    (work / "audit.db").unlink()
    r = auditor(
        "audit", "--config", "config.yaml", "--now", "2026-11-20T09:00:00+08:00", cwd=work, env={"HOOK_PORT": str(port)}
    )
    server.shutdown()
    assert r.returncode == 1, r.stderr
    (msg,) = Receiver.got
    assert "新增" in msg["title"] and "[严重] 图片价格不符" in msg["message"]


def test_the_terminal_table_fits_80_columns_in_chinese(work: Path) -> None:
    from rich.cells import cell_len
    from rich.console import Console

    import auditor.cli.base as cli_module
    from auditor.config import load_config
    from auditor.store.db import open_db
    from auditor.store.repo import Repo

    cfg = load_config(str(work / "config.yaml"))
    stored = Repo(open_db(cfg.db_url)).findings()
    narrow = Console(width=80, record=True, file=io.StringIO())
    saved, cli_module.out = cli_module.out, narrow
    try:
        cli_module.print_findings(stored, "zh-CN")
    finally:
        cli_module.out = saved
    text = narrow.export_text()
    lines = text.splitlines()
    assert len(lines) == len(stored) + 1  # a header and one line per finding
    assert all(cell_len(line) <= 80 for line in lines)
    assert "死链" in text and "dead-link" not in text
