"""Config: strict models; errors name the file, the line and the key; exit code 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.config import load_config
from auditor.errors import ConfigError
from tests.conftest import ROOT


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    p = write(tmp_path, "timezone: Asia/Shanghai\nstores:\n  - name: a\n    url: http://a.test/\n    profle: generic\n")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert str(e.value) == f"{p}:5: stores.0.profle: unknown key"


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    p = write(tmp_path, "crawl:\n  max_pages: many\n")
    with pytest.raises(ConfigError, match=r"config.yaml:2: crawl.max_pages: .*integer"):
        load_config(p)


def test_bad_timezone_and_relative_store_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r":1: timezone: .*unknown timezone 'Mars/Base'"):
        load_config(write(tmp_path, "timezone: Mars/Base\n"))
    with pytest.raises(ConfigError, match=r":3: stores.0.url: .*absolute"):
        load_config(write(tmp_path, "stores:\n  - name: a\n    url: /shop\n"))


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope.yaml: file not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match=r"config.yaml:3: not valid YAML"):
        load_config(write(tmp_path, "stores:\n  - name: [a\n"))


def test_env_overrides_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config(write(tmp_path, "storage: {url: sqlite:///x.db}\n"))
    assert cfg.db_url == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("AUDITOR_DB_URL", "postgresql+psycopg://u@h/db")
    assert cfg.db_url == "postgresql+psycopg://u@h/db"


def test_shipped_config_is_valid() -> None:
    cfg = load_config(ROOT / "config.yaml")
    assert cfg.stores[0].name == "demo" and cfg.campaigns[0].name == "双12"


@pytest.mark.parametrize(
    "command",
    [
        ["audit"],
        ["export", "--format", "csv", "--output", "out.csv"],
        ["findings", "list"],
        ["rules", "list"],
        ["doctor"],
    ],
)
def test_cli_bad_config_exits_2_and_writes_nothing(tmp_path: Path, command: list[str]) -> None:
    write(tmp_path, "storage: {url: sqlite:///audit.db}\nbogus: 1\n")
    r = subprocess.run(
        [sys.executable, "-m", "auditor", *command, "--config", "config.yaml", "--now", "2026-11-20T09:00:00+08:00"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert "config.yaml:2: bogus: unknown key" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_bad_now_is_a_usage_error(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "auditor", "findings", "list", "--now", "yesterday"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "--now 'yesterday'" in r.stderr


def test_an_operators_rules_dir_adds_a_rule_and_replaces_one_by_id(tmp_path: Path) -> None:
    (tmp_path / "my-rules").mkdir()
    (tmp_path / "my-rules" / "nav-dead-link.yaml").write_text(
        "id: nav-dead-link\ncheck: dead-link\nseverity: critical\nregions: [nav]\n"
        "message: {zh-CN: '导航死链', en: 'Dead nav link'}\ndocs: dead links in the nav are critical for us\n",
        encoding="utf-8",
    )
    builtin = (ROOT / "rules" / "distorted-image.yaml").read_text(encoding="utf-8")
    assert "severity: medium" in builtin
    (tmp_path / "my-rules" / "distorted-image.yaml").write_text(
        builtin.replace("severity: medium", "severity: low"), encoding="utf-8"
    )
    write(tmp_path, "storage: {url: sqlite:///audit.db}\nrules: {dir: my-rules}\n")
    r = subprocess.run(
        [sys.executable, "-m", "auditor", "rules", "list", "--config", "config.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert r.returncode == 0, r.stderr
    rows = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[1:-1]]
        for line in r.stdout.splitlines()
        if line.startswith("│")
    }
    assert rows["nav-dead-link"][2] == "严重" and rows["nav-dead-link"][5].endswith("nav-dead-link.yaml")
    assert rows["distorted-image"][2] == "低" and rows["distorted-image"][5].endswith("my-rules/distorted-image.yaml")
    assert rows["dead-link"][5] == "built-in (dead-link.yaml)"
