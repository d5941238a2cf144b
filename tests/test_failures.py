"""What stops everything fails the run with one line naming the cause (exit 2); what fails after a
run (a scheduled export) is recorded on the run and never a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from auditor.demo_store import FixtureStore
from auditor.schedule import scheduled_audit
from tests.conftest import ROOT, auditor

NOW = "2026-11-20T09:00:00+08:00"


def write(work: Path, url: str, extra: str = "") -> Path:
    path = work / "config.yaml"
    path.write_text(
        f"storage: {{url: sqlite:///{work / 'a.db'}}}\nrules: {{dir: {ROOT / 'rules'}}}\n"
        f"stores:\n  - name: s\n    url: {url}\ncrawl: {{max_depth: 0, carousel_watch_ms: 500}}\n{extra}",
        encoding="utf-8",
    )
    return path


def runs(work: Path) -> list[tuple[str, list[str]]]:
    with sqlite3.connect(work / "a.db") as conn:
        return [(s, json.loads(e)) for s, e in conn.execute("SELECT status, errors FROM runs ORDER BY id")]


def test_no_browser_fails_the_run_with_one_line(tmp_path: Path) -> None:
    write(tmp_path, "http://127.0.0.1:9/")
    got = auditor("audit", "--config", "config.yaml", "--now", NOW, cwd=tmp_path,
                  env={"AUDITOR_CHROMIUM": "/nonexistent/chromium"})  # fmt: skip
    assert got.returncode == 2
    assert (
        got.stderr.strip().count("\n") == 0 and "AUDITOR_CHROMIUM=/nonexistent/chromium: 不是可执行文件" in got.stderr
    )
    assert "Traceback" not in got.stderr
    assert runs(tmp_path)[-1][0] == "failed"
    debug = auditor("audit", "--config", "config.yaml", "--now", NOW, "--debug", cwd=tmp_path,
                    env={"AUDITOR_CHROMIUM": "/nonexistent/chromium"})  # fmt: skip
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_an_ocr_runtime_that_cannot_read_is_one_line_before_any_run(tmp_path: Path) -> None:
    write(tmp_path, "http://127.0.0.1:9/")
    got = auditor("audit", "--config", "config.yaml", "--now", NOW, cwd=tmp_path,
                  env={"AUDITOR_OCR_RUNTIME": "tesseract"})  # fmt: skip
    assert got.returncode == 2 and got.stderr.strip().count("\n") == 0, got.stderr
    assert "AUDITOR_OCR_RUNTIME=tesseract" in got.stderr and "openvino 或 onnxruntime" in got.stderr
    assert not (tmp_path / "a.db").exists()  # nothing half-written: no run recorded


def test_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    write(tmp_path, "http://127.0.0.1:9/")
    got = auditor("audit", "--config", "config.yaml", "--now", NOW,
                  "--db", "postgresql+psycopg://nobody@127.0.0.1:9/none", cwd=tmp_path)  # fmt: skip
    assert got.returncode == 2 and "Traceback" not in got.stderr
    assert got.stderr.strip().count("\n") == 0 and "127.0.0.1:9" in got.stderr and "数据库无法打开" in got.stderr


@pytest.mark.browser
@pytest.mark.network
def test_scheduled_export_creates_its_folder(tmp_path: Path, fixture_store: FixtureStore) -> None:
    config = write(tmp_path, fixture_store.url + "about", "schedule: {export: 'exports/{store}-{date}.csv'}\n")
    scheduled_audit(str(config), "s")
    assert [p.suffix for p in (tmp_path / "exports").iterdir()] == [".csv"]
    assert runs(tmp_path)[-1] == ("complete", [])


@pytest.mark.browser
@pytest.mark.network
def test_a_failed_scheduled_export_is_recorded_on_the_run_and_notified(
    tmp_path: Path, fixture_store: FixtureStore, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    hook_url, received = webhook
    (tmp_path / "blocker").write_text("a file where the export folder should be")
    extra = f"schedule: {{export: 'blocker/{{store}}.csv'}}\nnotify: {{urls: ['{hook_url}']}}\n"
    config = write(tmp_path, fixture_store.url + "about", extra)
    scheduled_audit(str(config), "s")  # no exception escapes: the scheduler lives on
    status, errors = runs(tmp_path)[-1]
    assert status == "complete"
    assert len(errors) == 1 and errors[0].startswith(f"export to {tmp_path / 'blocker' / 's.csv'} failed")
    told = [m for m in received if "导出失败" in m.get("title", "")]
    assert len(told) == 1 and "blocker" in told[0]["message"] and "FileExistsError" in told[0]["message"]


@pytest.mark.browser
@pytest.mark.network
def test_a_page_that_breaks_the_reader_is_that_pages_error_not_the_runs(
    tmp_path: Path, fixture_store: FixtureStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no page of ours breaks the reader any more; the failure is forced where the reader reads facts
    import auditor.crawl.crawler
    import auditor.crawl.reader
    import auditor.crawl.static

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("markup nobody foresaw")

    # both readers choke: the HTTP reader hands the page to the browser, whose read fails on it
    monkeypatch.setattr(auditor.crawl.static, "read_product", broken)
    monkeypatch.setattr(auditor.crawl.reader, "read_product", broken)
    url = fixture_store.url + "products/linen-shirt"
    scheduled_audit(str(write(tmp_path, url, "")), "s")
    status, errors = runs(tmp_path)[-1]
    assert status == "partial"
    assert f"{url}：读取商品信息时出错：RuntimeError: markup nobody foresaw" in errors
    assert all(e.endswith("读取商品信息时出错：RuntimeError: markup nobody foresaw") for e in errors)

    # the HTTP reader failing sends the page to the browser, which reads it whole
    monkeypatch.undo()
    monkeypatch.setattr(auditor.crawl.crawler, "product_from_html", broken)
    scheduled_audit(str(write(tmp_path, url, "")), "s")
    assert runs(tmp_path)[-1] == ("complete", [])


def test_a_check_that_raises_on_one_page_costs_only_that_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check's bug is not something a page can be made to trigger for real: the layout check is
    swapped for one that fails on one page; the other page's finding is kept, the error names the page."""
    import dataclasses
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from auditor.engine import REGISTRY, Hit, load_checks, load_rules, run_rules
    from auditor.models import Facts, Page, Region, Snapshot

    load_checks()
    spec = REGISTRY["layout"]

    def flaky(ctx: Any) -> Any:
        for page in ctx.snapshot.pages:
            if page.url.endswith("/b"):
                raise KeyError("slot")
            yield Hit(page, page.regions[0], None, {"reason": "hidden"})

    monkeypatch.setitem(REGISTRY, "layout", dataclasses.replace(spec, fn=flaky))
    rules = [r for r in load_rules(ROOT / "rules") if r.id == "layout-required"]
    pages = [Page(url=f"http://shop.test/{p}", regions=[Region(kind="page")]) for p in ("a", "b")]
    errors: list[str] = []
    now = datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    found = run_rules(rules, Snapshot(store="t", pages=pages), Facts(), now, errors=errors)
    assert [f.page for f in found] == ["http://shop.test/a"]
    assert errors == ["http://shop.test/b：规则 layout-required 出错：KeyError: 'slot'"]
    errors = []  # the error speaks the configured language
    run_rules(rules, Snapshot(store="t", pages=pages), Facts(), now, "en", errors=errors)
    assert errors == ["http://shop.test/b: rule layout-required failed: KeyError: 'slot'"]


@pytest.mark.browser
@pytest.mark.network
def test_a_start_page_that_answers_404_fails_the_run_with_one_line_in_chinese(
    tmp_path: Path, fixture_store: FixtureStore
) -> None:
    got = auditor("audit", fixture_store.url + "status/404", "--now", NOW, "--db", "sqlite:///a.db", cwd=tmp_path)
    assert got.returncode == 2 and got.stdout.strip() == "", got.stdout
    (line,) = got.stderr.strip().splitlines()
    assert line.startswith("auditor: 运行失败：") and "status/404：首页打不开（HTTP 404）" in line, line
    assert runs(tmp_path)[-1][0] == "failed"
