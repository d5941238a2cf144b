"""The 100% check after a promotion ends, with the audit clock moved across the campaign's days,
and price history across runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.demo_store import FixtureStore
from tests.conftest import ROOT, auditor

pytestmark = [pytest.mark.browser, pytest.mark.network, pytest.mark.slow]


def config(work: Path, store: FixtureStore, campaign: str) -> None:
    (work / "config.yaml").write_text(
        f"storage: {{url: sqlite:///audit.db}}\nrules: {{dir: {ROOT / 'rules'}}}\n"
        f"crawl: {{carousel_watch_ms: 1500}}\n"
        f"stores:\n  - {{name: shop, url: '{store.url}'}}\ncampaigns:\n{campaign}",
        encoding="utf-8",
    )


def run(work: Path, *args: str) -> Any:
    return auditor(*args, "--config", "config.yaml", cwd=work)


def test_configured_products_across_the_campaign_end(tmp_path: Path, fixture_store: FixtureStore) -> None:
    config(
        tmp_path,
        fixture_store,
        "  - {name: 双11, keywords: [双11, 双十一], start: '2026-11-01T00:00:00+08:00', "
        "end: '2026-11-11T23:59:59+08:00', products: [{url: /products/linen-shirt, promo_price: 199, "
        "regular_price: 259}, {url: /products/tea-cup, promo_price: 59, regular_price: 68}]}\n",
    )
    during = run(tmp_path, "campaign-check", "双11", "--now", "2026-11-11T20:00:00+08:00")
    assert "未恢复" not in during.stdout and "price-not-restored" not in during.stdout, during.stdout
    after = run(tmp_path, "campaign-check", "双11", "--now", "2026-11-12T09:00:00+08:00")
    assert after.returncode == 1, after.stderr
    lines = after.stdout.splitlines()
    shirt = next(i for i, line in enumerate(lines) if "/products/linen-shirt" in line)
    cup = next(
        i
        for i, line in enumerate(lines)
        if "/products/tea-cup" in line and "restored" in " ".join(lines[i - 1 : i + 1])
    )
    assert "未恢复 NOT restored" in " ".join(lines[shirt - 1 : shirt + 1])
    assert "已恢复 restored" in " ".join(lines[cup - 1 : cup + 1])
    assert "仍有活动内容" in after.stdout and "促销已过期" in after.stdout


def test_prices_observed_during_the_campaign(tmp_path: Path) -> None:
    from tests.conftest import CLOCK

    with FixtureStore(CLOCK) as store:
        config(
            tmp_path,
            store,
            "  - {name: 年终清仓, keywords: [年终清仓], start: '2026-12-08T00:00:00+08:00', "
            "end: '2026-12-12T23:59:59+08:00'}\n",
        )
        assert run(tmp_path, "audit", "--now", "2026-12-01T09:00:00+08:00", "--fail-on", "never").returncode == 0
        store.products["kettle"]["price"] = 129  # the campaign price
        assert run(tmp_path, "audit", "--now", "2026-12-09T09:00:00+08:00", "--fail-on", "never").returncode == 0
        left = run(tmp_path, "campaign-check", "年终清仓", "--now", "2026-12-13T09:00:00+08:00")
        assert left.returncode == 1 and "/products/kettle" in left.stdout and "未恢复" in left.stdout, left.stdout
        history = run(tmp_path, "prices", store.url + "products/kettle", "--json")
        assert [round(p["price"]) for p in __import__("json").loads(history.stdout)] == [159, 129, 129]
        store.products["kettle"]["price"] = 159  # restored
        done = run(tmp_path, "campaign-check", "年终清仓", "--now", "2026-12-14T09:00:00+08:00")
        assert done.returncode == 0, done.stdout
        assert "/products/kettle" not in done.stdout and "0 仍有活动内容" in done.stdout
