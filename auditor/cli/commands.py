"""Command line: the audit, demo, export, doctor, snapshot, rules, campaign-check, schedule, report,
init and parse commands. Each parses its arguments, calls one library function, prints."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from auditor.cli.base import (
    Ctx,
    _progress,
    cli,
    common,
    echo_json,
    err,
    out,
    print_findings,
)
from auditor.config import config_for_url
from auditor.errors import AuditorError
from auditor.i18n import label, stage_label, t
from auditor.models import SEVERITY_ORDER
from auditor.vocabulary import SEVERITIES, RunStatus


def _audit(
    ctx: Ctx,
    url: str | None,
    store_name: str | None,
    fail_on: str,
    report: str | None = None,
    show_timings: bool = False,
    competitors_only: bool = False,
) -> int:
    from auditor.export import write_report
    from auditor.i18n import describe_change
    from auditor.pipeline import run_audit, watch_competitors

    store = config_for_url(ctx.cfg, url) if url else ctx.cfg.store(store_name)
    now = ctx.now(store)
    run = watch_competitors if competitors_only else run_audit
    bar, update = _progress()
    if bar:
        with bar:
            result = run(ctx.cfg, store, now, update)
    else:
        result = run(ctx.cfg, store, now)
    if (
        result.status == RunStatus.FAILED
    ):  # what stops everything: one line naming the cause, exit 2, whatever --fail-on says
        err.print(f"auditor: 运行失败：{result.cause or ''} (run #{result.run_id})", markup=False, highlight=False)
        if report:  # a scheduled `--report` still gets the failed run's report (its errors, its timings)
            write_report(ctx.cfg, Path(report), result.run_id)
        return 2
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
    for rival in result.rivals:
        read = ", ".join(f"{u} ¥{p:g}" if p is not None else f"{u} ?" for u, p in rival["prices"].items())
        out.print(f"竞品 {rival['competitor']}: {len(rival['promotions'])} 条促销, {read}", markup=False)
        for change in rival["changes"]:
            out.print(f"  竞品动态: {describe_change(change, ctx.cfg.locale)}", markup=False, highlight=False)
    if result.unreachable:
        hosts = ", ".join(f"{h} ({n})" for h, n in list(result.unreachable.items())[:10])
        err.print(f"  ? 无法连接的主机（相关链接和图片记为未知）: {hosts}", markup=False, highlight=False)
    for u in result.notify_failed:
        err.print(f"  ! {t('err_notify_failed', ctx.cfg.locale, url=u)}", markup=False)
    if show_timings:
        table = Table(title=t("timings_title", ctx.cfg.locale), box=None)
        table.add_column(t("timings_stage", ctx.cfg.locale))
        table.add_column(t("timings_value", ctx.cfg.locale), justify="right")
        for stage, value in result.timings.items():
            if not stage.startswith("rule:"):
                table.add_row(stage_label(stage, ctx.cfg.locale), f"{value:g}")
        out.print(table)
    if report:
        write_report(ctx.cfg, Path(report), result.run_id)
        out.print(f"report: {report}")
    if fail_on == "never":
        return 0
    worst = max((SEVERITY_ORDER[f.severity] for f in result.findings), default=0)
    return 1 if worst >= SEVERITY_ORDER[fail_on] else 0


fail_on_option = click.option(
    "--fail-on",
    type=click.Choice([*SEVERITIES, "never"]),
    default="high",
    show_default=True,
    help="exit 1 when a finding at or above this severity is open",
)


@cli.command()
@click.argument("url", required=False)
@click.option("--store", "store_name", help="which configured store (default: the first)")
@fail_on_option
@click.option("--report", type=click.Path(dir_okay=False), help="also write the run's HTML report here")
@click.option("--timings", "show_timings", is_flag=True, help="print where the time went, stage by stage")
@click.option("--enqueue", is_flag=True, help="put the audit on the workers' queue instead (`--store`, or every store)")
@common
def audit(
    ctx: Ctx,
    url: str | None,
    store_name: str | None,
    fail_on: str,
    report: str | None,
    show_timings: bool,
    enqueue: bool,
) -> None:
    """Audit a store: crawl, probe, check, store the findings, print a summary.

    \b
    Examples:
      auditor audit --config config.yaml
      auditor audit https://shop.example.com/ --now 2026-11-20T09:00:00+08:00
      auditor audit --config config.yaml --enqueue        # every store, run by `auditor worker`
    """
    if enqueue:
        if url:
            raise click.UsageError("--enqueue audits configured stores (--store NAME), not a URL")
        for store in [ctx.cfg.store(store_name)] if store_name else ctx.cfg.stores:
            _enqueue(ctx, store.name, "audit")
        return
    sys.exit(_audit(ctx, url, store_name, fail_on, report, show_timings))


def _enqueue(ctx: Ctx, store: str, kind: str, campaign: str | None = None) -> None:
    from auditor.workers import enqueue

    task = enqueue(ctx.cfg, store, kind, ctx.now(ctx.cfg.store(store)), campaign)
    what = f"{kind} {campaign}" if campaign else kind
    out.print(t("queued", ctx.cfg.locale, store=store, what=what, task=task), markup=False)


@cli.command()
@click.option("--store", "store_name", help="which configured store (default: every store with competitors)")
@fail_on_option
@click.option("--enqueue", is_flag=True, help="put the watch on the workers' queue instead")
@common
def competitors(ctx: Ctx, store_name: str | None, fail_on: str, enqueue: bool) -> None:
    """Watch the competitors alone: their home pages' promotions and the paired products' prices
    against ours (stores[].competitors); `audit` and `schedule` do this after our own store.

    \b
    Example:
      auditor competitors --store 旗舰店 --now 2026-11-20T09:00:00+08:00
    """
    stores = [ctx.cfg.store(store_name)] if store_name else [s for s in ctx.cfg.stores if s.competitors]
    if not stores:
        raise AuditorError("no store has competitors configured (stores[].competitors in config.yaml)")
    if enqueue:
        for store in stores:
            if not store.competitors:
                raise AuditorError(t("no_competitors", ctx.cfg.locale, store=store.name))
            _enqueue(ctx, store.name, "competitors")
        return
    codes = [_audit(ctx, None, s.name, fail_on, competitors_only=True) for s in stores]
    sys.exit(max(codes))


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
    from auditor.demo_store import serving_demo

    with serving_demo(ctx.cfg, ctx.now(), port, config_file=Path("config.yaml").exists()) as fixture:
        out.print(f"fixture store: {fixture.url}")
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
    """Export findings: JSON/JSONL (one object per finding, with its stable id, check, evidence and
    lifecycle), or CSV/XLSX as the team's issue log (检查项目, 页面, 区域, 问题记录, 严重程度, 检查人, 日期,
    跟进人, 处理结果, 状态, 链接, 截图, 检查编号).

    \b
    Example:
      auditor export --format xlsx --status open --output 问题记录.xlsx
    """
    from auditor.export import export_findings

    if fmt == "xlsx" and not output:
        raise AuditorError("--format xlsx needs --output FILE")

    def to_stdout(data: bytes) -> None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    out_path = Path(output) if output else None
    n = export_findings(ctx.cfg, fmt, ctx.now(), store_name, list(status), new_since_last_export, out_path, to_stdout)
    if output:
        err.print(t("exported_one" if n == 1 else "exported", ctx.cfg.locale, n=n, output=output), markup=False)


@cli.command()
@common
def doctor(ctx: Ctx) -> None:
    """Say what was found and whether it works: browser, OCR engine, database.

    \b
    Example:
      auditor doctor
    """
    from auditor.doctor import diagnose

    parts = diagnose(ctx.cfg)
    for part in parts:
        out.print(f"{part.name + ':':9} {part.said}", markup=False)
    sys.exit(0 if all(p.ok for p in parts) else 2)


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
    from auditor.pipeline import read_one_page

    page = read_one_page(ctx.cfg, url, ctx.now(config_for_url(ctx.cfg, url)), mobile)
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
    """List and validate the rules: the built-in ones shipped with the package, plus those in the
    config's `rules.dir` (a rule there with a built-in rule's id replaces it)."""


@rules.command("list")
@common
def rules_list(ctx: Ctx) -> None:
    """List every rule with its check, severity, regions, whether it is enabled and where it comes from.

    \b
    Example:
      auditor rules list
    """
    from auditor.engine import rules_for

    locale = ctx.cfg.locale
    table = Table()
    for col in ("rule", "check", "severity", "regions", "enabled", "source"):
        table.add_column(t(col, locale), overflow="fold")
    sep = ", " if locale == "en" else "、"
    for r in rules_for(ctx.cfg):
        table.add_row(
            r.id,
            f"{label(r.check, locale)} ({r.check})",  # the id too: it is what a rule file's `check:` says
            label(r.severity, locale),
            sep.join(t("all_regions", locale) if k == "*" else label(k, locale) for k in r.regions),
            t("yes" if r.enabled else "no", locale),
            r.source,
        )
    out.print(table)


@rules.command("validate")
@common
def rules_validate(ctx: Ctx) -> None:
    """Validate every rule file (schema, check, parameters, regions); exit 2 on the first error.

    \b
    Example:
      auditor rules validate --config config.yaml
    """
    from auditor.engine import rules_for

    found = rules_for(ctx.cfg)
    own = sum(1 for r in found if not r.source.startswith("built-in"))
    where = f" (incl. {own} from {ctx.cfg.resolve(ctx.cfg.rules.dir)})" if ctx.cfg.rules.dir else ""
    out.print(f"{len(found)} rules valid{where}")


@cli.command("campaign-check")
@click.argument("name")
@click.option("--store", "store_name", help="which configured store (default: the first)")
@click.option("--enqueue", is_flag=True, help="put the check on the workers' queue instead")
@common
def campaign_check_cmd(ctx: Ctx, name: str, store_name: str | None, enqueue: bool) -> None:
    """The 100% check after a promotion ends: every page, prices restored, campaign pictures gone.

    Prints a verdict per product (restored / not restored) and per page (clean / still showing the
    campaign); exit code 1 when anything is left.

    \b
    Example:
      auditor campaign-check 双12 --now 2026-12-13T09:00:00+08:00
    """
    from auditor.pipeline import campaign_check

    store = ctx.cfg.store(store_name)
    if enqueue:
        ctx.cfg.campaign(name)  # an unknown campaign is said here, not by a worker later
        _enqueue(ctx, store.name, "campaign-check", name)
        return
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
    from auditor.export import write_report

    got = write_report(ctx.cfg, Path(output), run_id, store_name)
    out.print(f"run #{got} → {output}")


@cli.command()
@click.option("--url", default="https://shop.example.com/", show_default=True, help="the store's home page")
@click.option("--name", default="my-shop", show_default=True, help="the store's name in exports and reports")
@click.option("--output", "-o", default="config.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--now", "now", metavar="ISO", help="ignored: the starter config does not depend on the date")
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
