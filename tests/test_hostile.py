"""An audit always finishes: the hostile store (tests/hostile_store.py, fixtures/hostile/) audited
through the CLI in real Chromium. Every case gets its verdict, the run ends partial (never failed),
no browser outlives the auditor, and a SIGTERM leaves the run aborted with nothing left running."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, auditor
from tests.hostile_store import LONG_PATH, HostileStore

pytestmark = [pytest.mark.browser, pytest.mark.network, pytest.mark.slow]
NOW = "2026-11-20T09:00:00+08:00"
BOUND_S = 150  # stated bound for the whole hostile audit on 2 cores, one page at a time (measured ~70 s)
BOUND_MB = 1536  # and for its memory, Python and Chromium together (PSS; measured ~500-800 MB)


def config(work: Path, url: str, db: str = "h.db") -> None:
    (work / "config.yaml").write_text(
        f"storage: {{url: sqlite:///{db}}}\n"
        f"rules: {{dir: {ROOT / 'rules'}}}\n"
        f"stores:\n  - name: hostile\n    url: {url}\n"
        # one page at a time: each case is judged on its own page (a busy loop spinning one of the two
        # cores beside a 60,000-link page would make the latter's verdict depend on the machine)
        "crawl: {timeout_s: 8, page_deadline_s: 30, link_timeout_s: 4, carousel_watch_ms: 2000, concurrency: 1}\n",
        encoding="utf-8",
    )


def tagged_processes(tag: str) -> list[int]:
    """Processes (Chromium's included: they inherit the environment) started with AUDITOR_TEST_TAG=tag."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f"AUDITOR_TEST_TAG={tag}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def pss_mb(pids: list[int]) -> float:
    """Proportional set size of these processes together (shared pages counted once in all)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


class PeakMemory(threading.Thread):
    """The peak memory of an audit's process tree (Python and its Chromium), sampled twice a second."""

    def __init__(self, tag: str) -> None:
        super().__init__(daemon=True)
        self.tag, self.peak_mb, self.done = tag, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.peak_mb = max(self.peak_mb, pss_mb(tagged_processes(self.tag)))


def pages_done(db: Path) -> int:
    """Pages the running audit has read, from the progress it writes on its run."""
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT progress FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return 0
    progress = json.loads(row[0]) if row and row[0] else {}
    return int(progress.get("done", 0)) if progress.get("stage") == "pages" else 0


def run_row(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    data = dict(row)
    data["errors"] = json.loads(data["errors"])
    data["unreachable"] = json.loads(data["unreachable"])
    return data


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileStore]:
    with HostileStore() as store:
        yield store


@pytest.fixture(scope="module")
def audited(hostile: HostileStore, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("hostile")
    config(work, hostile.url)
    tag = uuid.uuid4().hex
    memory = PeakMemory(tag)
    memory.start()
    started = time.monotonic()
    audit = auditor(
        "audit", "--config", "config.yaml", "--now", NOW, "--report", "report.html",
        cwd=work, env={"AUDITOR_TEST_TAG": tag},
    )  # fmt: skip
    elapsed = time.monotonic() - started
    memory.done.set()
    memory.join()
    leftover = tagged_processes(tag)
    exported = auditor("export", "--config", "config.yaml", "--format", "json", cwd=work)
    assert exported.returncode == 0, exported.stderr
    return {
        "audit": audit,
        "elapsed": elapsed,
        "peak_mb": memory.peak_mb,
        "leftover": leftover,
        "findings": json.loads(exported.stdout),
        "run": run_row(work / "h.db"),
        "work": work,
        "base": hostile.url.rstrip("/"),
    }


def by_target(audited: dict[str, Any], check: str) -> dict[str, dict[str, Any]]:
    return {f["target"].removeprefix(audited["base"]): f for f in audited["findings"] if f["check"] == check}


def test_the_hostile_audit_finishes_partial_within_its_bound(audited: dict[str, Any]) -> None:
    audit = audited["audit"]
    assert audit.returncode == 1, audit.stderr  # findings at high: exit 1, not a crash (2)
    assert "Traceback" not in audit.stderr
    assert audited["elapsed"] < BOUND_S
    assert 100 < audited["peak_mb"] < BOUND_MB  # measured at all (Chromium alone is over 100 MB), and bounded
    assert audited["run"]["status"] == "partial"  # some pages could not be read: never "failed"


def test_no_browser_process_outlives_the_auditor(audited: dict[str, Any]) -> None:
    assert audited["leftover"] == []


def test_images_that_do_not_decode_are_broken_with_a_reason(audited: dict[str, Any]) -> None:
    broken = by_target(audited, "broken-image")
    assert broken["/img/kv-truncated.jpg"]["evidence"]["reason"] == "truncated"
    assert broken["/img/kv-truncated.jpg"]["region"] == "kv"
    assert broken["/img/banner-truncated.jpg"]["evidence"]["reason"] == "truncated"
    assert broken["/img/bomb.png"]["evidence"]["reason"].startswith("too-large")
    assert broken["/img/missing.jpg"]["evidence"]["reason"] == "http-404"
    assert set(broken) == {"/img/kv-truncated.jpg", "/img/banner-truncated.jpg", "/img/bomb.png", "/img/missing.jpg"}


def test_unreachable_hosts_are_unknown_not_findings(audited: dict[str, Any], hostile: HostileStore) -> None:
    closed = f"127.0.0.1:{hostile.closed_port}"
    for f in audited["findings"]:
        assert ".invalid" not in (f["target"] or "") and closed not in (f["target"] or ""), f
    assert not [f for f in audited["findings"] if f["check"] == "showcase-slot-gap"]
    assert audited["run"]["unreachable"] == {closed: 2, "shop.invalid": 1, "cdn.shop.invalid": 1}
    assert "shop.invalid" in audited["audit"].stderr  # the summary names them


def test_each_hostile_page_gets_its_verdict(audited: dict[str, Any]) -> None:
    dead = {t: f["evidence"]["reason"] for t, f in by_target(audited, "dead-link").items()}
    assert dead.pop("/never") == "timeout"
    assert dead.pop("/refresh-a") == "refresh-loop"
    assert dead.pop("/js-a") == "refresh-loop"  # the same loop made by a script's location.replace
    assert dead.pop("/hop/0") == "too-many-redirects"
    assert dead.pop("/reset").startswith("connection-error")
    assert dead.pop("/garbage").startswith("connection-error")
    assert dead.pop(LONG_PATH) == "http-404"  # the whole 6,000-character URL stored and exported
    assert dead == {}  # dialogs, infinite scroll, 60,000 links, busy loop, gzip bomb: alive
    loop = by_target(audited, "dead-link")["/refresh-a"]["evidence"]
    assert any(u.endswith("/refresh-b") for u in loop["redirects"])


def test_run_errors_name_the_page_and_the_step(audited: dict[str, Any]) -> None:
    errors = "\n".join(audited["run"]["errors"])
    base = audited["base"]
    assert f"{base}/never：8 秒内没有读完（正在打开页面）" in errors
    assert f"{base}/busy：30 秒内没有读完（正在" in errors  # a busy loop cannot hold a read past its deadline
    assert f"{base}/many-links：55000 个链接没有检查" in errors
    assert "/dialogs" not in errors and "/infinite" not in errors


def test_gzip_bomb_was_read_but_not_inflated(audited: dict[str, Any], hostile: HostileStore) -> None:
    assert hostile.hits.get("/bomb.html", 0) >= 1


def test_report_runs_none_of_the_pages_markup(audited: dict[str, Any]) -> None:
    html = (audited["work"] / "report.html").read_text(encoding="utf-8")
    assert "<script>alert('alt')</script>" not in html
    assert "&lt;script&gt;alert(" in html


def test_sigterm_leaves_the_run_aborted_and_no_browser(hostile: HostileStore, tmp_path: Path) -> None:
    config(tmp_path, hostile.url)
    tag = uuid.uuid4().hex
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", "audit", "--config", "config.yaml", "--now", NOW],
        cwd=tmp_path,
        env={**os.environ, "AUDITOR_TEST_TAG": tag},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(tagged_processes(tag)) < 3 and time.monotonic() < deadline:  # the auditor and its browser
        time.sleep(0.2)
    deadline = time.monotonic() + 60
    while not pages_done(tmp_path / "h.db"):  # a page was read
        assert time.monotonic() < deadline and proc.poll() is None, "no page read within 60 s"
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr and "SIGTERM" in stderr
    run = run_row(tmp_path / "h.db")
    assert run["status"] == "aborted" and run["finished_at"] is not None
    with sqlite3.connect(tmp_path / "h.db") as conn:  # the pages read before the signal are kept
        kept = conn.execute("SELECT count(*) FROM run_pages WHERE run_id = ?", (run["id"],)).fetchone()[0]
    assert kept == run["pages_seen"] >= 1
    deadline = time.monotonic() + 10
    while tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert tagged_processes(tag) == []


def test_a_run_deadline_ends_the_crawl_partial_with_what_was_read(hostile: HostileStore, tmp_path: Path) -> None:
    config(tmp_path, hostile.url)
    (tmp_path / "config.yaml").write_text(
        (tmp_path / "config.yaml").read_text().replace("concurrency: 1}", "concurrency: 1, run_timeout_s: 12}")
    )
    started = time.monotonic()
    got = auditor("audit", "--config", "config.yaml", "--now", NOW, "--fail-on", "never", cwd=tmp_path)
    assert got.returncode == 0 and "Traceback" not in got.stderr, got.stderr
    assert time.monotonic() - started < 90  # the crawl stopped at 12 s; probes of what was read follow
    run = run_row(tmp_path / "h.db")
    assert run["status"] == "partial" and run["pages_seen"] >= 1
    assert any("到了运行时限 12 秒" in e for e in run["errors"])
