"""The web console: logins and roles, CSRF, triage, exports, the JSON API, escaping — against the real
FastAPI app and a real SQLite database (and, for run-now, a real audit in Chromium)."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from auditor.config import load_config
from auditor.models import REGION_KINDS, Finding, Page
from auditor.store.db import open_db, utc
from auditor.store.repo import Repo
from auditor.store.tables import Run
from auditor.web.app import Job, create_app
from tests.conftest import CLOCK, auditor

NOW = "2026-11-20T09:00:00+08:00"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def finding(n: int, severity: str, check: str = "dead-link", message: str = "") -> Finding:
    return Finding(
        check=check,
        rule=check,
        severity=severity,  # type: ignore[arg-type]
        store="shop",
        page="http://shop.test/",
        region="nav",
        target="javascript:alert(1)" if n == 3 else f"http://shop.test/p{n}",
        message=message or f"问题 {n}",
        evidence={"text": HOSTILE},
        fingerprint=f"fp{n}",
    )


@pytest.fixture
def console(tmp_path: Path) -> Iterator[dict[str, Any]]:
    (tmp_path / "config.yaml").write_text(
        f"storage: {{url: 'sqlite:///{tmp_path / 'a.db'}'}}\n"
        "stores: [{name: shop, url: 'http://shop.test/'}]\n"
        "campaigns: [{name: 双11, start: '2026-11-01T00:00:00+08:00', end: '2026-11-11T23:59:59+08:00'}]\n",
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "config.yaml")
    repo = Repo(open_db(cfg.db_url))
    run_id = repo.start_run("shop", CLOCK)
    repo.record(
        run_id,
        [finding(1, "high"), finding(2, "low"), finding(3, "critical", message=HOSTILE), finding(4, "medium")],
        [Page(url="http://shop.test/")],
        True,
        ["dead-link"],
        CLOCK,
    )
    repo.finish_run(run_id, "complete", pages_seen=1, findings_total=4)
    for name, role in (("admin", "admin"), ("op", "operator"), ("view", "viewer")):
        repo.add_user(name, role, f"{name}-password")
    app = create_app(cfg, NOW)
    yield {"app": app, "repo": repo, "dir": tmp_path}


def client(console: dict[str, Any], who: str | None = None) -> TestClient:
    c = TestClient(console["app"], follow_redirects=False)
    if who:
        r = login(c, who, f"{who}-password")
        assert r.status_code == 303, r.text
    return c


def csrf_of(c: TestClient, path: str = "/login") -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert m, "no CSRF field in the form"
    return m.group(1)


def login(c: TestClient, name: str, password: str) -> Any:
    return c.post("/login", data={"name": name, "password": password, "csrf": csrf_of(c), "next": "/"})


def test_anonymous_is_sent_to_login_and_the_api_says_401(console: dict[str, Any]) -> None:
    c = client(console)
    assert c.get("/").status_code == 303 and c.get("/").headers["location"].startswith("/login")
    assert c.get("/findings/1").status_code == 303
    assert c.get("/api/findings").status_code == 401
    assert c.post("/api/findings/1/resolve", json={"note": "x"}).status_code == 401


def test_session_cookie_is_httponly_and_samesite(console: dict[str, Any]) -> None:
    c = client(console)
    r = login(c, "view", "view-password")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_wrong_password_then_throttled(console: dict[str, Any]) -> None:
    c = client(console)
    assert login(c, "op", "wrong").status_code == 401
    for _ in range(4):
        login(c, "op", "wrong")
    # the sixth try is refused even with the right password: the window must pass first
    r = login(c, "op", "op-password")
    assert r.status_code == 429 and "秒后再试" in r.text
    # another name from the same address is not locked out
    assert login(client(console), "view", "view-password").status_code == 303


def test_a_form_post_without_the_csrf_token_is_refused(console: dict[str, Any]) -> None:
    c = client(console, "op")
    r = c.post("/findings/bulk", data={"ids": ["1"], "action": "resolve", "note": "x"})
    assert r.status_code == 403
    r = c.post("/findings/bulk", data={"ids": ["1"], "action": "resolve", "note": "x", "csrf": "forged"})
    assert r.status_code == 403
    assert console["repo"].findings(ids=[1])[0].status == "open"


def test_findings_most_severe_first_escaped_and_in_chinese(console: dict[str, Any]) -> None:
    c = client(console, "view")
    html = c.get("/findings").text
    order = [int(i) for i in re.findall(r'<td><a href="/findings/(\d+)">', html)]
    assert order == [3, 1, 4, 2]  # critical, high, medium, low
    assert "严重" in html and "死链" in html and "待处理" in html
    detail = c.get("/findings/3").text
    for page in (html, detail):  # the page's markup is shown as text, never as elements
        soup = BeautifulSoup(page, "html.parser")
        assert not soup.find_all("script") and not soup.find_all(attrs={"onerror": True})
        assert HOSTILE in soup.get_text()
    assert 'href="javascript:' not in detail  # a javascript: target is shown, never linked
    assert 'target="_blank" rel="noopener noreferrer nofollow"' in detail


def test_a_viewer_reads_but_cannot_triage(console: dict[str, Any]) -> None:
    c = client(console, "view")
    r = c.post("/findings/bulk", data={"ids": ["1"], "action": "resolve", "note": "x", "csrf": csrf_of(c, "/findings")})
    assert r.status_code == 403
    assert c.get("/users").status_code == 403
    assert "立即巡检" not in c.get("/").text


def test_bulk_assign_and_resolve_with_history(console: dict[str, Any]) -> None:
    c = client(console, "op")
    token = csrf_of(c, "/findings")
    r = c.post(
        "/findings/bulk",
        data={"ids": ["1", "2"], "action": "assign", "assignee": "小王", "csrf": token, "back": "/findings"},
    )
    assert r.status_code == 303
    repo: Repo = console["repo"]
    assert [(f.status, f.assignee) for f in repo.findings(ids=[1, 2])] == [("assigned", "小王")] * 2
    r = c.post("/findings/1/resolve", data={"csrf": token, "note": "已替换链接"})
    assert r.status_code == 303
    page = c.get("/findings/1").text
    assert "已替换链接" in page and "op" in page and "已指派" in page  # who, when, from → to
    assert [(e.who, e.to_status) for e in repo.events(1)][-2:] == [("op", "assigned"), ("op", "resolved")]
    # resolving needs a note: refused with a message, nothing changed
    r = c.post("/findings/bulk", data={"ids": ["4"], "action": "resolve", "note": "", "csrf": token})
    assert r.status_code == 400 and repo.findings(ids=[4])[0].status == "open"
    # ...in the console's own page, with a link back that works under its no-script policy
    assert "操作未完成" in r.text and '<a href="/findings">' in r.text and "javascript:" not in r.text
    assert c.get(r.text.split('<a href="')[-1].split('"')[0]).status_code == 200


def set_screenshots(console: dict[str, Any], shots: dict[int, str]) -> None:
    """Findings' screenshot paths written straight into the database (as if edited by hand, or restored)."""
    import sqlite3

    with sqlite3.connect(console["dir"] / "a.db") as db:
        for n, path in shots.items():
            db.execute("UPDATE findings SET screenshot = ? WHERE id = ?", (path, n))


def test_a_screenshot_is_served_only_from_the_screenshots_folder(console: dict[str, Any]) -> None:
    from PIL import Image

    work: Path = console["dir"]
    (work / "screenshots").mkdir()
    Image.new("RGB", (4, 4), "red").save(work / "screenshots" / "ok.png")
    Image.new("RGB", (4, 4), "blue").save(work / "secret.png")
    set_screenshots(
        console,
        {
            1: str(work / "screenshots" / "ok.png"),
            2: str(work / "screenshots" / ".." / "secret.png"),
            4: "/etc/passwd",
        },
    )
    c = client(console, "view")
    ok = c.get("/findings/1/shot")
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png" and ok.content.startswith(b"\x89PNG")
    assert c.get("/findings/2/shot").status_code == 404  # ../ out of the folder
    assert c.get("/findings/4/shot").status_code == 404  # anywhere else on the machine
    assert client(console).get("/findings/1/shot").status_code == 303  # and never without a login


def test_the_filters_keep_what_was_chosen(console: dict[str, Any]) -> None:
    c = client(console, "view")
    page = c.get("/findings?severity=high&region=nav&assignee=小王&new_since=2026-11-19").text
    assert 'value="2026-11-19"' in page and 'value="小王"' in page
    assert '<option value="high" selected>' in page and '<option value="nav" selected>导航</option>' in page


def test_the_region_filter_offers_every_region_by_its_name(console: dict[str, Any]) -> None:
    c = client(console, "view")
    soup = BeautifulSoup(c.get("/findings").text, "html.parser")
    region = soup.find("select", attrs={"name": "region"})
    assert region is not None, "the region filter is a choice, not a box wanting the internal key"
    options = {o["value"]: o.get_text() for o in region.find_all("option")}
    assert options[""] == "区域: 全部" and options["nav"] == "导航" and options["product.price"] == "商品价格"
    assert set(options) == {"", *REGION_KINDS}
    assert not region.find_all("option", selected=True)  # nothing chosen: every region
    assert c.get("/findings?region=kv").text.count('<td><a href="/findings/') == 0  # all four are in nav
    assert c.get("/findings?region=nav").text.count('<td><a href="/findings/') == 4


def test_refusals_are_pages_of_the_console_with_a_way_back(console: dict[str, Any]) -> None:
    c = client(console, "view")
    r = c.get("/findings/999")
    assert r.status_code == 404 and "no finding #999" in r.text and '<a href="/findings">' in r.text
    token = csrf_of(c, "/findings")
    r = c.post("/findings/1/resolve", data={"csrf": token, "note": "x"})
    assert r.status_code == 403 and "<nav>" in r.text and '<a href="/findings/1">' in r.text
    assert c.get("/api/findings/999").json() == {"detail": "no finding #999"}  # the API stays JSON
    r = c.get("/no/such/page")  # the router's own 404, too
    assert r.status_code == 404 and "<nav>" in r.text and '<a href="/no">' in r.text


def test_export_of_the_current_filter_in_the_checklist_columns(console: dict[str, Any]) -> None:
    c = client(console, "view")
    r = c.get("/findings/export?format=csv&severity=high&severity=critical")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {"检查项目", "问题记录", "检查人", "日期", "跟进人", "处理结果"} <= set(rows[0])
    assert len(rows) == 3  # header + the critical and the high finding
    xlsx = c.get("/findings/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_dashboard_trend_next_run_and_campaign_button(console: dict[str, Any]) -> None:
    c = client(console, "op")
    html = c.get("/").text
    assert '<svg class="trend"' in html and "<circle" in html  # one run so far: one point
    assert "shop" in html and "下次计划运行" in html and "2026-11-21 08:30" in html  # default cron 30 8 * * *
    assert 'class="sev sev-critical"' in html and "立即巡检" in html
    campaigns = c.get("/campaigns").text
    assert "活动结束检查" in campaigns  # 双11 ended before the clock


def test_the_dashboard_shows_the_last_run_however_old_it_is(console: dict[str, Any]) -> None:
    repo: Repo = console["repo"]
    month_ago = datetime.fromisoformat("2026-10-20T09:00:00+08:00")
    with repo.sessions.begin() as s:  # the only run was a month before the clock
        run = s.get(Run, 1)
        assert run is not None
        run.clock = run.started_at = utc(month_ago)
    html = client(console, "view").get("/").text
    assert "还没有运行过" not in html and '<a href="/runs/1">#1</a>' in html
    assert "<circle" not in html  # the trend still covers 14 days only: no point in it


def test_api_with_bearer_tokens_and_roles(console: dict[str, Any]) -> None:
    repo: Repo = console["repo"]
    viewer, operator = repo.new_token("view"), repo.new_token("op")
    c = TestClient(console["app"])
    as_viewer = {"Authorization": f"Bearer {viewer}"}
    as_operator = {"Authorization": f"Bearer {operator}"}
    found = c.get("/api/findings?severity=critical", headers=as_viewer).json()
    assert [f["id"] for f in found] == [3] and found[0]["check"] == "dead-link"
    assert c.get("/api/findings/2", headers=as_viewer).json()["severity"] == "low"
    paged = c.get("/api/findings?limit=2&offset=1", headers=as_viewer)  # most severe first, a page at a time
    assert [f["id"] for f in paged.json()] == [1, 4] and paged.headers["x-total-count"] == "4"
    assert c.get("/api/findings?limit=0", headers=as_viewer).status_code == 400
    assert c.post("/api/findings/2/resolve", json={"note": "ok"}, headers=as_viewer).status_code == 403
    r = c.post("/api/findings/2/resolve", json={"note": "已处理"}, headers=as_operator)
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["resolution"] == "已处理"
    assert c.post("/api/findings/2/ignore", json={}, headers=as_operator).status_code == 400
    assert c.get("/api/findings/99", headers=as_viewer).status_code == 404
    assert c.get("/api/findings", headers={"Authorization": "Bearer aud_wrong"}).status_code == 401
    # a browser session calling the API must send the CSRF header
    s = client(console, "op")
    assert s.post("/api/findings/4/acknowledge", json={}).status_code == 403
    token = csrf_of(s, "/findings")
    assert s.post("/api/findings/4/acknowledge", json={}, headers={"X-CSRF-Token": token}).status_code == 200
    # a disabled user's token stops working at once
    repo.disable_user("view")
    assert c.get("/api/findings", headers=as_viewer).status_code == 401


def test_admin_manages_users(console: dict[str, Any]) -> None:
    c = client(console, "admin")
    token = csrf_of(c, "/users")
    r = c.post("/users", data={"name": "美工小李", "role": "viewer", "password": "design-pass", "csrf": token})
    assert r.status_code == 303 and "美工小李" in c.get("/users").text
    assert login(client(console), "美工小李", "design-pass").status_code == 303
    c.post("/users/美工小李/disable", data={"csrf": token})
    assert login(client(console), "美工小李", "design-pass").status_code == 401
    assert client(console, "op").get("/users").status_code == 403


def test_english_console(console: dict[str, Any]) -> None:
    cfg = load_config(console["dir"] / "config.yaml")
    cfg.locale = "en"
    c = TestClient(create_app(cfg, NOW), follow_redirects=False)
    assert login(c, "view", "view-password").status_code == 303
    html = c.get("/findings").text
    assert "Dead link" in html and "Critical" in html and "死链" not in html


def test_serve_without_an_admin_says_how_to_create_one(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(f"storage: {{url: 'sqlite:///{tmp_path / 'a.db'}'}}\n", encoding="utf-8")
    r = auditor("serve", "--config", "config.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "auditor user add" in r.stderr
    add = auditor("user", "add", "boss", "--role", "admin", "--password-stdin", "--config", "config.yaml", cwd=tmp_path)
    assert add.returncode == 2 and "8" in add.stderr  # empty stdin: too short a password, nothing added
    r = auditor("user", "list", "--json", "--config", "config.yaml", cwd=tmp_path)
    assert r.stdout.strip() == "[]"


def operator_api(tmp_path: Path, config: str) -> tuple[Any, dict[str, str]]:
    """The console over this config.yaml (SQLite in tmp_path), and an operator's bearer header."""
    (tmp_path / "config.yaml").write_text(
        f"storage: {{url: 'sqlite:///{tmp_path / 'a.db'}'}}\n{config}", encoding="utf-8"
    )
    cfg = load_config(tmp_path / "config.yaml")
    repo = Repo(open_db(cfg.db_url))
    repo.add_user("op", "operator", "op-password")
    return create_app(cfg, NOW), {"Authorization": f"Bearer {repo.new_token('op')}"}


@pytest.mark.browser
@pytest.mark.network
def test_run_now_audits_the_store_in_the_background(tmp_path: Path, fixture_store: Any) -> None:
    app, auth = operator_api(
        tmp_path,
        f"stores: [{{name: patterns, url: '{fixture_store.url}patterns/links.html'}}]\n"
        "crawl: {max_depth: 0, carousel_watch_ms: 2000}\n",
    )
    c = TestClient(app)
    assert c.post("/api/runs", json={"store": "nope"}, headers=auth).status_code == 400
    r = c.post("/api/runs", json={"store": "patterns", "kind": "audit"}, headers=auth)
    assert r.status_code == 202 and r.json()["state"] in ("queued", "running")
    job = r.json()["job"]
    again = c.post("/api/runs", json={"store": "patterns", "kind": "audit"}, headers=auth)
    assert again.status_code == 409 and "being audited" in again.json()["error"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state = c.get(f"/api/jobs/{job}", headers=auth).json()
        if state["state"] in ("done", "failed"):
            break
        time.sleep(1)
    assert state["state"] == "done", state
    run = c.get(f"/api/runs/{state['run']}", headers=auth).json()
    assert run["status"] in ("complete", "partial") and run["pages_seen"] >= 1
    assert run["pid"] != os.getpid()  # the audit ran in a worker process the console started
    progress = run["progress"]  # what the run last said it was doing, recorded for watchers
    assert progress["stage"] in ("pages", "links") and progress["done"] == progress["total"] >= 1
    found = c.get("/api/findings?check=dead-link", headers=auth).json()
    assert any(f["target"].endswith("/status/404") for f in found)


def test_a_user_without_a_password_never_logs_in(console: dict[str, Any]) -> None:
    console["repo"].add_user("bot", "viewer", None)  # scripts only: a token, no password
    assert login(client(console), "bot", "not a password anyone has").status_code == 401
    assert login(client(console), "bot", "").status_code == 401
    c = client(console, "admin")
    r = c.post("/users", data={"name": "x", "role": "viewer", "password": "short", "csrf": csrf_of(c, "/users")})
    assert r.status_code == 400 and "8" in r.text


OK = (200, 303)
ROUTES = [  # (method, path, least role, what a role allowed gets): every page and action of the console and its API
    ("GET", "/", "viewer", OK),
    ("GET", "/findings", "viewer", OK),
    ("GET", "/findings/1", "viewer", OK),
    ("GET", "/findings/1/shot", "viewer", OK),
    ("GET", "/findings/export?format=csv", "viewer", OK),
    ("GET", "/runs", "viewer", OK),
    ("GET", "/runs/1", "viewer", OK),
    ("GET", "/runs/1/report", "viewer", OK),
    ("GET", "/campaigns", "viewer", OK),
    ("GET", "/users", "admin", OK),
    ("POST", "/findings/bulk", "operator", OK),
    ("POST", "/findings/1/acknowledge", "operator", OK),
    ("POST", "/runs", "operator", (400,)),  # run now, of a store not configured: refused, no audit started
    ("POST", "/users", "admin", OK),
    ("POST", "/users/view/disable", "admin", OK),
    ("GET", "/api/findings", "viewer", OK),
    ("GET", "/api/findings/1", "viewer", OK),
    ("GET", "/api/runs/1", "viewer", OK),
    ("GET", "/api/jobs/1", "viewer", OK),
    ("POST", "/api/findings/1/acknowledge", "operator", OK),
    ("POST", "/api/runs", "operator", (400,)),
]
RANK = {None: -1, "viewer": 0, "operator": 1, "admin": 2}
WHO = {None: None, "viewer": "view", "operator": "op", "admin": "admin"}


@pytest.mark.parametrize(("method", "path", "least", "ok"), ROUTES)
@pytest.mark.parametrize("role", [None, "viewer", "operator", "admin"])
def test_every_route_for_every_role(
    console: dict[str, Any], method: str, path: str, least: str, ok: tuple[int, ...], role: str | None
) -> None:
    from PIL import Image

    shots: Path = console["dir"] / "screenshots"  # finding 1 has a screenshot, job 1 has finished
    shots.mkdir()
    Image.new("RGB", (4, 4), "red").save(shots / "1.png")
    set_screenshots(console, {1: str(shots / "1.png")})
    console["app"].state.runner.jobs[1] = Job(id=1, store="shop", kind="audit", by="op", state="done", run_id=1)
    c = client(console, WHO[role])
    token = csrf_of(c, "/login")
    if method == "GET":
        r = c.get(path)
    elif path.startswith("/api/"):
        r = c.post(path, json={"store": "no-such-store"}, headers={"X-CSRF-Token": token})
    else:
        r = c.post(
            path,
            data={
                "csrf": token,
                "ids": ["2"],
                "action": "acknowledge",
                "name": "n",
                "role": "viewer",
                "password": "long-enough",
                "store": "no-such-store",
            },
        )
    if role is None:
        assert r.status_code == (401 if path.startswith("/api/") else 303), (path, r.status_code)
    elif RANK[role] < RANK[least]:
        assert r.status_code == 403, (role, path, r.status_code)
    else:
        assert r.status_code in ok, (role, path, r.status_code, r.text[:200])
    assert list(console["app"].state.runner.jobs) == [1]  # whoever asked, no audit was started
    assert "default-src 'none'" in r.headers["content-security-policy"]  # no script of any origin
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer"


def test_a_worker_that_fails_ends_its_job_failed_with_the_cause(tmp_path: Path) -> None:
    app, auth = operator_api(tmp_path, "stores: [{name: shop, url: 'http://127.0.0.1:9/'}]\n")
    c = TestClient(app)
    (tmp_path / "config.yaml").write_text("stores: [{name: shop, url: 'http://127.0.0.1:9/', bogus: 1}]\n")
    job = c.post("/api/runs", json={"store": "shop"}, headers=auth).json()["job"]
    deadline = time.monotonic() + 60
    while (state := c.get(f"/api/jobs/{job}", headers=auth).json())["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert state["state"] == "failed" and "bogus" in state["error"] and "config.yaml:1" in state["error"]
    assert state["run"] is None  # nothing was started, nothing is left running


def test_run_now_that_the_queue_cannot_take_leaves_no_job_behind(tmp_path: Path) -> None:
    app, auth = operator_api(
        tmp_path, "workers: {broker_url: 'redis://127.0.0.1:9/0'}\nstores: [{name: shop, url: 'http://127.0.0.1:9/'}]\n"
    )
    c = TestClient(app, headers=auth)
    r = c.post("/api/runs", json={"store": "shop"})
    assert r.status_code == 400 and "PostgreSQL" in r.json()["error"]  # workers need a shared database
    assert app.state.runner.jobs == {}
    again = c.post("/api/runs", json={"store": "shop"})
    assert again.status_code == 400 and "being audited" not in again.json()["error"]
