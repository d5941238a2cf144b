"""What changed on a rival's home page is measured against the last time it was read: a morning its
home page failed (an error, a bot wall) ends none of its campaigns, and the next good read does not
announce them all as new."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.competitors import changes, home_read
from auditor.models import Page
from auditor.store.db import open_db
from auditor.store.repo import Repo

NOW = datetime.fromisoformat("2026-11-20T09:00:00+08:00")


def snapshot(read: bool, promotions: list[str], prices: dict[str, float | None]) -> dict[str, Any]:
    return {
        "home_read": read,
        "promotions": [{"text": p} for p in promotions],
        "slides": [],
        "prices": prices,
    }


def test_a_failed_home_page_ends_no_campaign_and_its_return_starts_none(tmp_path: Path) -> None:
    repo = Repo(open_db(f"sqlite:///{tmp_path / 'a.db'}"))
    day1 = snapshot(True, ["双12预售"], {"p": 85.0, "q": 60.0})
    day2 = snapshot(False, [], {"p": 80.0, "q": None})  # the home page answered 503, q's page an error
    day3 = snapshot(True, ["双12预售", "年货节"], {"p": 80.0, "q": 55.0})
    run = repo.start_run("我们", NOW, "audit", None)

    def seen(now: dict[str, Any]) -> list[dict[str, Any]]:
        return changes(repo.last_rival("我们", "对手", home_read=True), repo.last_rival_prices("我们", "对手"), now)

    repo.record_rival(run, "我们", "对手", NOW, day1)
    assert seen(day2) == [{"kind": "price-change", "url": "p", "before": 85.0, "after": 80.0}]  # no "ended"
    repo.record_rival(run, "我们", "对手", NOW, day2)
    assert seen(day3) == [  # 双12预售 was there on the last read; q moved from the last price read of it
        {"kind": "new-promotion", "text": "年货节"},
        {"kind": "price-change", "url": "q", "before": 60.0, "after": 55.0},
    ]
    # snapshots kept before `home_read` was: their status says
    old = {"home_status": 503, "promotions": [], "slides": [], "prices": {}}
    repo.record_rival(run, "我们", "对手", NOW, old)
    assert repo.last_rival("我们", "对手", home_read=True)["promotions"] == day1["promotions"]


def test_what_counts_as_read() -> None:
    page = Page(url="http://r/", final_url="http://r/", status=200)
    assert home_read(page)
    assert not home_read(None)
    assert not home_read(page.model_copy(update={"status": 503}))
    assert not home_read(page.model_copy(update={"status": 200, "blocked": True}))
    assert not home_read(page.model_copy(update={"status": None, "error": "页面 30 秒内没有读完"}))
