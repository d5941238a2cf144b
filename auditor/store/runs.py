"""Runs and the per-store lock: one audit of a store at a time; a run whose process died is aborted."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from auditor.errors import StoreLockedError
from auditor.store.db import utc
from auditor.store.tables import Run, ScheduleTick, StoreLock
from auditor.vocabulary import RunStatus

STALE_LOCK = timedelta(hours=6)
STALE_BEAT = timedelta(minutes=5)  # workers beat on their run every 30 s: this long without one, it is dead


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _silent(run: Run | None) -> bool:
    """A run of a worker's task whose heartbeat stopped: its worker (on whatever machine) is dead."""
    if run is None or run.task_id is None:
        return False
    return datetime.now(UTC) - utc(run.beat_at or run.started_at) > STALE_BEAT


class RunStore:
    sessions: sessionmaker[Session]

    def start_run(self, store: str, clock: datetime, kind: str = "audit", task_id: str | None = None) -> int:
        """Create a run and take the store's lock; a second audit of the same store is refused."""
        host, pid = socket.gethostname(), os.getpid()
        with self.sessions.begin() as s:
            self._abort_dead_runs(s, store, clock)
            run = Run(
                store=store,
                kind=kind,
                status=RunStatus.RUNNING,
                clock=utc(clock),
                started_at=datetime.now(UTC),
                pid=pid,
                host=host,
                task_id=task_id,
            )
            s.add(run)
            s.flush()
            lock = s.get(StoreLock, store)
            if lock is not None:
                raise StoreLockedError(
                    f"store {store!r} is being audited by run #{lock.run_id} (pid {lock.pid} on {lock.host}, "
                    f"since {utc(lock.acquired_at):%Y-%m-%d %H:%M} UTC); wait for it to finish"
                )
            s.add(StoreLock(store=store, run_id=run.id, pid=pid, host=host, acquired_at=datetime.now(UTC)))
            try:
                s.flush()
            except IntegrityError:
                raise StoreLockedError(f"store {store!r} is being audited by another process") from None
            return run.id

    def _abort_dead_runs(self, s: Session, store: str, clock: datetime) -> None:
        """A run whose process is gone (killed, machine off) is marked aborted and its lock freed."""
        lock = s.get(StoreLock, store)
        holder = s.get(Run, lock.run_id) if lock is not None else None
        stale = lock is not None and (
            (lock.host == socket.gethostname() and not _pid_alive(lock.pid))
            or datetime.now(UTC) - utc(lock.acquired_at) > STALE_LOCK
            or _silent(holder)  # a worker's task on another machine that stopped beating
        )
        if stale and lock is not None:
            s.delete(lock)
            s.flush()
        live_run = lock.run_id if lock is not None and not stale else None
        for run in s.scalars(select(Run).where(Run.store == store, Run.status == RunStatus.RUNNING)):
            if run.id != live_run:
                run.status = RunStatus.ABORTED
                run.finished_at = datetime.now(UTC)
                run.errors = [*run.errors, "aborted: the process ended before the run finished"]

    def abort_runs_of(self, pid: int) -> None:
        """Mark this process's running runs aborted and free their locks (the scheduler, stopped hard)."""
        with self.sessions.begin() as s:
            for run in s.scalars(select(Run).where(Run.status == RunStatus.RUNNING, Run.pid == pid)):
                run.status, run.finished_at = RunStatus.ABORTED, datetime.now(UTC)
                run.errors = [*run.errors, "aborted: the scheduler was stopped during the run"]
                s.execute(delete(StoreLock).where(StoreLock.run_id == run.id))

    def finish_run(self, run_id: int, status: str, **fields: Any) -> None:
        with self.sessions.begin() as s:
            run = s.get(Run, run_id)
            assert run is not None
            run.status = status
            run.finished_at = datetime.now(UTC)
            for k, v in fields.items():
                setattr(run, k, v)
            s.execute(delete(StoreLock).where(StoreLock.run_id == run_id))

    def add_run_errors(self, run_id: int, errors: list[str]) -> None:
        """Something that failed after the run was recorded (an export, a notification)."""
        with self.sessions.begin() as s:
            run = s.get(Run, run_id)
            if run is not None:
                run.errors = [*run.errors, *errors]

    def abort_attempts_of(self, task_id: str, beat_gap: timedelta) -> tuple[list[int], list[int]]:
        """A task delivered again. Its earlier attempt's running run is aborted (lock freed) only when
        that attempt is provably dead: its process gone on this machine, or no heartbeat for
        `beat_gap`. Returns (aborted, still alive): a live attempt means the broker handed the task
        out twice, and this delivery must not audit beside it."""
        aborted, alive = [], []
        now = datetime.now(UTC)
        with self.sessions.begin() as s:
            for run in s.scalars(select(Run).where(Run.task_id == task_id, Run.status == RunStatus.RUNNING)):
                here = run.host == socket.gethostname()
                beat = utc(run.beat_at or run.started_at)
                dead = (here and run.pid is not None and not _pid_alive(run.pid)) or now - beat > beat_gap
                if not dead:
                    alive.append(run.id)
                    continue
                run.status, run.finished_at = RunStatus.ABORTED, now
                run.errors = [*run.errors, "aborted: its worker died; the task was delivered again"]
                s.execute(delete(StoreLock).where(StoreLock.run_id == run.id))
                aborted.append(run.id)
        return aborted, alive

    def beat(self, task_id: str) -> None:
        """The worker running this task is alive."""
        with self.sessions.begin() as s:
            s.execute(
                update(Run)
                .where(Run.task_id == task_id, Run.status == RunStatus.RUNNING)
                .values(beat_at=datetime.now(UTC))
            )

    def runs_of_task(self, task_id: str) -> list[Run]:
        with self.sessions() as s:
            return list(s.scalars(select(Run).where(Run.task_id == task_id).order_by(Run.id)))

    @contextmanager
    def claiming_tick(self, store: str, tick: datetime, task_id: str) -> Iterator[bool]:
        """Claim this store's cron tick for the `with` block: True for the first scheduler (the claim
        commits only if the block succeeds, so a failed enqueue leaves the tick to another one), False
        for every other. A second claimant waits on the first one's row until it commits or rolls back."""
        s = self.sessions()
        try:
            s.add(
                ScheduleTick(
                    store=store,
                    tick=utc(tick),
                    task_id=task_id,
                    enqueued_at=datetime.now(UTC),
                    by=f"{socket.gethostname()}:{os.getpid()}",
                )
            )
            try:
                s.flush()
            except IntegrityError:
                s.rollback()
                claimed = False
            else:
                claimed = True
            yield claimed
            if claimed:
                s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def set_progress(self, run_id: int, progress: dict[str, Any]) -> None:
        """What the running audit is doing now, for anyone watching (the console's live view)."""
        with self.sessions.begin() as s:
            s.execute(update(Run).where(Run.id == run_id, Run.status == RunStatus.RUNNING).values(progress=progress))

    def run_of_process(self, pid: int, since: datetime) -> Run | None:
        """The run a process on this machine started at or after `since` (a worker the console started)."""
        with self.sessions() as s:
            q = select(Run).where(Run.pid == pid, Run.host == socket.gethostname(), Run.started_at >= utc(since))
            return s.scalars(q.order_by(Run.id.desc()).limit(1)).first()

    def busy(self, store: str) -> int | None:
        """The run holding the store's lock, if a live one does (a dead holder's lock is freed first)."""
        with self.sessions.begin() as s:
            self._abort_dead_runs(s, store, datetime.now(UTC))
            lock = s.get(StoreLock, store)
            return lock.run_id if lock is not None else None

    def run(self, run_id: int | None = None, store: str | None = None) -> Run | None:
        with self.sessions() as s:
            if run_id is not None:
                return s.get(Run, run_id)
            q = select(Run).order_by(Run.id.desc()).limit(1)
            if store:
                q = q.where(Run.store == store)
            return s.scalars(q).first()

    def run_dict(self, run_id: int | None = None, store: str | None = None) -> dict[str, Any] | None:
        run = self.run(run_id, store)
        if run is None:
            return None
        data = {c.name: getattr(run, c.name) for c in Run.__table__.columns}
        data["clock"] = utc(run.clock)
        return data

    def runs(
        self, store: str | None = None, limit: int = 50, since: datetime | None = None, kind: str | None = None
    ) -> list[Run]:
        """The latest runs, newest first."""
        with self.sessions() as s:
            q = select(Run).order_by(Run.id.desc()).limit(limit)
            if kind:
                q = q.where(Run.kind == kind)
            if store:
                q = q.where(Run.store == store)
            if since:
                q = q.where(Run.started_at >= utc(since))
            return list(s.scalars(q))
