"""Command line, shared parts: the `auditor` group, --config/--now/--db, the consoles, the findings table."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from auditor.clock import parse_now
from auditor.config import Config, load_config
from auditor.i18n import label, t
from auditor.models import SEVERITY_ORDER, Finding

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Ctx:
    def __init__(self, config: str | None, now: str | None, db: str | None) -> None:
        import os

        if db:
            os.environ["AUDITOR_DB_URL"] = db
        self.cfg: Config = load_config(config)
        self.config_path = config
        self.now_text = now
        self.now()  # a bad --now is a usage error before anything runs

    def now(self, store: Any = None) -> datetime:
        return parse_now(self.now_text, self.cfg.zone(store))


def common(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --now and --db on every command."""

    @click.option("--config", "config", type=click.Path(dir_okay=False), help="config.yaml (default ./config.yaml)")
    @click.option("--now", "now", metavar="ISO", help="the audit clock, e.g. 2026-11-20T09:00:00+08:00")
    @click.option("--db", "db", metavar="URL", help="database URL (overrides storage.url and AUDITOR_DB_URL)")
    @functools.wraps(fn)
    def wrapper(config: str | None, now: str | None, db: str | None, **kw: Any) -> Any:
        return fn(Ctx(config, now, db), **kw)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="storefront-auditor")
def cli() -> None:
    """Storefront Auditor: checks shop pages the way operators do every morning.

    \b
    Example:
      auditor audit --config config.yaml --now 2026-11-20T09:00:00+08:00
    """


def _progress() -> tuple[Progress | None, Callable[[str, int, int], None]]:
    if not err.is_terminal:
        return None, lambda *_: None
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True)
    tasks: dict[str, Any] = {}

    def update(what: str, done: int, total: int) -> None:
        key = "links" if what == "links" else "pages"
        if key not in tasks:
            tasks[key] = bar.add_task("检查链接 links" if key == "links" else "抓取页面 pages", total=total)
        bar.update(tasks[key], completed=done, total=total)

    return bar, update


_URL = re.compile(r"https?://\S+")


def shorten_urls(text: str, keep: int = 60) -> str:
    """A terminal line is no place for a 6,000-character URL: its start and end (full URLs are in
    `findings show` and the exports)."""
    return _URL.sub(lambda m: m.group(0) if len(m.group(0)) <= keep else f"{m.group(0)[:40]}…{m.group(0)[-15:]}", text)


def print_findings(findings: list[Finding], locale: str) -> None:
    if not findings:
        out.print(t("no_findings", locale))
        return
    # one line per finding, so the table reads at 80 columns; `findings show ID` has everything
    table = Table(show_lines=False, box=None, pad_edge=False)
    for col in ("id", "severity", "check", "region", "message", "status"):
        table.add_column(t(col, locale), no_wrap=True, overflow="ellipsis", ratio=4 if col == "message" else None)
    for f in sorted(findings, key=lambda f: (-SEVERITY_ORDER[f.severity], f.check, f.id or 0)):
        table.add_row(
            str(f.id),
            label(f.severity, locale),
            label(f.check, locale),
            label(f.region, locale),
            shorten_urls(f.message),
            label(f.status, locale),
        )
    out.print(table)


def one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
