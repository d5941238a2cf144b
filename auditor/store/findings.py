"""Findings and their lifecycle: upsert by fingerprint, fixed / regressed by runs, triage by operators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from auditor.errors import AuditorError
from auditor.models import Finding, Page
from auditor.store.db import utc
from auditor.store.tables import FindingEvent, FindingRow, Run, RunPage
from auditor.vocabulary import ACTIVE_STATUSES as ACTIVE
from auditor.vocabulary import AUDITOR_TRANSITIONS, CLOSING_STATUSES, OPERATOR_TRANSITIONS, SEVERITIES, FindingStatus


@dataclass
class RunOutcome:
    run_id: int
    new: int
    fixed: int
    regressed: int
    seen: int
    new_fingerprints: set[str] = field(default_factory=set)
    regressed_fingerprints: set[str] = field(default_factory=set)


class FindingStore:
    sessions: sessionmaker[Session]

    def record_pages(self, run_id: int, pages: list[Page]) -> None:
        """The pages a run read before it was stopped (aborted or failed): kept, not lost."""
        with self.sessions.begin() as s:
            s.add_all(_page_rows(run_id, pages))

    def record(
        self,
        run_id: int,
        findings: list[Finding],
        pages: list[Page],
        complete: bool,
        rules_run: Iterable[str],
        clock: datetime,
        unjudged: set[tuple[str, str]] | None = None,
    ) -> RunOutcome:
        """Upsert this run's findings by fingerprint and move the lifecycle on.

        Seen again after fixed/resolved → regressed; ignored stays ignored. Only a complete run marks
        fixed, and only findings of rules it ran on pages it covered; `unjudged` names (check, target)
        pairs the run could not judge (a rival price not read), whose findings are left as they are."""
        now = utc(clock)
        rules = set(rules_run)
        covered = {(p.url, p.viewport) for p in pages if not p.error and not p.blocked}
        new = fixed = regressed = 0
        new_fps: set[str] = set()
        regressed_fps: set[str] = set()
        with self.sessions.begin() as s:
            run = s.get(Run, run_id)
            assert run is not None
            s.add_all(_page_rows(run_id, pages))
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
                        status=FindingStatus.OPEN,
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
                            finding_id=row.id,
                            at=now,
                            who="auditor",
                            from_status=None,
                            to_status=FindingStatus.OPEN,
                            run_id=run_id,
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
                if FindingStatus.REGRESSED in AUDITOR_TRANSITIONS.get(
                    row.status, ()
                ):  # fixed or resolved, and seen again
                    s.add(_auditor_event(row, FindingStatus.REGRESSED, now, run_id))
                    row.status = FindingStatus.REGRESSED
                    regressed += 1
                    regressed_fps.add(f.fingerprint)
            if complete:
                store = run.store
                for row in s.scalars(
                    select(FindingRow).where(FindingRow.store == store, FindingRow.status.in_(ACTIVE))
                ):
                    if row.fingerprint in seen or row.rule not in rules or (row.page, row.viewport) not in covered:
                        continue
                    if (row.check, row.target or "") in (unjudged or set()):
                        continue
                    s.add(_auditor_event(row, FindingStatus.FIXED, now, run_id, note="no longer seen"))
                    row.status = FindingStatus.FIXED
                    fixed += 1
        return RunOutcome(run_id, new, fixed, regressed, len(seen), new_fps, regressed_fps)

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
        assignee: str | None = None,
        new_since: datetime | None = None,
    ) -> Select[tuple[FindingRow]]:
        q = select(FindingRow).order_by(FindingRow.id)
        if assignee:
            q = q.where(FindingRow.assignee == assignee)
        if new_since:
            q = q.where(FindingRow.first_seen >= utc(new_since))
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

    def findings_page(self, offset: int = 0, limit: int = 50, **filters: Any) -> tuple[list[Finding], int]:
        """One page of findings, most severe first (then newest), and how many match in all."""
        rank = case(
            *((FindingRow.severity == sev, n) for n, sev in enumerate(SEVERITIES)),
            else_=9,
        )
        q = self._query(**filters)
        with self.sessions() as s:
            total = s.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
            rows = s.scalars(q.order_by(None).order_by(rank, FindingRow.id.desc()).offset(offset).limit(limit))
            return [to_finding(r) for r in rows], total

    def checks_seen(self, store: str | None = None) -> list[str]:
        """The checks that have findings (for the console's filter), without loading the findings."""
        with self.sessions() as s:
            q = select(FindingRow.check).distinct()
            return sorted(s.scalars(q.where(FindingRow.store == store) if store else q))

    def severity_counts(
        self, store: str, status: list[str], first_seen_after: datetime | None = None
    ) -> dict[str, int]:
        """How many findings of the store in these statuses, per severity (counted by the database)."""
        q = select(FindingRow.severity, func.count()).where(FindingRow.store == store, FindingRow.status.in_(status))
        if first_seen_after is not None:
            q = q.where(FindingRow.first_seen > utc(first_seen_after))
        with self.sessions() as s:
            return {str(sev): int(n) for sev, n in s.execute(q.group_by(FindingRow.severity))}

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
        allowed = {frm for frm, moves in OPERATOR_TRANSITIONS.items() if to in moves}
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
                if to in CLOSING_STATUSES and note:
                    r.resolution = note
            return len(rows)


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


def _page_rows(run_id: int, pages: list[Page]) -> list[RunPage]:
    return [
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
    ]
