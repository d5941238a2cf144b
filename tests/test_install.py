"""An installed auditor (a wheel, not the checkout) works from any folder: built-in rules, init, a
one-off audit of a URL, the issue log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.demo_store import FixtureStore
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.network]
NOW = "2026-11-20T09:00:00+08:00"


def test_the_wheel_works_from_an_empty_folder(tmp_path: Path, fixture_store: FixtureStore) -> None:
    wheels, site, empty = tmp_path / "wheels", tmp_path / "site", tmp_path / "empty"
    empty.mkdir()
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True)
    (wheel,) = wheels.glob("storefront_auditor-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    # the installed copy comes first on the path; its dependencies are the test environment's
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "auditor", *args], cwd=empty, env=env, capture_output=True, text=True, timeout=600
        )

    where = subprocess.run(
        [sys.executable, "-c", "import auditor; print(auditor.__file__)"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(site)), where.stdout
    rules = run("rules", "list", "--now", NOW)
    assert rules.returncode == 0 and "built-in" in rules.stdout and "dead-link" in rules.stdout, rules.stderr
    init = run("init", "--url", fixture_store.url, "--name", "试用店")
    assert init.returncode == 0 and (empty / "config.yaml").is_file()
    assert run("init").returncode == 2  # never overwritten
    audit = run("audit", fixture_store.url + "status/404", "--now", NOW, "--db", "sqlite:///gone.db")
    assert audit.returncode == 2  # a home page that 404s: the run failed, one line
    audit = run("audit", fixture_store.url + "patterns/links.html", "--now", NOW, "--db", "sqlite:///a.db")
    assert audit.returncode == 1, audit.stderr  # high findings: the dead links on the page
    assert "死链" in audit.stdout
    export = run("export", "--format", "xlsx", "--output", "问题记录.xlsx", "--db", "sqlite:///a.db", "--now", NOW)
    assert export.returncode == 0 and (empty / "问题记录.xlsx").stat().st_size > 1000, export.stderr
