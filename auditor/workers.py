"""Many stores across machines: audits as Celery tasks on a Redis broker, PostgreSQL as the store.

Each audit, campaign check or competitor watch is one task carrying the store's name and the audit
clock; `auditor worker` runs them (one Chromium per worker process, at a time). Without
`workers.broker_url` (or AUDITOR_BROKER_URL) nothing here is used and everything runs in-process.

No run lost, none doubled:
- late acknowledgement: a task is acknowledged when it ends, and rejected back to the queue when its
  worker process dies (`task_reject_on_worker_lost`); the broker's visibility timeout is above the
  task's hard time limit, so a task still running is never handed to a second worker;
- a task delivered again marks its earlier attempt's run `aborted` and audits again, but only when
  that attempt is provably dead (its process gone on this machine, or its heartbeat stale); a task
  whose run already ended is not run again;
- the store lock in the database still refuses a second audit of a store: the task retries later;
- one enqueue per store per cron tick, however many schedulers run (`schedule_ticks` in the database).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

from auditor.config import Config, load_config
from auditor.errors import ConfigError, StoreLockedError
from auditor.i18n import t
from auditor.store.runs import STALE_BEAT
from auditor.vocabulary import ENDED_RUN_STATUSES, UNSUCCESSFUL_RUN_STATUSES

log = logging.getLogger("auditor.workers")
TASK = "auditor.run"
KINDS = ("audit", "campaign-check", "competitors")
TIME_MARGIN_S = 600  # past the run deadline: rules, storing, the competitor watch, the export
MAX_BUSY_RETRIES = 30
BEAT_S = 30.0  # a running task's heartbeat on its run
BEAT_GAP = STALE_BEAT  # no heartbeat for this long: that attempt's worker is dead


def check_setup(cfg: Config) -> str:
    """The broker URL, or a clear error: workers need a broker and a database every machine shares."""
    broker = cfg.workers.broker
    if not broker:
        raise ConfigError("workers.broker_url (or AUDITOR_BROKER_URL) is not set: no broker to send audits to")
    if cfg.db_url.startswith("sqlite"):
        raise ConfigError(
            "workers need a database every machine shares: set AUDITOR_DB_URL (or storage.url) to PostgreSQL; "
            "SQLite is one machine's file"
        )
    return broker


def task_limits(cfg: Config, store: str) -> tuple[int, int]:
    """(soft, hard) seconds for one store's task: its own run deadline twice (the crawl, then the probes
    get as long again) plus the work after it (the app's limits, hard_limit_s, only bound a task sent
    without these)."""
    hard = 2 * int(cfg.crawl_for(cfg.store(store)).run_timeout_s) + TIME_MARGIN_S
    return hard - 60, hard


def hard_limit_s(cfg: Config) -> int:
    """The longest a task may take: the longest of the stores' own limits."""
    return max(
        (task_limits(cfg, s.name)[1] for s in cfg.stores), default=2 * int(cfg.crawl.run_timeout_s) + TIME_MARGIN_S
    )


def celery_app(cfg: Config) -> Any:
    """The Celery app for this config (a new one each time: tests and the console use several)."""
    from celery import Celery

    broker = check_setup(cfg)
    limit = hard_limit_s(cfg)
    app = Celery("auditor", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,  # a run that timed out is recorded; it is not run again
        worker_prefetch_multiplier=1,  # a worker takes one audit at a time: the others stay in the queue
        broker_transport_options={"visibility_timeout": limit * 2},
        task_time_limit=limit,
        task_soft_time_limit=limit - 60,  # raised inside the run first, so it is recorded, not left running
        task_default_queue=cfg.workers.queue,
        task_ignore_result=True,  # runs are recorded in the database, not in a result backend
        task_serializer="json",
        accept_content=["json"],
        worker_max_tasks_per_child=cfg.workers.max_tasks_per_child,
        worker_max_memory_per_child=cfg.workers.max_memory_mb * 1024,  # KiB
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.task(name=TASK, bind=True, max_retries=MAX_BUSY_RETRIES)(run_task)
    return app


def enqueue(cfg: Config, store: str, kind: str, clock: datetime, campaign: str | None = None) -> str:
    """Put one task on the queue; returns its id."""
    cfg.store(store)
    if kind not in KINDS:
        raise ConfigError(f"kind {kind!r}: one of {', '.join(KINDS)}")
    task_id = str(uuid.uuid4())
    _send(cfg, task_id, store, kind, clock, campaign)
    return task_id


def enqueue_tick(cfg: Config, store: str, tick: datetime, clock: datetime) -> str | None:
    """The scheduler's enqueue: once per store per cron tick; None when another scheduler already did.
    The tick is claimed in the database and the claim commits only once the task is on the queue."""
    from auditor.store.db import open_db
    from auditor.store.repo import Repo

    check_setup(cfg)
    task_id = str(uuid.uuid4())
    with Repo(open_db(cfg.db_url)).claiming_tick(store, tick, task_id) as claimed:
        if not claimed:
            log.info("%s: the %s tick was enqueued by another scheduler", store, tick.isoformat())
            return None
        _send(cfg, task_id, store, "audit", clock, None, export=True)
    log.info("%s: enqueued task %s for the %s tick", store, task_id, tick.isoformat())
    return task_id


_apps: dict[tuple[str, str], Any] = {}
_sending = threading.Lock()  # the scheduler enqueues from several threads; Celery's app setup is not thread-safe


def _send(
    cfg: Config, task_id: str, store: str, kind: str, clock: datetime, campaign: str | None, export: bool = False
) -> None:
    kwargs = {"store": store, "kind": kind, "clock": clock.isoformat(), "campaign": campaign, "export": export}
    with _sending:
        key = (check_setup(cfg), cfg.workers.queue)
        if key not in _apps:
            _apps[key] = celery_app(cfg)
        soft, hard = task_limits(cfg, store)
        _apps[key].send_task(
            TASK,
            kwargs=kwargs,
            task_id=task_id,
            queue=cfg.workers.queue,
            soft_time_limit=soft,  # raised inside the run first, so it is recorded, not left running
            time_limit=hard,
        )


def run_task(task: Any, store: str, kind: str, clock: str, campaign: str | None = None, export: bool = False) -> int:
    """One task in a worker process: the run, recorded in the database like any other."""
    from auditor.pipeline import export_after_run, tell
    from auditor.store.db import open_db
    from auditor.store.repo import Repo

    cfg = load_config(os.environ.get("AUDITOR_CONFIG"))  # read afresh: a changed config applies to the next task
    task_id = str(task.request.id)
    try:
        shop = cfg.store(store)
    except ConfigError as exc:  # the store left the config after its task was queued: said, not retried
        tell(cfg, t("notify_task_failed", cfg.locale, store=store), f"task {task_id} on {socket.gethostname()}: {exc}")
        raise
    now = datetime.fromisoformat(clock)
    repo = Repo(open_db(cfg.db_url))
    earlier = repo.runs_of_task(task_id)
    ended = [r for r in earlier if r.status in ENDED_RUN_STATUSES]
    if ended:  # its worker died after the run was recorded, before the broker heard: not audited twice
        log.warning("task %s delivered again after its run #%s ended: not run again", task_id, ended[-1].id)
        if export:
            export_after_run(cfg, shop, ended[-1].id, now)
        return ended[-1].id
    aborted, alive = repo.abort_attempts_of(task_id, BEAT_GAP)
    if aborted:
        log.warning("task %s delivered again: run(s) %s of its dead attempt aborted", task_id, aborted)
    try:
        if alive:  # the broker handed it out twice while the first attempt still runs
            raise StoreLockedError(f"task {task_id} is still running as run #{alive[0]}")
        run_id = _run_beating(cfg, shop, kind, now, campaign, task_id, repo)
    except StoreLockedError as exc:  # audited elsewhere right now: later, not twice at once
        if task.request.retries >= task.max_retries:
            tell(
                cfg,
                t("notify_task_gave_up", cfg.locale, store=store),
                f"task {task_id}: {exc}; gave up after {task.max_retries} tries",
            )
            raise
        log.info("%s is busy (%s); retrying in %s s", store, exc, cfg.workers.retry_busy_s)
        raise task.retry(exc=exc, countdown=cfg.workers.retry_busy_s) from None
    except Exception as exc:
        tell(cfg, t("notify_task_failed", cfg.locale, store=store), f"task {task_id} on {socket.gethostname()}: {exc}")
        raise
    if export:
        export_after_run(cfg, shop, run_id, now)
    return run_id


def _run_beating(
    cfg: Config, shop: Any, kind: str, now: datetime, campaign: str | None, task_id: str, repo: Any
) -> int:
    """The run, with a heartbeat on it every BEAT_S while it lasts (how another machine tells a live
    attempt from a dead one)."""
    from auditor.pipeline import campaign_check, run_audit, watch_competitors

    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(BEAT_S):
            try:
                repo.beat(task_id)
            except Exception as exc:  # a missed beat is not a failed audit
                log.warning("heartbeat of task %s not recorded: %s", task_id, exc)

    beater = threading.Thread(target=beat, name=f"beat-{task_id}", daemon=True)
    beater.start()
    try:
        if kind == "campaign-check":
            return int(campaign_check(cfg, shop, campaign or "", now, task_id=task_id).result.run_id)
        if kind == "competitors":
            return int(watch_competitors(cfg, shop, now, task_id=task_id).run_id)
        return int(run_audit(cfg, shop, now, task_id=task_id).run_id)
    finally:
        stop.set()
        beater.join(5)


def start_worker(cfg: Config, concurrency: int | None = None, name: str | None = None) -> None:
    """`auditor worker`: a Celery worker (prefork) consuming this config's queue, until SIGTERM."""
    if cfg.path is None:
        raise ConfigError("auditor worker needs a config file (--config config.yaml)")
    check_setup(cfg)
    os.environ["AUDITOR_CONFIG"] = str(cfg.path)
    os.environ["AUDITOR_DB_URL"] = cfg.db_url  # --db reaches the worker processes too
    app = celery_app(cfg)
    node = name or f"auditor-{os.getpid()}@{socket.gethostname()}"
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency or cfg.workers.concurrency}",
            "--pool=prefork",
            f"--queues={cfg.workers.queue}",
            f"--hostname={node}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def status(cfg: Config, timeout_s: float = 2.0) -> dict[str, Any]:
    """Queued, running and recently failed tasks per store, and the workers alive."""
    from datetime import UTC

    from auditor.store.db import open_db
    from auditor.store.repo import Repo

    app = celery_app(cfg)
    try:
        queued: dict[str, int] = {}
        with app.connection_for_read() as conn:
            client = conn.default_channel.client
            for raw in client.lrange(cfg.workers.queue, 0, -1):
                store = _store_of(raw)
                queued[store] = queued.get(store, 0) + 1
        inspect = app.control.inspect(timeout=timeout_s)
        alive = sorted((inspect.ping() or {}).keys())
        running: dict[str, list[str]] = {}
        waiting: dict[str, int] = {}
        for node, tasks in (inspect.active() or {}).items():
            for task in tasks:
                running.setdefault(str((task.get("kwargs") or {}).get("store", "?")), []).append(node)
        for tasks in (inspect.scheduled() or {}).values():  # retries waiting for a busy store
            for task in tasks:
                store = str(((task.get("request") or {}).get("kwargs") or {}).get("store", "?"))
                waiting[store] = waiting.get(store, 0) + 1
    finally:
        app.close()
    since = datetime.now(UTC) - timedelta(hours=24)
    failed = [
        {"run": r.id, "store": r.store, "status": r.status, "error": (r.errors or [""])[-1][:200]}
        for r in Repo(open_db(cfg.db_url)).runs(limit=200, since=since)
        if r.status in UNSUCCESSFUL_RUN_STATUSES
    ]
    return {"workers": alive, "queued": queued, "running": running, "retrying": waiting, "failed": failed}


def _store_of(raw: bytes) -> str:
    """The store a queued Celery message is for (protocol 2: base64 JSON body [args, kwargs, embed])."""
    try:
        message = json.loads(raw)
        body = json.loads(base64.b64decode(message["body"]))
        return str(body[1].get("store", "?"))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return "?"
