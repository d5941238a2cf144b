"""The whole pipeline as an operator runs it: `auditor audit` on the fixture store in a real Chromium,
compared with fixtures/truth.yaml; a second audit updates the same findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.network, pytest.mark.slow]
TRUTH = yaml.safe_load((ROOT / "fixtures" / "truth.yaml").read_text(encoding="utf-8"))


def _path(url: str | None, base: str) -> str | None:
    if url is None or not url.startswith(base.rstrip("/")):
        return url
    parts = urlsplit(url)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def test_audit_finds_exactly_the_planted_defects(audited: dict[str, Any]) -> None:
    assert audited["first"].returncode == 1, audited["first"].stderr  # high findings → exit 1
    base = audited["base"]
    checks_run = {t["check"] for t in TRUTH["findings"]}
    got = {(f["check"], f["region"], _path(f["target"], base)) for f in audited["findings"] if f["check"] in checks_run}
    want = {(t["check"], t["region"], t["target"]) for t in TRUTH["findings"]}
    assert len(got) == len([f for f in audited["findings"] if f["check"] in checks_run]), "duplicate findings"
    assert got - want == set(), f"reported but not planted: {sorted(got - want, key=str)}"
    assert want - got == set(), f"planted but missed: {sorted(want - got, key=str)}"


def test_traps_are_not_reported(audited: dict[str, Any]) -> None:
    base = audited["base"]
    for trap in TRUTH["traps"]:
        for f in audited["findings"]:
            if f["check"] != trap["check"]:
                continue
            assert "target" not in trap or _path(f["target"], base) != trap["target"], (trap, f)
            assert "region" not in trap or f["region"] != trap["region"], (trap, f)


def test_evidence_says_why(audited: dict[str, Any]) -> None:
    base = audited["base"]
    for t in TRUTH["findings"]:
        f = next(
            (
                f
                for f in audited["findings"]
                if f["check"] == t["check"]
                and _path(f["target"], base) == t["target"]
                and ("slot" not in t or f["evidence"].get("slot") == t["slot"])
            ),
            None,
        )
        assert f is not None, t
        if "reason" in t:
            assert str(f["evidence"]["reason"]).startswith(t["reason"]), (t, f["evidence"])
        if "source" in t:
            assert f["evidence"]["source"] == t["source"], (t, f["evidence"])
        if "selector" in t:
            assert f["evidence"]["selector"] == t["selector"], (t, f["evidence"])
        assert f["message"] and f["fingerprint"]
        assert _path(f["page"], base) == t.get("page", "/"), (t, f["page"])


def test_second_audit_updates_the_same_findings(audited: dict[str, Any]) -> None:
    findings = audited["findings"]
    assert len({f["fingerprint"] for f in findings}) == len(findings)
    assert all(f["occurrences"] == 2 and f["status"] == "open" for f in findings), [
        (f["id"], f["occurrences"]) for f in findings if f["occurrences"] != 2
    ]
    assert all(f["first_seen"] < f["last_seen"] for f in findings)


def test_finding_objects_have_the_design_fields(audited: dict[str, Any]) -> None:
    fields = {
        "id",
        "check",
        "rule",
        "severity",
        "status",
        "store",
        "page",
        "region",
        "target",
        "message",
        "evidence",
        "screenshot",
        "fingerprint",
        "first_seen",
        "last_seen",
        "occurrences",
        "assignee",
        "resolution",
    }
    for f in audited["findings"]:
        assert fields <= set(f)
    shots = [f["screenshot"] for f in audited["findings"] if f["region"] in ("showcase", "banner", "nav")]
    assert shots and all(s and Path(s).is_file() for s in shots)


def test_second_audit_of_an_unchanged_store_runs_no_ocr(audited: dict[str, Any]) -> None:
    import sqlite3

    with sqlite3.connect(audited["work"] / "audit.db") as db:
        rows = db.execute("SELECT status, timings FROM runs ORDER BY id").fetchall()
    first, second = (json.loads(t) for _, t in rows)
    assert [r[0] for r in rows] == ["complete", "complete"]
    assert first["ocr_images"] > 0 and second["ocr_images"] == 0
    # `--timings` says where the time went, stage by stage, in the operator's language
    table = audited["first"].stdout
    for stage in (
        "抓取：打开页面",
        "抓取：观察轮播",
        "抓取：拍整页截图",
        "检查：图片文字识别",
        "检查：链接探测",
        "规则：截取问题截图",
        "规则（秒）",
    ):
        assert stage in table, (stage, table[-2000:])
    assert f"文字识别的图片数 {first['ocr_images']}" in " ".join(table.split()), table[-2000:]
