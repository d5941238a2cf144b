"""Command line: audits as Celery tasks on Redis (`worker`, `workers status`)."""

from __future__ import annotations

import click

from auditor.cli.base import Ctx, cli, common, echo_json, out


@cli.command()
@click.option("--concurrency", type=int, help="worker processes (default: workers.concurrency); one Chromium each")
@click.option("--name", help="this worker's node name (default: auditor-PID@HOST)")
@common
def worker(ctx: Ctx, concurrency: int | None, name: str | None) -> None:
    """Run audits, campaign checks and competitor watches from the queue (Celery on Redis) until SIGTERM.

    Needs `workers.broker_url` (or AUDITOR_BROKER_URL) and a PostgreSQL database every machine shares.

    \b
    Example:
      AUDITOR_BROKER_URL=redis://10.0.0.5:6379/0 auditor worker --config config.yaml --concurrency 2
    """
    from auditor.workers import start_worker

    if concurrency is not None and concurrency < 1:
        raise click.BadParameter("must be at least 1", param_hint="--concurrency")
    start_worker(ctx.cfg, concurrency, name)


@cli.group()
def workers() -> None:
    """The task queue: what is queued, running and failed, and which workers are alive."""


@workers.command("status")
@click.option("--json", "as_json", is_flag=True)
@common
def workers_status(ctx: Ctx, as_json: bool) -> None:
    """Queued, running and failed tasks per store (failed: the last 24 h), and the workers alive.

    \b
    Example:
      auditor workers status --config config.yaml
    """
    from auditor.workers import status

    state = status(ctx.cfg)
    if as_json:
        echo_json(state)
        return
    out.print(f"在线 workers alive: {len(state['workers'])}", markup=False)
    for node in state["workers"]:
        out.print(f"  {node}", markup=False)
    stores = sorted({*state["queued"], *state["running"], *state["retrying"]})
    out.print("店铺 store\t排队 queued\t运行中 running\t等待重试 retrying", markup=False)
    for s in stores:
        running = ", ".join(state["running"].get(s, [])) or "-"
        out.print(f"{s}\t{state['queued'].get(s, 0)}\t{running}\t{state['retrying'].get(s, 0)}", markup=False)
    for f in state["failed"]:
        out.print(f"失败 failed: run #{f['run']} {f['store']} {f['status']}: {f['error']}", markup=False)
