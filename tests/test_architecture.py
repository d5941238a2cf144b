"""The shape the design fixes: dependencies point one way, and every command is documented."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from auditor.cli import cli
from tests.conftest import ROOT

PKG = ROOT / "auditor"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize(
    "path",
    [PKG / "engine.py", *sorted((PKG / "checks").glob("*.py")), *sorted((PKG / "parse").glob("*.py"))],
    ids=lambda p: p.name,
)
def test_checks_and_engine_never_reach_upstream(path: Path) -> None:
    """A check is a pure function of the snapshot: no browser, no HTTP, no database."""
    bad = {
        m
        for m in imports(path)
        if m.startswith(
            (
                "auditor.crawl",
                "auditor.probes",
                "auditor.store",
                "auditor.cli",
                "auditor.pipeline",
                "playwright",
                "httpx",
                "sqlalchemy",
            )
        )
    }
    assert not bad, f"{path.name} imports {bad}"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix}{name} ")
        else:
            out.append((f"{prefix}{name}", cmd))
    return out


def test_every_command_has_help_and_an_example() -> None:
    import auditor.cli_findings  # noqa: F401  (registers its commands)

    for name, cmd in _commands(cli):
        assert cmd.help and "Example" in cmd.help, f"auditor {name}: no help with an example"
        assert any(p.name == "now" for p in cmd.params), f"auditor {name}: no --now"


def test_every_command_is_in_the_readme() -> None:
    import auditor.cli_findings  # noqa: F401

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, _ in _commands(cli):
        top = name.split()[0]
        assert f"auditor {top}" in readme, f"auditor {top} is not in the README"


def test_parse_command_prints_json() -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "parse",
            "双11到手价¥149 满300减50 活动时间11.1-11.11",
            "--now",
            "2026-11-20T09:00:00+08:00",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    data = json.loads(r.stdout)
    assert [p["value"] for p in data["prices"]] == [149.0]
    assert [w["state"] for w in data["windows"]] == ["ended"]


@pytest.mark.browser
def test_doctor_finds_browser_ocr_and_database(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "auditor", "doctor", "--db", f"sqlite:///{tmp_path / 'd.db'}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "browser:" in r.stdout and "rapidocr" in r.stdout and "opens, schema up to date" in r.stdout
