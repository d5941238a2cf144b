"""Scheduling: each store's morning audit on its cron (APScheduler 3), jobs persisted in the database.

A restart neither loses nor doubles a run: jobs live in the database (SQLAlchemy job store), a job
whose trigger did not change keeps its next run time, and a run missed while the machine was off
runs once (coalesced) when the scheduler comes back within `schedule.grace_s`. One store never runs
twice at once (max_instances=1, and the store lock of the run itself).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import obj_to_ref

from auditor.config import Config, load_config
from auditor.errors import ConfigError
from auditor.i18n import t

log = logging.getLogger("auditor.schedule")
JOB_PREFIX = "audit:"
TICK_SLACK_S = 300  # a job may start a little after grace_s (reading the config, a busy machine)


def scheduled_audit(config_path: str, store_name: str, clock_offset_s: float = 0.0) -> None:
    """One scheduled run: the audit, then the configured export. Config is read afresh each time.
    With a broker configured (`workers`), the store's task is enqueued instead, once per cron tick
    however many schedulers are running."""
    from auditor.pipeline import export_after_run, run_audit, tell

    cfg = load_config(config_path)
    store = cfg.store(store_name)
    now = datetime.now(cfg.zone(store)) + timedelta(seconds=clock_offset_s)
    if cfg.workers.broker:
        from auditor.workers import enqueue_tick

        try:
            # the tick in real time (what fired), whatever clock the audit is given (--now)
            tick = current_tick(cfg, store.name, datetime.now(cfg.zone(store)))
            if tick is None:
                log.warning("%s: no cron tick within schedule.grace_s of now; nothing enqueued", store.name)
                return
            enqueue_tick(cfg, store.name, tick, now)
        except Exception as exc:
            log.error("enqueueing %s failed: %s: %s", store.name, type(exc).__name__, exc)
            tell(cfg, t("notify_not_queued", cfg.locale, store=store.name), f"{type(exc).__name__}: {exc}")
        return
    try:
        result = run_audit(cfg, store, now)
    except Exception as exc:
        log.error("audit of %s failed: %s: %s", store.name, type(exc).__name__, exc)
        tell(cfg, t("notify_run_failed", cfg.locale, store=store.name), f"{type(exc).__name__}: {exc}")
        return
    log.info("run #%s of %s: %s, %d findings", result.run_id, store.name, result.status, len(result.findings))
    export_after_run(cfg, store, result.run_id, now)


def current_tick(cfg: Config, store_name: str, now: datetime) -> datetime | None:
    """The cron tick this call belongs to: the latest fire time at or before `now` (a scheduler fires
    a little after it, or up to `grace_s` late after a restart); None if there is none that recent."""
    trigger = trigger_for(cfg, store_name)
    tick = trigger.get_next_fire_time(None, now - timedelta(seconds=cfg.schedule.grace_s + TICK_SLACK_S))
    if tick is None or tick > now:
        return None
    while (after := trigger.get_next_fire_time(tick, tick + timedelta(seconds=1))) and after <= now:
        tick = after
    return tick  # type: ignore[no-any-return]


def trigger_for(cfg: Config, store_name: str) -> CronTrigger:
    store = cfg.store(store_name)
    try:
        return CronTrigger.from_crontab(cfg.schedule.cron, timezone=cfg.zone(store))
    except ValueError as exc:
        raise ConfigError(f"schedule.cron {cfg.schedule.cron!r}: {exc}") from None


def make_scheduler(cfg: Config) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=cfg.db_url, tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": cfg.schedule.grace_s},
        timezone=cfg.zone(),
    )


def sync_jobs(
    scheduler: BackgroundScheduler,
    cfg: Config,
    config_path: str,
    func: Callable[..., Any] = scheduled_audit,
    clock_offset_s: float = 0.0,
) -> list[str]:
    """Make the stored jobs match the config: keep unchanged ones (and their next run), replace
    changed ones, remove stores that left the config. Call with the scheduler started paused."""
    wanted = {JOB_PREFIX + s.name: s for s in cfg.stores}
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            job.remove()
    for job_id, store in wanted.items():
        trigger = trigger_for(cfg, store.name)
        args = [str(Path(config_path).resolve()), store.name, clock_offset_s]
        existing = scheduler.get_job(job_id)
        if (
            existing is not None
            and str(existing.trigger) == str(trigger)
            and list(existing.args) == args
            and existing.func_ref == obj_to_ref(func)
        ):
            continue
        scheduler.add_job(
            func, trigger, args=args, id=job_id, name=f"morning audit of {store.name}", replace_existing=True
        )
    return sorted(wanted)


def run_scheduler(config_path: str, now: datetime | None = None, announce: Callable[[str], None] = print) -> None:
    """`auditor schedule`: runs until SIGTERM/SIGINT. The first signal lets a running audit finish;
    a second one marks it aborted and exits at once."""
    cfg = load_config(config_path)
    if not cfg.stores:
        raise ConfigError(f"{config_path}: no stores to schedule")
    if cfg.workers.broker:  # refused now, not at the first morning tick (its audits would be lost)
        from auditor.workers import check_setup

        check_setup(cfg)
    offset = (now - datetime.now(now.tzinfo)).total_seconds() if now else 0.0
    scheduler = make_scheduler(cfg)
    scheduler.start(paused=True)
    for job_id in sync_jobs(scheduler, cfg, config_path, clock_offset_s=offset):
        job = scheduler.get_job(job_id)
        announce(f"{job_id}: cron {cfg.schedule.cron!r}, next run {job.next_run_time if job else '?'}")
    scheduler.resume()
    stop = threading.Event()
    signals = {"count": 0}

    def on_signal(signum: int, _frame: object) -> None:
        signals["count"] += 1
        if signals["count"] == 1:
            announce("stopping: waiting for a running audit to finish (signal again to abort it)")
            stop.set()
        else:
            _abort_running(cfg)
            os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stop.wait()
    scheduler.shutdown(wait=True)


def _abort_running(cfg: Config) -> None:
    from auditor.store.db import open_db
    from auditor.store.repo import Repo

    Repo(open_db(cfg.db_url)).abort_runs_of(os.getpid())
