"""Command line: triage of stored findings (list, show, assign, resolve, ignore, reopen) and price history."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Any

import click

from auditor.cli.base import Ctx, cli, common, echo_json, out, print_findings
from auditor.errors import AuditorError
from auditor.export import finding_json
from auditor.i18n import label, t
from auditor.store.db import open_db
from auditor.store.repo import Repo
from auditor.vocabulary import SEVERITIES, FindingStatus


def _repo(ctx: Ctx) -> Repo:
    return Repo(open_db(ctx.cfg.db_url))


def filters(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(
        [
            click.option("--store", "store", help="store name"),
            click.option(
                "--status", multiple=True, help="open, acknowledged, assigned, resolved, ignored, fixed, regressed"
            ),
            click.option("--check", "check", multiple=True, help="check name, e.g. dead-link"),
            click.option("--region", multiple=True, help="nav, kv, banner, showcase ..."),
            click.option("--severity", multiple=True, type=click.Choice(SEVERITIES)),
            click.option("--since", metavar="ISO", help="last seen at or after this time"),
        ]
    ):
        fn = opt(fn)
    return fn


def _query(
    ctx: Ctx,
    ids: tuple[int, ...],
    store: str | None,
    status: tuple[str, ...],
    check: tuple[str, ...],
    region: tuple[str, ...],
    severity: tuple[str, ...],
    since: str | None,
) -> dict[str, Any]:
    from auditor.clock import parse_now

    return {
        "ids": list(ids) or None,
        "store": store,
        "status": list(status) or None,
        "check": list(check) or None,
        "region": list(region) or None,
        "severity": list(severity) or None,
        "since": parse_now(since, ctx.cfg.zone()) if since else None,
    }


@cli.group()
def findings() -> None:
    """Follow up findings: list, show, assign (跟进人), resolve (处理结果), ignore, reopen."""


@findings.command("list")
@filters
@click.option("--json", "as_json", is_flag=True)
@common
def findings_list(ctx: Ctx, as_json: bool, **f: Any) -> None:
    """List findings, filtered.

    \b
    Example:
      auditor findings list --status open --check dead-link --region nav
    """
    found = _repo(ctx).findings(**_query(ctx, (), **f))
    if as_json:
        echo_json([finding_json(x) for x in found])
    else:
        print_findings(found, ctx.cfg.locale)


@findings.command("show")
@click.argument("finding_id", type=int)
@common
def findings_show(ctx: Ctx, finding_id: int) -> None:
    """Show one finding with its evidence and its status history.

    \b
    Example:
      auditor findings show 12
    """
    repo = _repo(ctx)
    found = repo.findings(ids=[finding_id])
    if not found:
        raise AuditorError(f"no finding with id {finding_id}")
    data = finding_json(found[0])
    data["history"] = [
        {"at": e.at, "who": e.who, "from": e.from_status, "to": e.to_status, "note": e.note}
        for e in repo.events(finding_id)
    ]
    echo_json(data)


def _triage(to: str, doc: str, needs_note: bool = False, needs_assignee: bool = False) -> None:
    @click.argument("ids", type=int, nargs=-1)
    @filters
    @click.option("--note", help="处理结果 / reason" + (" (required)" if needs_note else ""))
    @click.option("--by", "who", default=None, help="who does it (default: the login name)")
    @common
    def command(
        ctx: Ctx, ids: tuple[int, ...], note: str | None, who: str | None, assignee: str | None = None, **f: Any
    ) -> None:
        if needs_note and not note:
            raise AuditorError(f"findings {name}: --note is required")
        q = _query(ctx, ids, **f)
        if not any(v for v in q.values()):
            raise AuditorError(f"findings {name}: give finding ids or a filter (--status, --check ...)")
        repo = _repo(ctx)
        targets = [x.id for x in repo.findings(**q) if x.id is not None]
        if ids and len(targets) < len(ids):
            missing = sorted(set(ids) - set(targets))
            raise AuditorError(f"no finding with id {', '.join(map(str, missing))}")
        if not targets:
            raise AuditorError("no finding matches")
        n = repo.set_status(targets, to, who or getpass.getuser(), ctx.now(), note, assignee)
        locale = ctx.cfg.locale
        out.print(t("triaged_one" if n == 1 else "triaged", locale, n=n, status=label(to, locale)), markup=False)

    name = {
        FindingStatus.ACKNOWLEDGED: "ack",
        FindingStatus.OPEN: "reopen",
        FindingStatus.RESOLVED: "resolve",
        FindingStatus.IGNORED: "ignore",
        FindingStatus.ASSIGNED: "assign",
    }[to]
    command.__doc__ = doc
    if needs_assignee:
        command = click.option("--to", "assignee", required=True, help="跟进人 (assignee)")(command)
    findings.command(name)(command)


_triage(
    FindingStatus.ACKNOWLEDGED,
    "Acknowledge findings (seen, not yet assigned).\n\n\b\nExample:\n  auditor findings ack 3 4",
)
_triage(
    FindingStatus.ASSIGNED,
    "Assign findings to a person (跟进人).\n\n\b\nExample:\n  auditor findings assign 12 --to 小王",
    needs_assignee=True,
)
_triage(
    FindingStatus.RESOLVED,
    "Resolve findings with a note (处理结果).\n\n\b\nExample:\n  auditor findings resolve 12 --note 已替换图片",
    needs_note=True,
)
_triage(
    FindingStatus.IGNORED,
    "Ignore findings (false positive / won't fix); they stay ignored when seen again.\n\n\b\n"
    "Example:\n  auditor findings ignore --check distorted-image --region footer --note 设计如此",
    needs_note=True,
)
_triage(FindingStatus.OPEN, "Reopen findings.\n\n\b\nExample:\n  auditor findings reopen 12")


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True)
@common
def prices(ctx: Ctx, url: str, as_json: bool) -> None:
    """A product's observed price history, one line per run.

    \b
    Example:
      auditor prices http://127.0.0.1:8000/products/linen-shirt
    """
    rows = _repo(ctx).prices(url)
    if not rows:
        raise AuditorError(f"no price observed for {url}")
    data = [
        {
            "at": r.observed_at,
            "price": r.price,
            "regular_price": r.regular_price,
            "availability": r.availability,
            "run": r.run_id,
        }
        for r in rows
    ]
    if as_json:
        echo_json(data)
        return
    for d in data:
        shown = f"¥{d['price']:g}" if d["price"] is not None else "—"  # no price, or none trusted
        out.print(f"{d['at']:%Y-%m-%d %H:%M}  {shown}  {d['availability']}  run #{d['run']}")
