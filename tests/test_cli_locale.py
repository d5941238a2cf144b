"""What the command line, the HTML report and the workbook say, in Chinese by default and in English
with `locale: en`: on a small database seeded directly, no browser."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from auditor.config import load_config
from auditor.models import Finding, Page
from auditor.report import render_report
from auditor.store.db import open_db
from auditor.store.repo import Repo
from auditor.xlsx import workbook
from tests.conftest import CLOCK, auditor

NOW = "2026-11-20T09:00:00+08:00"
ZONE = ZoneInfo("Asia/Shanghai")


def finding(n: int, severity: str, check: str = "dead-link", **kw: Any) -> Finding:
    return Finding(
        id=kw.pop("id", n),
        check=check,
        rule=check,
        severity=severity,  # type: ignore[arg-type]
        store="shop",
        page="http://shop.test/",
        region="nav",
        target=f"http://shop.test/p{n}",
        message=f"问题 {n}",
        evidence=kw.pop("evidence", {"text": "<b>x</b>"}),
        fingerprint=f"fp{n}",
        **kw,
    )


def shop(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "config.yaml").write_text(
        f"storage: {{url: 'sqlite:///{tmp_path / 'a.db'}'}}\nstores: [{{name: shop, url: 'http://shop.test/'}}]\n"
        + extra,
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    shop(tmp_path)
    repo = Repo(open_db(load_config(tmp_path / "config.yaml").db_url))
    run_id = repo.start_run("shop", CLOCK)
    found = [finding(n, sev, id=None) for n, sev in ((1, "high"), (2, "low"), (3, "medium"))]
    repo.record(run_id, found, [Page(url="http://shop.test/")], True, ["dead-link"], CLOCK)
    repo.finish_run(run_id, "complete", pages_seen=1, findings_total=3)
    return tmp_path


def english(work: Path) -> None:
    (work / "config.yaml").write_text((work / "config.yaml").read_text() + "locale: en\n", encoding="utf-8")


def run(work: Path, *args: str) -> Any:
    r = auditor(*args, "--config", "config.yaml", "--now", NOW, cwd=work)
    assert r.returncode == 0, r.stderr
    return r


def table_rows(stdout: str) -> list[list[str]]:
    """A rich table's header (┃) and body (│) rows, cell by cell; a row wrapped over several lines
    (a long list of regions) is joined back into one."""
    rows: list[list[str]] = []
    for line in stdout.splitlines():
        if not line.startswith(("│", "┃")):
            continue
        cells = [c.strip() for c in re.split("[│┃]", line)[1:-1]]
        if rows and line.startswith("│") and not cells[0]:  # the rest of the row above
            rows[-1] = [(a + b) if b else a for a, b in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
    return rows


def test_rules_list_in_chinese_by_default(tmp_path: Path) -> None:
    shop(tmp_path, "rules: {disable: [distorted-image]}\n")
    r = run(tmp_path, "rules", "list")
    header, *rows = table_rows(r.stdout)
    assert header == ["规则", "检查项目", "严重程度", "区域", "启用", "来源"]
    by_id = {row[0]: row for row in rows}
    assert by_id["dead-link"][1:4] == ["死链 (dead-link)", "高", "全部"]
    assert by_id["carousel-not-rotating"][3] == "聚焦图、轮播"
    assert by_id["distorted-image"][4] == "否" and by_id["dead-link"][4] == "是"
    assert {row[2] for row in rows} <= {"严重", "高", "中", "低"}
    assert {row[4] for row in rows} == {"是", "否"}


def test_rules_list_in_english(tmp_path: Path) -> None:
    shop(tmp_path, "rules: {disable: [distorted-image]}\nlocale: en\n")
    header, *rows = table_rows(run(tmp_path, "rules", "list").stdout)
    assert header == ["Rule", "Check", "Severity", "Regions", "Enabled", "Source"]
    by_id = {row[0]: row for row in rows}
    assert by_id["dead-link"][1:4] == ["Dead link (dead-link)", "High", "all"]
    assert by_id["carousel-not-rotating"][3] == "KV, Carousel"
    assert (by_id["distorted-image"][4], by_id["dead-link"][4]) == ("no", "yes")
    assert by_id["dead-link"][5] == "built-in (dead-link.yaml)"


def test_triage_confirmation_in_chinese_and_english(seeded: Path) -> None:
    r = run(seeded, "findings", "ignore", "1", "--note", "误报", "--by", "小王")
    assert r.stdout.strip() == "已将 1 条问题标记为 已忽略"
    r = run(seeded, "findings", "resolve", "2", "3", "--note", "已替换", "--by", "小王")
    assert r.stdout.strip() == "已将 2 条问题标记为 已处理"
    english(seeded)
    r = run(seeded, "findings", "reopen", "1", "2", "--by", "op")
    assert r.stdout.strip() == "2 findings marked Open"
    r = run(seeded, "findings", "assign", "2", "--to", "Ann", "--by", "op")
    assert r.stdout.strip() == "1 finding marked Assigned"


def test_export_confirmation_in_chinese_and_english(seeded: Path) -> None:
    r = run(seeded, "export", "--format", "csv", "--output", "log.csv")
    assert r.stderr.strip() == "已导出 3 条问题到 log.csv"
    english(seeded)
    r = run(seeded, "export", "--format", "json", "--output", "log.json")
    assert r.stderr.strip() == "3 findings exported to log.json"


def test_help_says_where_rules_come_from_and_what_init_now_does(tmp_path: Path) -> None:
    rules_help = auditor("rules", "--help", cwd=tmp_path).stdout
    assert "built-in" in rules_help and "rules.dir" in rules_help and "rules/" not in rules_help
    init_help = auditor("init", "--help", cwd=tmp_path).stdout
    assert "--now" in init_help and "symmetry" not in init_help and "ignored" in init_help


RUN = {
    "id": 7,
    "store": "旗舰店<i>",
    "status": "partial",
    "clock": CLOCK,
    "pages_seen": 4,
    "findings_new": 2,
    "findings_fixed": 1,
    "pages_blocked": 0,
    "errors": ["http://shop.test/a: <script>alert(1)</script>", "second error"],
    "unreachable": {"cdn.test": 3},
}
RIVALS = [
    {"competitor": "对手", "url": "http://rival.test/", "prices": {}, "changes": [], "promotions": [{"text": "满减"}]}
]


def test_report_in_chinese_counts_before_the_folded_errors() -> None:
    html = render_report(RUN, [finding(1, "high"), finding(2, "low")], "zh-CN", ZONE, RIVALS)
    assert "<h1>旗舰店&lt;i&gt; — 运行 #7</h1>" in html
    cells = re.findall(r"<tr><td>([^<]+)</td><td>", html)
    assert cells[:7] == ["状态", "时间", "页面", "问题", "新增", "已修复", "被拦截"]
    for english_word in ("status", "clock", "evidence", "promotions", "unreachable", "Competitors"):
        assert english_word not in html, english_word
    assert "<summary>证据</summary>" in html and "<summary>促销活动</summary>" in html and "<h2>竞品动态</h2>" in html
    assert html.index('class="summary counts"') < html.index('<details class="errors">') < html.index('class="finding"')
    folded = html[html.index('<details class="errors">') : html.index("</details>")]
    assert "运行中的错误和说明（2 条）" in folded and "&lt;script&gt;alert(1)&lt;/script&gt;" in folded
    assert "<script>alert" not in html
    assert "无法连接的主机（相关链接和图片记为未知）：cdn.test (3)" in html


def test_report_in_english() -> None:
    html = render_report(RUN, [finding(1, "high")], "en", ZONE, RIVALS)
    assert "<h1>旗舰店&lt;i&gt; — run #7</h1>" in html and "运行" not in html
    cells = re.findall(r"<tr><td>([^<]+)</td><td>", html)
    assert cells[:7] == ["Status", "Clock", "Pages", "Findings", "New", "Fixed", "Blocked"]
    assert "<summary>Evidence</summary>" in html and "<summary>Promotions</summary>" in html
    assert "⚠ Errors and notes of the run (2)" in html and "<h2>Competitors</h2>" in html
    assert "Unreachable hosts (their links and images counted as unknown): cdn.test (3)" in html
    assert not re.search(r"[状态时间页面问题证据促销竞品无法]", html.replace("旗舰店", "").replace("问题 1", ""))


def test_report_without_errors_has_no_error_section() -> None:
    html = render_report({**RUN, "errors": [], "unreachable": {}}, [], "zh-CN", ZONE)
    assert "<details" not in html and "没有发现问题。" in html


def off_sale_workbook(locale: str) -> Any:
    gone = finding(
        5,
        "high",
        "product-unavailable",
        evidence={"title": "紫砂茶壶", "before": "on_sale", "after": "delisted"},
        first_seen=CLOCK,
        assignee="小王",
    )
    data = workbook(["h"], [["r"]], [gone], locale)
    return load_workbook(io.BytesIO(data))


def test_off_sale_sheet_in_chinese_by_default() -> None:
    book = off_sale_workbook("zh-CN")
    assert book.sheetnames == ["问题记录", "下架缺货清单"]
    rows = list(book["下架缺货清单"].iter_rows(values_only=True))
    assert rows[0] == ("商品", "链接", "之前", "现在", "首次发现", "状态", "跟进人", "编号")
    assert rows[1][:4] == ("紫砂茶壶", "http://shop.test/p5", "在售", "已下架") and rows[1][5] == "待处理"


def test_off_sale_sheet_in_english() -> None:
    book = off_sale_workbook("en")
    assert book.sheetnames == ["Issue log", "Off sale or sold out"]
    rows = list(book["Off sale or sold out"].iter_rows(values_only=True))
    assert rows[0] == ("Product", "Link", "Before", "Now", "First seen", "Status", "Follow-up", "ID")
    assert rows[1][2:4] == ("On sale", "Delisted") and rows[1][5:7] == ("Open", "小王")
