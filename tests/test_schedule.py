"""The scheduler's jobs live in the database: a restart neither loses nor doubles them; a missed run
runs once within the grace period."""

from __future__ import annotations

import pickle
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from auditor.config import load_config
from auditor.errors import ConfigError
from auditor.schedule import make_scheduler, sync_jobs


def record(config_path: str, store: str, offset: float = 0.0) -> None:
    """The job, as the scheduler imports it by reference: it leaves a line beside the config."""
    with open(Path(config_path).with_name("calls.txt"), "a") as fh:
        fh.write(f"{store}\n")


def write(tmp_path: Path, cron: str = "30 8 * * *", stores: tuple[str, ...] = ("a", "b")) -> Path:
    p = tmp_path / "config.yaml"
    lines = [
        f"storage: {{url: sqlite:///{tmp_path / 'audit.db'}}}",
        f"schedule: {{cron: '{cron}', grace_s: 3600}}",
        "stores:",
    ] + [f"  - {{name: {s}, url: 'http://{s}.test/'}}" for s in stores]
    p.write_text("\n".join(lines) + "\n")
    return p


def started(path: Path):  # type: ignore[no-untyped-def]
    cfg = load_config(path)
    s = make_scheduler(cfg)
    s.start(paused=True)
    sync_jobs(s, cfg, str(path), func=record)
    return s


def test_restart_neither_loses_nor_doubles_jobs(tmp_path: Path) -> None:
    path = write(tmp_path)
    s = started(path)
    first = {j.id: j.next_run_time for j in s.get_jobs()}
    s.shutdown(wait=False)
    s = started(path)
    again = {j.id: j.next_run_time for j in s.get_jobs()}
    s.shutdown(wait=False)
    assert first == again and sorted(first) == ["audit:a", "audit:b"]
    assert first["audit:a"].hour == 8 and first["audit:a"].minute == 30
    assert str(first["audit:a"].tzinfo) == "Asia/Shanghai"


def test_config_changes_replace_and_remove_jobs(tmp_path: Path) -> None:
    s = started(write(tmp_path))
    s.shutdown(wait=False)
    s = started(write(tmp_path, cron="0 7 * * *", stores=("a",)))
    jobs = s.get_jobs()
    s.shutdown(wait=False)
    assert [j.id for j in jobs] == ["audit:a"] and jobs[0].next_run_time.hour == 7


def test_a_missed_run_runs_once_when_the_scheduler_comes_back(tmp_path: Path) -> None:
    path = write(tmp_path, stores=("a",))
    s = started(path)
    tz = s.get_job("audit:a").next_run_time.tzinfo
    s.shutdown(wait=False)
    # the machine was off at 08:30: the stored next run time is 20 minutes in the past
    missed = datetime.now(tz) - timedelta(minutes=20)
    with sqlite3.connect(tmp_path / "audit.db") as db:
        (state,) = db.execute("SELECT job_state FROM apscheduler_jobs WHERE id = 'audit:a'").fetchone()
        job = pickle.loads(state)
        job["next_run_time"] = missed
        db.execute(
            "UPDATE apscheduler_jobs SET job_state = ?, next_run_time = ? WHERE id = 'audit:a'",
            (pickle.dumps(job), missed.timestamp()),
        )
    calls = tmp_path / "calls.txt"
    s = started(path)
    s.resume()
    deadline = time.monotonic() + 10
    while not calls.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    s.shutdown(wait=True)
    assert calls.read_text() == "a\n"  # once, not once per missed day


def test_a_bad_cron_is_a_config_error(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, cron="61 8 * * *"))
    s = make_scheduler(cfg)
    s.start(paused=True)
    with pytest.raises(ConfigError, match="schedule.cron '61 8"):
        sync_jobs(s, cfg, "config.yaml", func=record)
    s.shutdown(wait=False)


@pytest.mark.parametrize(
    ("cron", "now", "tick"),
    [
        ("30 8 * * *", "2026-11-20T08:30:02", "2026-11-20T08:30:00"),  # fired on time
        ("30 8 * * *", "2026-11-20T09:29:00", "2026-11-20T08:30:00"),  # fired late, within grace_s
        ("30 8 * * *", "2026-11-20T08:29:59", None),  # yesterday's tick is a day old: none
        ("*/5 * * * *", "2026-11-20T09:07:30", "2026-11-20T09:05:00"),  # the latest of several in the window
    ],
)
def test_current_tick_is_the_latest_fire_time_at_or_before_now(
    tmp_path: Path, cron: str, now: str, tick: str | None
) -> None:
    from auditor.schedule import current_tick

    (tmp_path / "config.yaml").write_text(
        f"schedule: {{cron: '{cron}', grace_s: 3600}}\nstores: [{{name: s, url: 'https://s.example/'}}]\n",
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "config.yaml")
    zone = cfg.zone()
    got = current_tick(cfg, "s", datetime.fromisoformat(now).replace(tzinfo=zone))
    assert got == (datetime.fromisoformat(tick).replace(tzinfo=zone) if tick else None)
