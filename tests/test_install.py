"""An installed auditor (a wheel, not the checkout) works from any folder: built-in rules, init, a
one-off audit of a URL, the issue log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from auditor.demo_store import FixtureStore
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.network]
NOW = "2026-11-20T09:00:00+08:00"


def test_the_wheel_works_from_an_empty_folder(tmp_path: Path, fixture_store: FixtureStore) -> None:
    wheels, venv, empty = tmp_path / "wheels", tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True)
    (wheel,) = wheels.glob("storefront_auditor-*.whl")
    # a new venv with the wheel installed (and its `auditor` command); the dependencies are the test
    # environment's, put on its path (no network for pip here) — never the checkout
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [str(python), "-m", "pip", "-q", "--disable-pip-version-check", "install", "--no-deps", "--no-index",
         str(wheel)],
        check=True,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | {"COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / "auditor"), *args], cwd=empty, env=env, capture_output=True, text=True, timeout=600
        )

    where = subprocess.run(
        [str(python), "-c", "import auditor; print(auditor.__file__)"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(site), where.stdout
    rules = run("rules", "list", "--now", NOW)
    assert rules.returncode == 0 and "built-in" in rules.stdout and "dead-link" in rules.stdout, rules.stderr
    demo = run("demo", "--now", NOW)  # the bundled store, served from the installed package's data
    assert demo.returncode == 0 and "fixture store: http://127.0.0.1" in demo.stdout, demo.stderr
    assert re.search(r"运行 #1 完成：\d+ 个页面", demo.stdout) and (empty / "demo-report.html").stat().st_size > 10_000
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
