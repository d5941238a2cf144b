"""Store stage: the database tables (SQLAlchemy 2 ORM). Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from auditor.vocabulary import RunStatus


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    store: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40), default="audit")
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)  # vocabulary.RUN_STATUSES
    clock: Mapped[datetime]  # the audit clock (--now)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    pages_seen: Mapped[int] = mapped_column(default=0)
    pages_failed: Mapped[int] = mapped_column(default=0)
    pages_blocked: Mapped[int] = mapped_column(default=0)
    findings_total: Mapped[int] = mapped_column(default=0)
    findings_new: Mapped[int] = mapped_column(default=0)
    findings_fixed: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unreachable: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")  # host → count
    progress: Mapped[dict[str, Any] | None]  # while running: {"stage", "done", "total", "url"}
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)  # the Celery task that ran it
    beat_at: Mapped[datetime | None]  # a worker's heartbeat while its task runs
    pid: Mapped[int | None]
    host: Mapped[str | None] = mapped_column(String(200))


class RunPage(Base):
    __tablename__ = "run_pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    viewport: Mapped[str] = mapped_column(String(20), default="desktop")
    status: Mapped[int | None]
    ok: Mapped[bool] = mapped_column(default=True)
    blocked: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)


class FindingRow(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    store: Mapped[str] = mapped_column(String(200), index=True)
    check: Mapped[str] = mapped_column(String(60), index=True)
    rule: Mapped[str] = mapped_column(String(120))
    severity: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    page: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String(40))
    viewport: Mapped[str] = mapped_column(String(20), default="desktop")
    target: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    screenshot: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    occurrences: Mapped[int] = mapped_column(default=1)
    assignee: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[str | None] = mapped_column(Text)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    exported_at: Mapped[datetime | None]


class FindingEvent(Base):
    __tablename__ = "finding_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    who: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))


class OcrCache(Base):
    __tablename__ = "ocr_cache"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    engine: Mapped[str] = mapped_column(String(80), primary_key=True)
    lines: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]


class PriceObservation(Base):
    __tablename__ = "price_observations"
    __table_args__ = (Index("ix_price_obs_url_at", "url", "observed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    store: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[float | None] = mapped_column(Float)
    regular_price: Mapped[float | None] = mapped_column(Float)
    availability: Mapped[str] = mapped_column(String(20))
    observed_at: Mapped[datetime]


class StoreLock(Base):
    __tablename__ = "store_locks"
    store: Mapped[str] = mapped_column(String(200), primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]


class ScheduleTick(Base):
    """A store's morning task enqueued for one cron tick: the first scheduler to insert it enqueues."""

    __tablename__ = "schedule_ticks"
    store: Mapped[str] = mapped_column(String(200), primary_key=True)
    tick: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64))
    enqueued_at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(200))


class TextFirstSeen(Base):
    """When a store first showed a relative promise ("今晚24点", "限时3天"): the day it counts from."""

    __tablename__ = "text_first_seen"
    store: Mapped[str] = mapped_column(String(200), primary_key=True)
    phrase_sha: Mapped[str] = mapped_column(String(40), primary_key=True)
    phrase: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class User(Base):
    """A console user: viewer reads, operator triages and starts runs, admin also manages users."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A script's bearer token; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class AppSecret(Base):
    """Secrets the console makes once and keeps (the session-cookie signing key)."""

    __tablename__ = "app_secrets"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RivalSnapshot(Base):
    """What a competitor's home page and paired products showed in one run, and what changed since the
    previous one (竞品动态)."""

    __tablename__ = "rival_snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    store: Mapped[str] = mapped_column(String(200))
    competitor: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # promotions, slides, prices, changes
