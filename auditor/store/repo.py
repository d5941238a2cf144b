"""Store stage: runs, the findings lifecycle (open → fixed → regressed; triage), locks, history."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from auditor.errors import AuditorError, StoreLockedError
from auditor.models import Finding, Page, PricePoint
from auditor.store.tables import FindingEvent, FindingRow, OcrCache, PriceObservation, Run, RunPage, StoreLock

from auditor.vocabulary import ACTIVE_STATUSES as ACTIVE  # noqa: E402

OPERATOR_STATUSES = ("acknowledged", "assigned", "resolved", "ignored", "open")
STALE_LOCK = timedelta(hours=6)


def utc(dt: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive, PostgreSQL aware."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class RunOutcome:
    run_id: int
    new: int
    fixed: int
    regressed: int
    seen: int
    new_fingerprints: set[str] = field(default_factory=set)


class Repo:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    # ---- runs and locks ----
    def start_run(self, store: str, clock: datetime, kind: str = "audit") -> int:
        """Create a run and take the store's lock; a second audit of the same store is refused."""
        host, pid = socket.gethostname(), os.getpid()
        with self.sessions.begin() as s:
            self._abort_dead_runs(s, store, clock)
            run = Run(
                store=store,
                kind=kind,
                status="running",
                clock=utc(clock),
                started_at=datetime.now(UTC),
                pid=pid,
                host=host,
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
        stale = lock is not None and (
            (lock.host == socket.gethostname() and not _pid_alive(lock.pid))
            or datetime.now(UTC) - utc(lock.acquired_at) > STALE_LOCK
        )
        if stale and lock is not None:
            s.delete(lock)
            s.flush()
        live_run = lock.run_id if lock is not None and not stale else None
        for run in s.scalars(select(Run).where(Run.store == store, Run.status == "running")):
            if run.id != live_run:
                run.status = "aborted"
                run.finished_at = datetime.now(UTC)
                run.errors = [*run.errors, "aborted: the process ended before the run finished"]

    def abort_runs_of(self, pid: int) -> None:
        """Mark this process's running runs aborted and free their locks (the scheduler, stopped hard)."""
        with self.sessions.begin() as s:
            for run in s.scalars(select(Run).where(Run.status == "running", Run.pid == pid)):
                run.status, run.finished_at = "aborted", datetime.now(UTC)
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

    def run(self, run_id: int | None = None, store: str | None = None) -> Run | None:
        with self.sessions() as s:
            if run_id is not None:
                return s.get(Run, run_id)
            q = select(Run).order_by(Run.id.desc()).limit(1)
            if store:
                q = q.where(Run.store == store)
            return s.scalars(q).first()

    # ---- findings ----
    def record(
        self,
        run_id: int,
        findings: list[Finding],
        pages: list[Page],
        complete: bool,
        rules_run: Iterable[str],
        clock: datetime,
    ) -> RunOutcome:
        """Upsert this run's findings by fingerprint and move the lifecycle on.

        Seen again after fixed/resolved → regressed; ignored stays ignored. Only a complete run marks
        fixed, and only findings of rules it ran on pages it covered."""
        now = utc(clock)
        rules = set(rules_run)
        covered = {(p.url, p.viewport) for p in pages if not p.error and not p.blocked}
        new = fixed = regressed = 0
        new_fps: set[str] = set()
        with self.sessions.begin() as s:
            run = s.get(Run, run_id)
            assert run is not None
            s.add_all(
                RunPage(
                    run_id=run_id,
                    url=p.url,
                    viewport=p.viewport,
                    status=p.status,
                    ok=not p.error,
                    blocked=p.blocked,
                    error=p.error,
                )
                for p in pages
            )
            seen: set[str] = set()
            for f in findings:
                seen.add(f.fingerprint)
                row = s.scalars(select(FindingRow).where(FindingRow.fingerprint == f.fingerprint)).first()
                if row is None:
                    row = FindingRow(
                        fingerprint=f.fingerprint,
                        store=f.store,
                        check=f.check,
                        rule=f.rule,
                        severity=f.severity,
                        status="open",
                        page=f.page,
                        region=f.region,
                        viewport=f.viewport,
                        target=f.target,
                        message=f.message,
                        evidence=f.evidence,
                        screenshot=f.screenshot,
                        first_seen=now,
                        last_seen=now,
                        occurrences=1,
                        last_run_id=run_id,
                    )
                    s.add(row)
                    s.flush()
                    s.add(
                        FindingEvent(
                            finding_id=row.id, at=now, who="auditor", from_status=None, to_status="open", run_id=run_id
                        )
                    )
                    new += 1
                    new_fps.add(f.fingerprint)
                    continue
                if row.last_run_id != run_id:
                    row.occurrences += 1
                row.last_seen, row.last_run_id = now, run_id
                row.message, row.evidence, row.severity, row.screenshot = (
                    f.message,
                    f.evidence,
                    f.severity,
                    f.screenshot,
                )
                if row.status in ("fixed", "resolved"):
                    s.add(_auditor_event(row, "regressed", now, run_id))
                    row.status = "regressed"
                    regressed += 1
            if complete:
                store = run.store
                for row in s.scalars(
                    select(FindingRow).where(FindingRow.store == store, FindingRow.status.in_(ACTIVE))
                ):
                    if row.fingerprint in seen or row.rule not in rules or (row.page, row.viewport) not in covered:
                        continue
                    s.add(_auditor_event(row, "fixed", now, run_id, note="no longer seen"))
                    row.status = "fixed"
                    fixed += 1
        return RunOutcome(run_id, new, fixed, regressed, len(seen), new_fps)

    def record_prices(self, run_id: int, store: str, pages: list[Page], clock: datetime) -> None:
        with self.sessions.begin() as s:
            s.add_all(
                PriceObservation(
                    run_id=run_id,
                    store=store,
                    url=p.url,
                    title=p.product.title,
                    price=p.product.price,
                    regular_price=p.product.regular_price,
                    availability=p.product.availability,
                    observed_at=utc(clock),
                )
                for p in pages
                if p.product is not None and p.viewport == "desktop"
            )

    def findings(self, **filters: Any) -> list[Finding]:
        with self.sessions() as s:
            return [to_finding(r) for r in s.scalars(self._query(**filters))]

    def _query(
        self,
        store: str | None = None,
        status: list[str] | None = None,
        check: list[str] | None = None,
        region: list[str] | None = None,
        severity: list[str] | None = None,
        since: datetime | None = None,
        ids: list[int] | None = None,
        run_id: int | None = None,
        not_exported: bool = False,
    ) -> Select[tuple[FindingRow]]:
        q = select(FindingRow).order_by(FindingRow.id)
        if store:
            q = q.where(FindingRow.store == store)
        if status:
            q = q.where(FindingRow.status.in_(status))
        if check:
            q = q.where(FindingRow.check.in_(check))
        if region:
            q = q.where(FindingRow.region.in_(region))
        if severity:
            q = q.where(FindingRow.severity.in_(severity))
        if since:
            q = q.where(FindingRow.last_seen >= utc(since))
        if ids:
            q = q.where(FindingRow.id.in_(ids))
        if run_id is not None:
            q = q.where(FindingRow.last_run_id == run_id)
        if not_exported:
            q = q.where(FindingRow.exported_at.is_(None))
        return q

    def mark_exported(self, ids: list[int], clock: datetime) -> None:
        with self.sessions.begin() as s:
            for row in s.scalars(select(FindingRow).where(FindingRow.id.in_(ids))):
                row.exported_at = utc(clock)

    def events(self, finding_id: int) -> list[FindingEvent]:
        with self.sessions() as s:
            return list(
                s.scalars(select(FindingEvent).where(FindingEvent.finding_id == finding_id).order_by(FindingEvent.id))
            )

    def set_status(
        self, ids: list[int], to: str, who: str, clock: datetime, note: str | None = None, assignee: str | None = None
    ) -> int:
        """An operator's triage; all findings are checked before any is changed, so a bad id changes nothing."""
        allowed = {
            "acknowledged": ACTIVE,
            "assigned": (*ACTIVE, "fixed"),
            "resolved": (*ACTIVE, "fixed"),
            "ignored": (*ACTIVE, "fixed", "resolved"),
            "open": ("fixed", "resolved", "ignored", "acknowledged", "assigned", "regressed"),
        }[to]
        with self.sessions.begin() as s:
            rows = list(s.scalars(select(FindingRow).where(FindingRow.id.in_(ids))))
            missing = sorted(set(ids) - {r.id for r in rows})
            if missing:
                raise AuditorError(f"no finding with id {', '.join(map(str, missing))}")
            for r in rows:
                if r.status not in allowed:
                    raise AuditorError(f"finding #{r.id} is {r.status}: it cannot become {to}")
            for r in rows:
                s.add(
                    FindingEvent(finding_id=r.id, at=utc(clock), who=who, from_status=r.status, to_status=to, note=note)
                )
                r.status = to
                if assignee is not None:
                    r.assignee = assignee
                if to in ("resolved", "ignored") and note:
                    r.resolution = note
            return len(rows)

    def ocr_get(self, shas: list[str], engine: str) -> dict[str, list[dict[str, Any]]]:
        with self.sessions() as s:
            rows = s.scalars(select(OcrCache).where(OcrCache.engine == engine, OcrCache.sha256.in_(shas)))
            return {r.sha256: r.lines for r in rows}

    def ocr_put(self, sha: str, engine: str, lines: list[dict[str, Any]]) -> None:
        with self.sessions.begin() as s:
            s.merge(OcrCache(sha256=sha, engine=engine, lines=lines, created_at=datetime.now(UTC)))

    def run_dict(self, run_id: int | None = None, store: str | None = None) -> dict[str, Any] | None:
        run = self.run(run_id, store)
        if run is None:
            return None
        data = {c.name: getattr(run, c.name) for c in Run.__table__.columns}
        data["clock"] = utc(run.clock)
        return data

    def price_history(self, store: str) -> dict[str, list[PricePoint]]:
        with self.sessions() as s:
            rows = s.scalars(
                select(PriceObservation).where(PriceObservation.store == store).order_by(PriceObservation.observed_at)
            )
            out: dict[str, list[PricePoint]] = {}
            for r in rows:
                out.setdefault(r.url, []).append(PricePoint(at=utc(r.observed_at), price=r.price))
            return out

    def prices(self, url: str) -> list[PriceObservation]:
        with self.sessions() as s:
            return list(
                s.scalars(
                    select(PriceObservation).where(PriceObservation.url == url).order_by(PriceObservation.observed_at)
                )
            )


def _auditor_event(row: FindingRow, to: str, at: datetime, run_id: int, note: str | None = None) -> FindingEvent:
    """A status change made by a run (not by an operator)."""
    return FindingEvent(
        finding_id=row.id, at=at, who="auditor", from_status=row.status, to_status=to, run_id=run_id, note=note
    )


def to_finding(r: FindingRow) -> Finding:
    return Finding(
        id=r.id,
        check=r.check,
        rule=r.rule,
        severity=r.severity,
        status=r.status,
        store=r.store,
        page=r.page,
        region=r.region,
        viewport=r.viewport,
        target=r.target,
        message=r.message,
        evidence=r.evidence,
        screenshot=r.screenshot,
        fingerprint=r.fingerprint,
        first_seen=utc(r.first_seen),
        last_seen=utc(r.last_seen),
        occurrences=r.occurrences,
        assignee=r.assignee,
        resolution=r.resolution,
    )
