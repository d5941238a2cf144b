"""The store stage's one entry point: runs and locks, findings and their lifecycle, caches."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from auditor.store.caches import CacheStore
from auditor.store.db import utc
from auditor.store.findings import FindingStore, RunOutcome, to_finding
from auditor.store.runs import RunStore

__all__ = ["Repo", "RunOutcome", "to_finding", "utc"]


class Repo(RunStore, FindingStore, CacheStore):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
