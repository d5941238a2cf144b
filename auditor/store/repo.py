"""The store stage's one entry point: runs and locks, findings and their lifecycle, caches, console users."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from auditor.store.caches import CacheStore
from auditor.store.db import utc
from auditor.store.findings import FindingStore, RunOutcome, to_finding
from auditor.store.runs import RunStore
from auditor.store.users import UserStore

__all__ = ["Repo", "RunOutcome", "to_finding", "utc"]


class Repo(RunStore, FindingStore, CacheStore, UserStore):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
