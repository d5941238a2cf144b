"""Store stage: the database engine (SQLite in WAL mode, or PostgreSQL) and its migrations."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from auditor.errors import AuditorError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# the newest migration (auditor/migrations/versions): a database already there is opened without
# loading alembic (a third of a second on every command); tests/store check it is alembic's head
HEAD_REVISION = "0007"


def alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(files("auditor").joinpath("migrations")))
    return cfg


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise AuditorError(f"storage.url / AUDITOR_DB_URL {safe_url(url)!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def safe_url(url: str) -> str:
    """The database URL without its password, for messages and `doctor`."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


_migrating = threading.Lock()  # alembic keeps its context in module globals: one migration per process at a time
MIGRATION_LOCK_KEY = 0x5A_AD17  # PostgreSQL advisory lock: one migration per database at a time


def at_head(engine: Engine) -> bool:
    """The database holds the newest schema already (False when it cannot tell: migrate() then says why)."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return False
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
    except SQLAlchemyError:
        return False


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a new database starts from the first)."""
    if at_head(engine):
        return
    from alembic import command

    cfg = alembic_config()
    try:
        with _migrating, engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # schedulers and workers starting together: one migrates
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise AuditorError(f"数据库无法打开 (database cannot open) {safe_url(str(engine.url))}: {exc.orig}") from None


def open_db(url: str) -> sessionmaker[Session]:
    engine = make_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("findings")


def utc(dt: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back naive, PostgreSQL aware."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
