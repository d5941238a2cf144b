"""Audits as Celery tasks, with real servers: a redis-server and PostgreSQL on loopback, two
`auditor worker` processes and two `auditor schedule` processes. Six stores enqueued on one cron
tick are each audited exactly once; a worker process killed (-9) mid-audit has its task delivered
again, its run marked aborted and the store audited once more to the end; the second scheduler does
not double the tick."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from auditor.config import load_config
from auditor.errors import ConfigError
from auditor.store.db import open_db
from auditor.store.repo import Repo
from auditor.web.app import create_app
from auditor.workers import celery_app, check_setup, enqueue, task_limits
from tests.conftest import auditor, free_port

NOW = "2026-11-20T09:00:00+08:00"
PAGES = ("price-jd", "price-magento", "price-shopify", "price-tmall", "price-woocommerce")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("AUDITOR_REQUIRE_PG"):
            pytest.fail("redis-server not found (scripts/setup.sh --test installs it)")
        pytest.skip("no redis-server here")
    port = free_port()
    work = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


def test_workers_refuse_sqlite_and_a_missing_broker(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("workers: {broker_url: 'redis://127.0.0.1:9/0'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="PostgreSQL"):
        check_setup(load_config(tmp_path / "config.yaml"))
    (tmp_path / "config.yaml").write_text("storage: {url: 'postgresql+psycopg://x@/y'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broker_url"):
        check_setup(load_config(tmp_path / "config.yaml"))


def test_each_task_is_bounded_by_its_own_store_and_delivered_at_least_once(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "storage: {url: 'postgresql+psycopg://x@/y'}\nworkers: {broker_url: 'redis://127.0.0.1:9/0'}\n"
        "crawl: {run_timeout_s: 600}\nstores:\n  - {name: small, url: 'http://127.0.0.1:9/'}\n"
        "  - {name: big, url: 'http://127.0.0.1:9/', crawl: {run_timeout_s: 3600}}\n",
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "config.yaml")
    # twice the run deadline (the crawl, then the probes), plus the work after it; not the big store's hour
    assert task_limits(cfg, "small") == (2 * 600 + 600 - 60, 2 * 600 + 600)
    assert task_limits(cfg, "big") == (2 * 3600 + 600 - 60, 2 * 3600 + 600)
    conf = celery_app(cfg).conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit == 2 * 3600 + 600
    assert conf.worker_max_tasks_per_child == cfg.workers.max_tasks_per_child
    assert conf.worker_max_memory_per_child == cfg.workers.max_memory_mb * 1024


@pytest.mark.parametrize("command", [["schedule"], ["serve", "--port", "9"]])
def test_schedule_and_console_refuse_sqlite_with_workers_when_they_start(tmp_path: Path, command: list[str]) -> None:
    """Not at the first morning tick or the first run-now click: that morning's audits would be lost."""
    (tmp_path / "config.yaml").write_text(
        "storage: {url: 'sqlite:///a.db'}\nworkers: {broker_url: 'redis://127.0.0.1:9/0'}\n"
        "stores: [{name: shop, url: 'http://127.0.0.1:9/'}]\n",
        encoding="utf-8",
    )
    env = {**os.environ, "AUDITOR_DB_URL": "", "AUDITOR_BROKER_URL": ""}
    got = auditor(*command, "--config", "config.yaml", cwd=tmp_path, env=env)
    assert got.returncode == 2 and "PostgreSQL" in got.stderr, got.stderr
    assert "Traceback" not in got.stderr and not (tmp_path / "a.db").exists()


@pytest.mark.network
def test_campaign_checks_and_competitor_watches_are_enqueued_from_the_command_line(
    tmp_path: Path, redis_url: str
) -> None:
    """What a worker runs besides audits can be put on the queue by hand, as `audit --enqueue` can; a
    campaign or a watch that cannot run is refused here, not by a worker later."""
    import base64

    import redis

    (tmp_path / "config.yaml").write_text(
        f"storage: {{url: 'postgresql+psycopg://x@127.0.0.1:9/y'}}\nworkers: {{broker_url: '{redis_url}'}}\n"
        "campaigns: [{name: 双12, start: '2026-12-10', end: '2026-12-12'}]\n"
        "stores:\n  - {name: shop, url: 'http://127.0.0.1:9/', competitors: [{name: r, url: 'http://127.0.0.1:9/r'}]}\n"
        "  - {name: plain, url: 'http://127.0.0.1:9/'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "AUDITOR_DB_URL": "", "AUDITOR_BROKER_URL": ""}
    later = "2026-12-13T09:00:00+08:00"
    for args, code in [
        (["campaign-check", "双12", "--store", "shop"], 0),
        (["competitors"], 0),  # every store with competitors: shop
        (["campaign-check", "双11"], 2),
        (["competitors", "--store", "plain"], 2),
    ]:
        got = auditor(*args, "--enqueue", "--now", later, "--config", "config.yaml", cwd=tmp_path, env=env)
        assert got.returncode == code, (args, got.stdout, got.stderr)
        assert ("已排队" in got.stdout) == (code == 0) and "Traceback" not in got.stderr
    client = redis.Redis.from_url(redis_url)
    try:
        queued = [json.loads(base64.b64decode(json.loads(m)["body"]))[1] for m in client.lrange("auditor", 0, -1)]
        client.delete("auditor")  # the module's other test expects an empty queue
    finally:
        client.close()
    assert sorted((q["store"], q["kind"], q["campaign"], q["clock"]) for q in queued) == [
        ("shop", "campaign-check", "双12", later),
        ("shop", "competitors", None, later),
    ]


def rows(db: str, sql: str) -> list[Any]:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    finally:
        engine.dispose()


def spawn(*args: str, cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "auditor", *args, "--config", "config.yaml"],
        cwd=cwd,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "AUDITOR_DB_URL": "", "AUDITOR_BROKER_URL": ""},
        start_new_session=True,
    )


def stop(procs: list[subprocess.Popen[bytes]], sig: int = signal.SIGTERM) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, sig)
    for p in procs:
        try:
            p.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)


@pytest.mark.browser
@pytest.mark.network
@pytest.mark.postgres
@pytest.mark.slow
def test_one_tick_six_stores_two_workers_a_worker_killed(
    tmp_path: Path, redis_url: str, pg_url: str, fixture_store: Any, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    stores = "".join(f"  - {{name: {p}, url: '{fixture_store.url}patterns/{p}.html'}}\n" for p in PAGES)
    slow = (  # watched long enough to be killed in the middle
        f"  - name: slow\n    url: '{fixture_store.url}patterns/carousels.html'\n"
        "    crawl: {max_depth: 0, carousel_watch_ms: 12000}\n"
    )
    hook_url, told = webhook
    (tmp_path / "config.yaml").write_text(
        f"storage: {{url: '{pg_url}'}}\n"
        f"workers: {{broker_url: '{redis_url}', retry_busy_s: 5}}\n"
        f"notify: {{urls: ['{hook_url}']}}\n"
        "schedule: {cron: '* * * * *', grace_s: 50}\n"
        "crawl: {max_depth: 0, carousel_watch_ms: 1000}\n"
        f"stores:\n{slow}{stores}",
        encoding="utf-8",
    )
    log = tmp_path / "log.txt"
    workers = [spawn("worker", "--concurrency", "1", "--name", f"w{i}@test", cwd=tmp_path, log=log) for i in (1, 2)]
    schedulers = [spawn("schedule", "--now", NOW, cwd=tmp_path, log=log) for _ in (1, 2)]
    try:
        deadline = time.monotonic() + 150  # the next minute's tick, from both schedulers
        ticks: list[Any] = []
        while len(ticks) < 6:
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
            try:
                ticks = rows(pg_url, "SELECT store, tick FROM schedule_ticks")
            except Exception:  # the schedulers are still creating the schema
                ticks = []
        stop(schedulers)  # one tick only: the next minute must not enqueue again

        killed = None
        deadline = time.monotonic() + 240
        while killed is None:
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            running = rows(pg_url, "SELECT id, pid FROM runs WHERE store = 'slow' AND status = 'running'")
            if running:
                time.sleep(3)  # mid-audit: the page is read, its carousel is being watched
                killed = running[0]
                os.kill(killed.pid, signal.SIGKILL)
            time.sleep(0.3)

        deadline = time.monotonic() + 300
        while True:
            done = rows(pg_url, "SELECT store, status, task_id, findings_total, id FROM runs ORDER BY id")
            finished = {r.store for r in done if r.status in ("complete", "partial")}
            if len(finished) == 6 and not any(r.status == "running" for r in done):
                break
            assert time.monotonic() < deadline, (done, log.read_text(errors="replace")[-3000:])
            time.sleep(1)
        # run-now from the console and `audit --enqueue` go through the same queue
        cfg = load_config(tmp_path / "config.yaml")
        repo = Repo(open_db(cfg.db_url))
        repo.add_user("op", "operator", "op-password")
        console = TestClient(create_app(cfg, NOW), headers={"Authorization": f"Bearer {repo.new_token('op')}"})
        job = console.post("/api/runs", json={"store": "price-jd"}).json()
        queued = subprocess.run(
            [
                sys.executable,
                "-m",
                "auditor",
                "audit",
                "--enqueue",
                "--store",
                "price-tmall",
                "--config",
                "config.yaml",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "AUDITOR_DB_URL": "", "AUDITOR_BROKER_URL": ""},
        )
        assert queued.returncode == 0 and "price-tmall" in queued.stdout, queued.stderr
        deadline = time.monotonic() + 120
        while (state := console.get(f"/api/jobs/{job['job']}").json())["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, state
            time.sleep(0.5)
        assert state["state"] == "done" and job["task"] and state["run"]
        assert rows(pg_url, f"SELECT task_id FROM runs WHERE id = {state['run']}")[0].task_id == job["task"]
        while len(rows(pg_url, "SELECT 1 FROM runs WHERE store = 'price-tmall' AND status <> 'running'")) < 2:
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        status_out = subprocess.run(
            [sys.executable, "-m", "auditor", "workers", "status", "--json", "--config", "config.yaml"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "AUDITOR_DB_URL": "", "AUDITOR_BROKER_URL": ""},
        )
        # a task whose store left the config while it waited in the queue: failed and said, not retried
        cfg.stores.append(cfg.stores[-1].model_copy(update={"name": "gone"}))
        enqueue(cfg, "gone", "audit", datetime.fromisoformat(NOW))
        deadline = time.monotonic() + 60
        while not [m for m in told if "gone" in m.get("title", "")]:
            assert time.monotonic() < deadline, (told, log.read_text(errors="replace")[-3000:])
            time.sleep(0.3)
    finally:
        stop(schedulers)
        stop(workers)
    [gone] = [m for m in told if "gone" in m.get("title", "")]
    assert "巡检任务失败" in gone["title"] and "no store named 'gone'" in gone["message"]

    assert sorted(t.store for t in ticks) == sorted(["slow", *PAGES]) and len({t.tick for t in ticks}) == 1
    by_store: dict[str, list[Any]] = {}
    for r in done:
        by_store.setdefault(r.store, []).append(r)
    for store in PAGES:  # each audited exactly once
        assert [r.status for r in by_store[store]] in (["complete"], ["partial"]), by_store[store]
    first, again = by_store["slow"]  # the killed attempt, then the same task delivered again
    assert first.id == killed.id and first.status == "aborted" and again.status in ("complete", "partial")
    assert first.task_id == again.task_id
    assert "its worker died" in rows(pg_url, f"SELECT errors FROM runs WHERE id = {first.id}")[0].errors[-1]
    per_run = rows(pg_url, f"SELECT count(*) AS n FROM findings WHERE store = 'slow' AND last_run_id = {again.id}")
    assert per_run[0].n == again.findings_total  # nothing duplicated by the second attempt
    assert len(rows(pg_url, "SELECT 1 FROM schedule_ticks")) == 6  # two schedulers, one enqueue per store

    state = json.loads(status_out.stdout)
    assert status_out.returncode == 0 and len(state["workers"]) == 2 and state["queued"] == {}
    assert [f["run"] for f in state["failed"]] == [first.id]
