"""Competitor watch and the 下架/缺货清单, end to end: our store and a rival's served together on
loopback, their prices and our availability moved between three mornings with --now, audited through
the CLI in real Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import ROOT, auditor

pytestmark = [pytest.mark.browser, pytest.mark.network]
DAYS = ["2026-11-18T09:00:00+08:00", "2026-11-19T09:00:00+08:00", "2026-11-20T09:00:00+08:00"]


def product_page(title: str, price: float | None, availability: str = "InStock") -> str:
    offer = (
        f', "offers": {{"@type": "Offer", "price": "{price}", "priceCurrency": "CNY", '
        f'"availability": "https://schema.org/{availability}"}}'
        if price is not None
        else ""
    )
    shown = f"<p class='price'>¥{price}</p>" if price is not None else "<p>价格请咨询客服</p>"
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f'<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "Product", '
        f'"name": "{title}"{offer}}}</script></head><body><h1>{title}</h1>{shown}</body></html>'
    )


def tmall_page(title: str, price: float) -> str:
    """A rival product page as Tmall writes it: no JSON-LD, no microdata, a price panel."""
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}-tmall.com天猫</title>'
        "<style>.tm-price{font-size:24px;color:#c40000;font-weight:700}</style></head><body>"
        f'<div class="tb-detail-hd"><h1>{title}</h1></div><dl class="tm-price-panel"><dt>价格</dt>'
        f'<dd><em class="tm-yen">¥</em><span class="tm-price">{price:.2f}</span></dd></dl>'
        '<div class="tm-ind-sellCount">月销量 <span class="tm-count">1288</span></div></body></html>'
    )


def write_day(ours: Path, rival: Path, day: int) -> None:
    (ours / "products").mkdir(parents=True, exist_ok=True)
    (rival / "item").mkdir(parents=True, exist_ok=True)
    (ours / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>我们的店</title></head><body>'
        '<nav><a href="/">首页</a> <a href="/products/cup.html">茶杯</a> <a href="/products/bowl.html">碗</a>'
        ' <a href="/products/pot.html">茶壶</a> <a href="/products/mat.html">杯垫</a></nav></body></html>',
        encoding="utf-8",
    )
    (ours / "products" / "cup.html").write_text(product_page("陶瓷茶杯", 100), encoding="utf-8")
    (ours / "products" / "bowl.html").write_text(product_page("粗陶碗", 50), encoding="utf-8")
    pot = product_page("紫砂茶壶", 80, "InStock" if day == 0 else "Discontinued")
    (ours / "products" / "pot.html").write_text(pot, encoding="utf-8")
    # ours as Tmall writes it (no structured data): on sale by its price, then 已下架 and no price
    mat = tmall_page("竹制杯垫", 25) if day == 0 else (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>竹制杯垫-tmall.com天猫</title>'
        '</head><body><div class="tb-detail-hd"><h1>竹制杯垫</h1></div><p>很抱歉，此商品已下架</p></body></html>'
    )  # fmt: skip
    (ours / "products" / "mat.html").write_text(mat, encoding="utf-8")
    promo = "双12预售 12月1日-12月12日 茶杯到手价¥79" + (" | 新品茶壶限时特惠 ¥199" if day >= 1 else "")
    (rival / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>对手店</title></head><body>'
        f'<div class="notice"><h3>店铺公告</h3><p>{promo}</p></div>'
        # a banner whose words are only in the picture (双12预告 爆款提前抢 12月8日开启): read by OCR
        '<a href="/item/1.html"><img src="/banner.png" width="600" height="200" alt=""></a>'
        '<a href="/item/1.html">茶杯</a> <a href="/item/2.html">碗</a></body></html>',
        encoding="utf-8",
    )
    shutil.copy(ROOT / "auditor" / "demo" / "img" / "kv-double12.png", rival / "banner.png")
    cup = 85 if day < 2 else 82  # price by appearance; the third morning it moves (the dashboard shows it)
    (rival / "item" / "1.html").write_text(tmall_page("对手茶杯", cup), encoding="utf-8")
    (rival / "item" / "2.html").write_text(product_page("对手碗", 60 if day == 0 else 30), encoding="utf-8")
    (rival / "item" / "3.html").write_text(product_page("对手茶壶", None), encoding="utf-8")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: Any) -> None:
        pass


class Hook(http.server.BaseHTTPRequestHandler):
    """The team's and customer service's chat webhooks: keeps what apprise posts, with the path."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        Hook.received.append({"path": self.path, **json.loads(body or b"{}")})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def serve(handler: Any) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def mornings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("competitors")
    ours, rival, work = root / "ours", root / "rival", root / "work"
    work.mkdir()
    write_day(ours, rival, 0)
    servers = [serve(functools.partial(Quiet, directory=str(d))) for d in (ours, rival)]
    hook = serve(Hook)
    our_url, rival_url = (f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
    (work / "config.yaml").write_text(
        f"""storage: {{url: 'sqlite:///{work / "a.db"}'}}
crawl: {{max_depth: 1, carousel_watch_ms: 1500}}
campaigns:
  - {{name: 双12, keywords: [双十二], start: "2026-12-01T00:00:00+08:00", end: "2026-12-12T23:59:59+08:00"}}
notify:
  urls: ["json://127.0.0.1:{hook.server_address[1]}/team"]
  customer_service: ["json://127.0.0.1:{hook.server_address[1]}/kefu"]
stores:
  - name: 我们
    url: {our_url}/index.html
    competitors:
      - name: 对手
        url: {rival_url}/index.html
        products:
          - {{url: {rival_url}/item/1.html, ours: /products/cup.html}}
          - {{url: {rival_url}/item/2.html, ours: /products/bowl.html}}
          - {{url: {rival_url}/item/3.html, ours: /products/pot.html}}
""",
        encoding="utf-8",
    )
    runs = []
    for day, now in enumerate(DAYS):
        write_day(ours, rival, day)
        before = len(Hook.received)
        audit = auditor("audit", "--config", "config.yaml", "--now", now, "--fail-on", "never", cwd=work)
        assert audit.returncode == 0, audit.stderr
        found = json.loads(auditor("export", "--config", "config.yaml", "--format", "json", cwd=work).stdout)
        told = Hook.received[before:]
        runs.append(
            {
                "audit": audit,
                "findings": found,
                "hook": [m for m in told if m["path"] == "/kefu"],
                "team": [m for m in told if m["path"] == "/team"],
            }
        )
    alone = auditor("competitors", "--config", "config.yaml", "--now", DAYS[2], "--fail-on", "never", cwd=work)
    xlsx = auditor("export", "--config", "config.yaml", "--format", "xlsx", "--output", "log.xlsx", cwd=work)
    yield {"runs": runs, "alone": alone, "work": work, "ours": our_url, "rival": rival_url, "xlsx": xlsx}
    for s in [*servers, hook]:
        s.shutdown()


def low_price(findings: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (f["target"].rsplit("/", 1)[-1], f["evidence"]["reason"]): f
        for f in findings
        if f["check"] == "competitor-low-price" and f["status"] not in ("fixed",)
    }


def test_a_rival_below_our_price_is_found_and_a_dearer_one_is_not(mornings: dict[str, Any]) -> None:
    day1 = low_price(mornings["runs"][0]["findings"])
    assert set(day1) == {("1.html", "lower")}  # 85 < 100 × 0.95; 60 > 50 is no finding
    f = day1[("1.html", "lower")]  # their price read from a Tmall price panel, without structured data
    assert f["page"] == mornings["ours"] + "/products/cup.html" and f["severity"] == "medium"
    assert f["evidence"]["our_price"] == 100 and f["evidence"]["their_price"] == 85 and f["evidence"]["gap"] == 15
    assert f["evidence"]["their_read_at"].startswith("2026-11-18")


def test_a_sudden_drop_is_high(mornings: dict[str, Any]) -> None:
    day2 = low_price(mornings["runs"][1]["findings"])
    drop = day2[("2.html", "sudden-drop")]
    assert drop["severity"] == "high" and drop["evidence"]["median_14d"] == 60 and drop["evidence"]["their_price"] == 30
    assert ("2.html", "lower") in day2  # 30 is also below our 50


def test_an_unreadable_rival_price_is_a_run_error_not_a_finding(mornings: dict[str, Any]) -> None:
    audit = mornings["runs"][0]["audit"]
    assert "item/3.html：价格没有读到（no price on the page）" in audit.stderr
    assert not [f for f in mornings["runs"][0]["findings"] if f["target"] and f["target"].endswith("3.html")]


def test_a_delisted_product_is_listed_once_and_customer_service_told_once(mornings: dict[str, Any]) -> None:
    runs = mornings["runs"]
    gone = [[f for f in r["findings"] if f["check"] == "product-unavailable"] for r in runs]
    assert gone[0] == []
    day2, mat2 = sorted(gone[1], key=lambda f: f["target"].endswith("mat.html"))
    assert day2["target"].endswith("/products/pot.html") and day2["severity"] == "medium"
    assert day2["evidence"]["before"] == "on_sale" and day2["evidence"]["after"] == "delisted"
    # the Tmall-like one: on sale by the price it showed, delisted by what it says now
    assert mat2["target"].endswith("/products/mat.html") and mat2["evidence"]["after"] == "delisted"
    day3, mat3 = sorted(gone[2], key=lambda f: f["target"].endswith("mat.html"))
    assert day3["id"] == day2["id"] and day3["status"] == "open" and day3["first_seen"] == day2["first_seen"]
    assert mat3["id"] == mat2["id"]
    assert [len(r["hook"]) for r in runs] == [0, 1, 0]  # told the morning it went, not again
    told = json.dumps(runs[1]["hook"][0], ensure_ascii=False)
    assert "紫砂茶壶" in told and "竹制杯垫" in told and "tmall.com" not in told  # by its heading, not its title
    assert mornings["xlsx"].returncode == 0, mornings["xlsx"].stderr
    sheet = load_workbook(mornings["work"] / "log.xlsx")["下架缺货清单"]
    rows = sorted(list(sheet.iter_rows(values_only=True))[1:])
    assert [(r[0], *r[2:4]) for r in rows] == [("竹制杯垫", "在售", "已下架"), ("紫砂茶壶", "在售", "已下架")]


def test_rival_changes_are_reported(mornings: dict[str, Any]) -> None:
    day1, day2 = mornings["runs"][0]["audit"].stdout, mornings["runs"][1]["audit"].stdout
    assert "竞品 对手: 2 条促销" in day1 and "竞品动态" not in day1  # nothing to compare with on the first read
    assert "竞品动态: 新活动" in day2 and "新品茶壶限时特惠" in day2
    assert "价格变化" in day2 and "¥60 → ¥30" in day2
    # ... and in the team's notification of that morning, not in the first one
    team = [json.dumps(r["team"], ensure_ascii=False) for r in mornings["runs"]]
    assert [len(r["team"]) for r in mornings["runs"]] == [1, 1, 1]
    assert "竞品动态" not in team[0]
    assert "竞品动态" in team[1] and "新品茶壶限时特惠" in team[1] and "¥60 → ¥30" in team[1]


def test_rival_promotions_are_read_from_text_and_pictures_with_the_campaigns_they_name(
    mornings: dict[str, Any],
) -> None:
    with sqlite3.connect(mornings["work"] / "a.db") as db:
        (data,) = db.execute("SELECT data FROM rival_snapshots ORDER BY id LIMIT 1").fetchone()
    promotions = {p["source"]: p for p in json.loads(data)["promotions"]}
    assert set(promotions) == {"text", "ocr"}
    assert "12月8日" in promotions["ocr"]["text"] and promotions["ocr"]["campaigns"] == ["双12"]
    notice = promotions["text"]
    assert notice["campaigns"] == ["双12"] and 79 in notice["prices"]
    assert notice["windows"] and notice["windows"][0]["start"].startswith("2026-12-01")


def test_the_watch_alone(mornings: dict[str, Any]) -> None:
    alone = mornings["alone"]
    assert alone.returncode == 0, alone.stderr
    assert "竞品 对手" in alone.stdout and "价格没有读到" in alone.stderr


def test_rival_changes_in_the_report_and_the_console(mornings: dict[str, Any]) -> None:
    from fastapi.testclient import TestClient

    from auditor.config import load_config
    from auditor.store.db import open_db
    from auditor.store.repo import Repo
    from auditor.web.app import create_app

    work = mornings["work"]
    report = auditor("report", "--config", "config.yaml", "--run", "2", "--output", "r.html", cwd=work)
    assert report.returncode == 0, report.stderr
    html = (work / "r.html").read_text(encoding="utf-8")
    assert "竞品动态" in html and "价格变化" in html and "新品茶壶限时特惠" in html
    cfg = load_config(work / "config.yaml")
    Repo(open_db(cfg.db_url)).add_user("组长", "viewer", "watch-pass")
    token = Repo(open_db(cfg.db_url)).new_token("组长")
    console = TestClient(create_app(cfg))
    page = console.get("/runs/2", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200 and "竞品动态" in page.text and "¥60 → ¥30" in page.text
    dashboard = console.get("/", headers={"Authorization": f"Bearer {token}"}).text  # the last run's, per store
    assert "竞品动态" in dashboard and "对手: " in dashboard and "¥85 → ¥82" in dashboard
