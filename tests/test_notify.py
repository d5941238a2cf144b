"""Notifications speak the team's language (config `locale`): Chinese by default, English on request."""

from __future__ import annotations

import re

from auditor.models import Finding
from auditor.notify import compose, off_sale_notice

CJK = re.compile(r"[\u4e00-\u9fff]")


def finding(check: str, severity: str, n: int, **extra: object) -> Finding:
    return Finding(check=check, rule=check, severity=severity, store="s", page=f"http://s/p{n}", region="kv",
                   message=f"m{n}", fingerprint=f"f{n}", **extra)  # type: ignore[arg-type]  # fmt: skip


FINDINGS = [finding("broken-image", "low", 1), finding("dead-link", "high", 2), finding("dead-link", "critical", 3)]


def test_a_run_notification_in_chinese_by_default() -> None:
    title, body = compose("旗舰店", 7, "complete", FINDINGS, {"f2", "f3"}, "high")
    assert title == "[店铺巡检] 旗舰店 运行 #7 完成：3 个问题，新增 2"
    assert body.splitlines() == ["- [严重] 死链 @ 聚焦图: m3", "- [高] 死链 @ 聚焦图: m2"]
    assert compose("旗舰店", 7, "complete", FINDINGS, set(), "high")[1] == "没有新的严重问题。"


def test_a_run_notification_in_english() -> None:
    title, body = compose("Flagship", 7, "complete", FINDINGS, {"f2", "f3"}, "high", "en")
    assert title == "[Storefront audit] Flagship run #7 complete: 3 findings, 2 new"
    assert body.splitlines() == ["- [Critical] Dead link @ KV: m3", "- [High] Dead link @ KV: m2"]
    assert not CJK.search(title + body)


def test_the_off_sale_list_for_customer_service_in_both_languages() -> None:
    gone = [finding("product-unavailable", "high", 4, evidence={"title": "Linen shirt"}, target="http://s/p4")]
    zh = off_sale_notice("旗舰店", gone)
    assert zh == ("[店铺巡检] 旗舰店：1 个商品下架/缺货", "- Linen shirt：m4（http://s/p4）")
    en = off_sale_notice("Flagship", gone, "en")
    assert en == ("[Storefront audit] Flagship: 1 products off sale or out of stock", "- Linen shirt: m4 (http://s/p4)")


def test_every_notification_title_has_both_languages_and_english_is_english() -> None:
    from auditor.i18n import WORDS, t

    keys = [k for k in WORDS if k.startswith("notify_")]
    assert {"notify_run_failed", "notify_task_failed", "notify_task_gave_up", "notify_export_failed"} <= set(keys)
    values = {"store": "旗舰店", "run": 7, "status": "complete", "findings": 3, "new": 2, "n": 1}
    for key in keys:
        assert set(WORDS[key]) == {"zh-CN", "en"}, key
        english = t(key, "en", **values).replace("旗舰店", "")
        assert not CJK.search(english), (key, english)
