"""Command line: each command parses its arguments, calls one library function, prints."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from auditor.clock import parse_now
from auditor.config import Config, config_for_url, load_config
from auditor.errors import AuditorError
from auditor.i18n import label, t
from auditor.models import SEVERITY_ORDER, Finding

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
SEVERITIES = ["critical", "high", "medium", "low"]


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


def _audit(ctx: Ctx, url: str | None, store_name: str | None, fail_on: str, report: str | None = None) -> int:
    from auditor.pipeline import run_audit, write_report

    store = config_for_url(ctx.cfg, url) if url else ctx.cfg.store(store_name)
    now = ctx.now(store)
    bar, update = _progress()
    if bar:
        with bar:
            result = run_audit(ctx.cfg, store, now, update)
    else:
        result = run_audit(ctx.cfg, store, now)
    print_findings(result.findings, ctx.cfg.locale)
    out.print(
        t(
            "summary",
            ctx.cfg.locale,
            run=result.run_id,
            status=label(result.status, ctx.cfg.locale),
            pages=len(result.snapshot.pages),
            findings=len(result.findings),
            new=result.outcome.new,
            fixed=result.outcome.fixed,
            blocked=len(result.blocked),
            errors=len(result.errors),
        )
    )
    for e in result.errors:
        err.print(f"  ! {e[:300]}", markup=False, highlight=False)
    if result.unreachable:
        hosts = ", ".join(f"{h} ({n})" for h, n in list(result.unreachable.items())[:10])
        err.print(f"  ? 无法连接的主机（相关链接和图片记为未知）: {hosts}", markup=False, highlight=False)
    for u in result.notify_failed:
        err.print(f"  ! notification to {u} failed", markup=False)
    if report:
        write_report(ctx.cfg, Path(report), result.run_id)
        out.print(f"report: {report}")
    if result.status == "failed":  # what stops everything: exit 2, whatever --fail-on says
        first = next((e for e in result.errors if "start page" in e), result.errors[0] if result.errors else "")
        err.print(f"auditor: 运行失败：{first}", markup=False, highlight=False)
        return 2
    if fail_on == "never":
        return 0
    worst = max((SEVERITY_ORDER[f.severity] for f in result.findings), default=0)
    return 1 if worst >= SEVERITY_ORDER[fail_on] else 0


@cli.command()
@click.argument("url", required=False)
@click.option("--store", "store_name", help="which configured store (default: the first)")
@click.option(
    "--fail-on",
    type=click.Choice([*SEVERITIES, "never"]),
    default="high",
    show_default=True,
    help="exit 1 when a finding at or above this severity is open",
)
@click.option("--report", type=click.Path(dir_okay=False), help="also write the run's HTML report here")
@common
def audit(ctx: Ctx, url: str | None, store_name: str | None, fail_on: str, report: str | None) -> None:
    """Audit a store: crawl, probe, check, store the findings, print a summary.

    \b
    Examples:
      auditor audit --config config.yaml
      auditor audit https://shop.example.com/ --now 2026-11-20T09:00:00+08:00
    """
    sys.exit(_audit(ctx, url, store_name, fail_on, report))


@cli.command()
@click.option("--port", default=0, help="port for the fixture store (default: a free one)")
@click.option("--keep-serving", is_flag=True, help="keep the fixture store up after the audit")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    default="demo-report.html",
    show_default=True,
    help="the HTML report of the demo run",
)
@common
def demo(ctx: Ctx, port: int, keep_serving: bool, report: str) -> None:
    """Serve the bundled fixture store on loopback and audit it.

    \b
    Example:
      auditor demo --now 2026-11-20T09:00:00+08:00
    """
    from auditor.config import Store
    from auditor.demo_store import FixtureStore

    now = ctx.now()
    if ctx.cfg.storage.url == "sqlite:///auditor.db" and not Path("config.yaml").exists():
        ctx.cfg.storage.url = "sqlite:///auditor-demo.db"
    with FixtureStore(now, port=port) as fixture:
        out.print(f"fixture store: {fixture.url}")
        ctx.cfg.stores = [
            Store(name="demo", url=fixture.url, required=[{"name": "在线客服", "selector": "#cs-widget"}])
        ]  # type: ignore[list-item]
        code = _audit(ctx, None, "demo", "never", report)
        if keep_serving:
            out.print("serving; Ctrl-C to stop")
            try:
                import time

                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    sys.exit(code)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json", "jsonl"]), default="json", show_default=True)
@click.option("--status", multiple=True, help="only these statuses (repeatable)")
@click.option("--store", "store_name")
@click.option("--new-since-last-export", is_flag=True, help="only findings not exported before")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="file to write (default: stdout)")
@common
def export(
    ctx: Ctx, fmt: str, status: tuple[str, ...], store_name: str | None, new_since_last_export: bool, output: str | None
) -> None:
    """Export findings: JSON/JSONL as DESIGN "Finding", CSV/XLSX in the issue-log layout
    (检查项目, 页面, 区域, 问题记录, 严重程度, 检查人, 日期, 跟进人, 处理结果, 状态, 链接, 截图).

    \b
    Example:
      auditor export --format xlsx --status open --output 问题记录.xlsx
    """
    from auditor.export import render, write_atomic
    from auditor.store.db import open_db
    from auditor.store.repo import Repo

    repo = Repo(open_db(ctx.cfg.db_url))
    findings = repo.findings(store=store_name, status=list(status) or None, not_exported=new_since_last_export)
    data = render(findings, fmt, ctx.cfg.locale, ctx.cfg.checker, ctx.cfg.zone())
    if output:
        write_atomic(Path(output), data)
        err.print(f"{len(findings)} findings → {output}")
    else:
        if fmt == "xlsx":
            raise AuditorError("--format xlsx needs --output FILE")
        sys.stdout.buffer.write(data)
    if new_since_last_export:
        repo.mark_exported([f.id for f in findings if f.id is not None], ctx.now())


@cli.command()
@common
def doctor(ctx: Ctx) -> None:
    """Say what was found and whether it works: browser, OCR engine, database.

    \b
    Example:
      auditor doctor
    """
    from auditor.browser import browser_version, find_browser
    from auditor.store.db import open_db, safe_url

    ok = True
    try:
        choice = find_browser(install=False)
        out.print(f"browser:  {choice.executable or 'playwright chromium'} ({choice.source}) {browser_version(choice)}")
    except AuditorError as exc:
        ok = False
        out.print(f"browser:  NOT FOUND — {exc}")
    try:
        from importlib.metadata import version

        out.print(f"ocr:      rapidocr {version('rapidocr')} on onnxruntime {version('onnxruntime')}")
    except Exception as exc:  # a broken install is what doctor is for
        ok = False
        out.print(f"ocr:      NOT AVAILABLE — {exc}")
    try:
        open_db(ctx.cfg.db_url)
        out.print(f"database: {safe_url(ctx.cfg.db_url)} (opens, schema up to date)")
    except AuditorError as exc:
        ok = False
        out.print(f"database: {safe_url(ctx.cfg.db_url)} FAILS — {exc}")
    sys.exit(0 if ok else 2)


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="print the snapshot as JSON")
@click.option("--mobile", is_flag=True, help="read the page as a phone (iPhone profile)")
@common
def snapshot(ctx: Ctx, url: str, as_json: bool, mobile: bool) -> None:
    """Show what the crawler captured on one page: regions and their elements.

    \b
    Example:
      auditor snapshot http://127.0.0.1:8000/ --json
    """
    import asyncio

    from auditor.crawl.crawler import Crawler
    from auditor.crawl.profiles import resolve_profile

    store = config_for_url(ctx.cfg, url)
    settings = ctx.cfg.crawl_for(store).model_copy(update={"viewports": ["mobile" if mobile else "desktop"]})
    profile = resolve_profile(store.profile, store.selectors, store.soft_404_markers)
    result = asyncio.run(Crawler(store, settings, profile, None, ctx.now(store), only=[url]).run())
    page = result.snapshot.pages[0]
    if as_json:
        click.echo(page.model_dump_json(indent=2, exclude={"text"}))
        return
    out.print(f"{page.url} [{page.kind}] {page.title} status={page.status} {page.error or ''}")
    for r in page.regions:
        out.print(
            f"  {r.kind:13} {r.selector}  links={len(r.links)} images={len(r.images)} "
            f"slides={len(r.slides)} slots={len(r.slots)} texts={len(r.texts)}"
            + (f" rotates={r.rotates}" if r.rotates is not None else "")
        )


@cli.group()
def rules() -> None:
    """List and validate the rules in rules/."""


@rules.command("list")
@common
def rules_list(ctx: Ctx) -> None:
    """List every rule with its check, severity, regions and whether it is enabled.

    \b
    Example:
      auditor rules list
    """
    from auditor.pipeline import rules_for

    table = Table()
    for col in ("rule", "check", "severity", "regions", "enabled", "source"):
        table.add_column(col, overflow="fold")
    for r in rules_for(ctx.cfg):
        table.add_row(r.id, r.check, r.severity, ",".join(r.regions), "yes" if r.enabled else "no", r.source)
    out.print(table)


@rules.command("validate")
@common
def rules_validate(ctx: Ctx) -> None:
    """Validate every rule file (schema, check, parameters, regions); exit 2 on the first error.

    \b
    Example:
      auditor rules validate --config config.yaml
    """
    from auditor.pipeline import rules_for

    found = rules_for(ctx.cfg)
    own = sum(1 for r in found if not r.source.startswith("built-in"))
    where = f" (incl. {own} from {ctx.cfg.resolve(ctx.cfg.rules.dir)})" if ctx.cfg.rules.dir else ""
    out.print(f"{len(found)} rules valid{where}")


@cli.command("campaign-check")
@click.argument("name")
@click.option("--store", "store_name", help="which configured store (default: the first)")
@common
def campaign_check_cmd(ctx: Ctx, name: str, store_name: str | None) -> None:
    """The 100% check after a promotion ends: every page, prices restored, campaign pictures gone.

    Prints a verdict per product (restored / not restored) and per page (clean / still showing the
    campaign); exit code 1 when anything is left.

    \b
    Example:
      auditor campaign-check 双12 --now 2026-12-13T09:00:00+08:00
    """
    from auditor.pipeline import campaign_check

    store = ctx.cfg.store(store_name)
    bar, update = _progress()
    if bar:
        with bar:
            verdict = campaign_check(ctx.cfg, store, name, ctx.now(store), update)
    else:
        verdict = campaign_check(ctx.cfg, store, name, ctx.now(store))
    print_findings(verdict.result.findings, ctx.cfg.locale)
    table = Table(title=f"{name}: 商品价格 products")
    for col in ("商品 product", "结论 verdict"):
        table.add_column(col, overflow="fold")
    for url, title, ok in verdict.products:
        table.add_row(f"{title} {url}".strip(), "已恢复 restored" if ok else "未恢复 NOT restored")
    out.print(table)
    left = [u for u, ok in verdict.pages if not ok]
    out.print(
        f"页面 pages: {len(verdict.pages) - len(left)} 干净 clean, {len(left)} 仍有活动内容 still showing the campaign"
    )
    for u in left:
        out.print(f"  ✗ {u}", markup=False)
    sys.exit(1 if verdict.anything_left else 0)


@cli.command()
@common
def schedule(ctx: Ctx) -> None:
    """Run each store's audit on the configured cron (schedule.cron, in the store's timezone), with the
    configured export and notifications after each run. Jobs are kept in the database: a restart
    neither loses nor doubles a run. SIGTERM lets a running audit finish.

    \b
    Example:
      auditor schedule --config /etc/auditor/config.yaml
    """
    from auditor.schedule import run_scheduler

    path = ctx.config_path or "config.yaml"
    run_scheduler(path, ctx.now() if ctx.now_text else None, announce=lambda m: out.print(m, markup=False))


@cli.command("report")
@click.option("--run", "run_id", type=int, help="run id (default: the newest)")
@click.option("--store", "store_name")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="report.html", show_default=True)
@common
def report_cmd(ctx: Ctx, run_id: int | None, store_name: str | None, output: str) -> None:
    """Write the HTML report of a run again from the database: one file, no external resources.

    \b
    Example:
      auditor report --run 12 --output 巡检报告.html
    """
    from auditor.pipeline import write_report

    got = write_report(ctx.cfg, Path(output), run_id, store_name)
    out.print(f"run #{got} → {output}")


@cli.command()
@click.option("--url", default="https://shop.example.com/", show_default=True, help="the store's home page")
@click.option("--name", default="my-shop", show_default=True, help="the store's name in exports and reports")
@click.option("--output", "-o", default="config.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--now", "now", metavar="ISO", help="accepted for symmetry with every command; not used")
def init(url: str, name: str, output: str, now: str | None) -> None:
    """Write a commented starter config.yaml here (one store, the morning schedule, notifications
    commented out). An existing file is never overwritten.

    \b
    Example:
      auditor init --url https://shop.example.com/ --name 旗舰店
    """
    from auditor.starter import write_starter

    write_starter(Path(output), url, name)
    out.print(f"wrote {output}: edit the store, then run `auditor audit --config {output}`")


@cli.command()
@click.argument("text")
@common
def parse(ctx: Ctx, text: str) -> None:
    """Print, as JSON, the prices (value, role), date windows (start, end, state) and configured
    campaigns found in a text: why a finding was or was not raised.

    \b
    Example:
      auditor parse "双11到手价¥149 活动时间11.1-11.11" --now 2026-11-20T09:00:00+08:00
    """
    from auditor.parse import parse_text

    echo_json(parse_text(text, ctx.now(), ctx.cfg.campaigns))


def main() -> None:
    """The entry point: every failure ends as one line naming the cause and exit code 2
    (`--debug` anywhere on the line, or AUDITOR_DEBUG=1, adds the traceback)."""
    import os

    from auditor.cli_findings import findings, prices  # noqa: F401  (registers the commands)
    from auditor.pipeline import TerminatedError

    debug = "--debug" in sys.argv[1:] or os.environ.get("AUDITOR_DEBUG") == "1"
    args = [a for a in sys.argv[1:] if a != "--debug"]
    try:
        cli.main(args=args, prog_name="auditor", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        err.print("已中止 (aborted)")
        sys.exit(130)
    except TerminatedError:
        err.print("已中止：收到 SIGTERM，本次运行记为 aborted (terminated)")
        sys.exit(143)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except AuditorError as exc:
        if debug:
            err.print_exception()
        err.print(f"auditor: 错误：{one_line(str(exc))}", markup=False, highlight=False)
        sys.exit(2)
    except Exception as exc:
        if debug:
            err.print_exception()
        where = "" if debug else "（加 --debug 查看详细信息）"
        err.print(
            f"auditor: 运行失败：{type(exc).__name__}: {one_line(str(exc))}{where}", markup=False, highlight=False
        )
        sys.exit(2)


def one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
