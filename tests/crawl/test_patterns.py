"""Patterns from real storefront markup (bench/realworld/), each reproduced by a small page of our own
(fixtures/patterns/) and audited through the CLI in real Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.demo_store import FixtureStore
from tests.conftest import ROOT, auditor

pytestmark = [pytest.mark.browser, pytest.mark.network]
NOW = "2026-11-20T09:00:00+08:00"


@pytest.fixture(scope="module")
def findings(fixture_store: FixtureStore, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    work: Path = tmp_path_factory.mktemp("patterns")
    (work / "config.yaml").write_text(
        f"storage: {{url: sqlite:///p.db}}\nrules: {{dir: {ROOT / 'rules'}}}\n"
        f"stores:\n  - name: patterns\n    url: {fixture_store.url}patterns/links.html\n"
        "crawl: {max_depth: 0, carousel_watch_ms: 3000}\n",
        encoding="utf-8",
    )
    audit = auditor("audit", "--config", "config.yaml", "--now", NOW, "--fail-on", "never", cwd=work)
    assert audit.returncode == 0, audit.stderr
    exported = auditor("export", "--config", "config.yaml", "--format", "json", cwd=work)
    base = fixture_store.url.rstrip("/")
    out = json.loads(exported.stdout)
    for f in out:
        f["target"] = (f["target"] or "").removeprefix(base)
    return out


def of(findings: list[dict[str, Any]], check: str) -> dict[str, dict[str, Any]]:
    return {f["target"]: f for f in findings if f["check"] == check}


def test_menu_entry_removed_on_mouseleave_is_still_probed(findings: list[dict[str, Any]]) -> None:
    dead = of(findings, "dead-link")
    assert dead["/status/404"]["region"] == "nav"
    assert dead["/status/404"]["evidence"]["reason"] == "http-404"


def test_misspelled_schemes_are_dead_and_real_placeholders_are_not(findings: list[dict[str, Any]]) -> None:
    dead = of(findings, "dead-link")
    assert dead["javascritp:;"]["evidence"]["reason"] == "bad-scheme: javascritp"
    assert dead["javasrcipt:;;"]["evidence"]["reason"] == "bad-scheme: javasrcipt"
    assert "javascript:;" not in dead and "#" not in dead


def test_relative_javascript_file_in_the_page_region_is_probed(findings: list[dict[str, Any]]) -> None:
    dead = of(findings, "dead-link")
    assert dead["/patterns/javascript"]["region"] == "page"


def test_links_inside_a_carousel_beside_its_slides_are_probed(findings: list[dict[str, Any]]) -> None:
    assert of(findings, "dead-link")["/status/410"]["region"] == "kv"


def test_hidden_mobile_copy_of_the_menu_is_not_audited(findings: list[dict[str, Any]]) -> None:
    assert not [f for f in findings if "mobile-only" in f["target"]]


def test_css_background_that_404s_is_a_broken_image(findings: list[dict[str, Any]]) -> None:
    assert of(findings, "broken-image")["/i/slogan2016.png"]["evidence"]["reason"] == "http-404"


def test_padding_and_object_fit_are_not_distortion(findings: list[dict[str, Any]]) -> None:
    assert of(findings, "distorted-image") == {}
