"""The README's usage examples, run as written (against the fixture store, with --now): the README
cannot drift from the tool. `schedule` and `demo --keep-serving` run until stopped; the scheduler
has its own tests and CI runs `make demo`."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from auditor.demo_store import FixtureStore
from tests.conftest import ROOT, auditor

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.network]
NOW = "2026-11-20T09:00:00+08:00"
LONG_RUNNING = {"schedule", "demo"}


def usage_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Usage for operators", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.strip().splitlines()]


def test_every_usage_example_runs(tmp_path: Path, fixture_store: FixtureStore) -> None:
    lines = usage_lines()
    assert len(lines) >= 15
    base = fixture_store.url
    ids: list[str] = []
    for line in lines:
        args = shlex.split(line)
        assert args[0] == ".venv/bin/auditor", line
        args = args[1:]
        if args[0] in LONG_RUNNING:
            continue
        args = [a.replace("https://shop.example.com/products/x", base + "products/linen-shirt") for a in args]
        args = [a.replace("https://shop.example.com/", base) for a in args]
        if args[0] in ("findings", "report") and ids:  # the README's example ids: findings that exist here
            args = [{"12": ids[0], "15": ids[1]}.get(a, a) for a in args]
        if "--now" not in args:
            args += ["--now", NOW]
        got = auditor(*args, cwd=tmp_path)
        assert got.returncode in (0, 1), f"{line}\n{got.stdout[-2000:]}\n{got.stderr[-2000:]}"
        assert "Traceback" not in got.stderr, line
        if args[0] == "init":  # the starter config, made quick and given the README's campaign
            config = (tmp_path / "config.yaml").read_text(encoding="utf-8")
            # the commands run; their findings are tested elsewhere
            quick = "max_pages: 8\n  carousel_watch_ms: 1500\n  #"
            config = config.replace("max_pages: 60", quick).replace("campaigns: []", CAMPAIGN)
            (tmp_path / "config.yaml").write_text(f"storage: {{url: sqlite:///audit.db}}\n{config}", encoding="utf-8")
        if args[0] == "audit" and not ids:
            listed = auditor("export", "--format", "json", "--now", NOW, cwd=tmp_path)
            ids = [str(f["id"]) for f in json.loads(listed.stdout)][:2]
            assert len(ids) == 2
    assert (tmp_path / "问题记录.xlsx").is_file() and (tmp_path / "巡检报告.html").is_file()


CAMPAIGN = """campaigns:
  - name: 双12
    keywords: [双12, 双十二, "12.12"]
    start: 2026-12-08T00:00:00+08:00
    end: 2026-12-12T23:59:59+08:00
    products:
      - {url: /products/linen-shirt, promo_price: 149, regular_price: 199}"""


def test_readme_config_keys_are_the_config_models() -> None:
    """Every key the config reference lists exists in the models (and the other way round for crawl)."""
    from auditor.config import CrawlSettings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`crawl\.(\w+)`|`\.(\w+)`", readme.split("## Config reference", 1)[1].split("##", 1)[0]))
    names = {a or b for a, b in listed}
    missing = set(CrawlSettings.model_fields) - names
    assert not missing, f"crawl settings not in the README's config reference: {missing}"
