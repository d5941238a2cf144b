"""Shared test fixtures: the fixture store on a free loopback port, a fixed audit clock, config files."""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from auditor.demo_store import FixtureStore

ROOT = Path(__file__).resolve().parent.parent
CLOCK = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="session")
def clock() -> datetime:
    return CLOCK


@pytest.fixture(scope="session")
def fixture_store() -> Iterator[FixtureStore]:
    with FixtureStore(CLOCK) as store:
        yield store


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A chat webhook on loopback that keeps what apprise posts: (its json:// URL, the messages)."""
    received: list[dict[str, Any]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"json://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def free_port() -> int:
    """A loopback port nothing listens on now (for servers the tests start)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def auditor(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as an operator runs it."""
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory, fixture_store: FixtureStore) -> dict[str, Any]:
    """Two audits of the fixture store (a day apart) through the CLI, and the JSON export after them."""
    import json

    import yaml

    truth = yaml.safe_load((ROOT / "fixtures" / "truth.yaml").read_text(encoding="utf-8"))
    work = tmp_path_factory.mktemp("e2e")
    (work / "config.yaml").write_text(
        f"storage: {{url: sqlite:///audit.db}}\n"
        f"rules: {{dir: {ROOT / 'rules'}}}\n"
        f"stores:\n  - name: fixture\n    url: {fixture_store.url}\n"
        f"    required: [{{name: 在线客服, selector: '#cs-widget'}}]\n",
        encoding="utf-8",
    )
    first = auditor("audit", "--config", "config.yaml", "--now", truth["clock"], "--timings", cwd=work)
    second = auditor(
        "audit", "--config", "config.yaml", "--now", "2026-11-21T09:00:00+08:00", "--report", "report.html", cwd=work
    )
    exported = auditor("export", "--config", "config.yaml", "--format", "json", cwd=work)
    assert exported.returncode == 0, exported.stderr
    return {
        "first": first,
        "second": second,
        "findings": json.loads(exported.stdout),
        "base": fixture_store.url,
        "work": work,
        "truth": truth,
    }


@pytest.fixture
def fresh_store() -> Iterator[FixtureStore]:
    """A store of its own, for tests that count requests."""
    with FixtureStore(CLOCK) as store:
        yield store


def _start_postgres(tmp: Path) -> str | None:
    """A throwaway PostgreSQL cluster on a Unix socket, from the server binaries Debian installs."""
    import glob
    import os
    import shutil
    import subprocess

    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = bins[-1] if bins else shutil.which("initdb")
    if not initdb:
        return None
    bindir = Path(initdb).parent
    tmp.mkdir(parents=True, exist_ok=True)
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(tmp, "postgres")
        shutil.chown(sock, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(tmp / "log"),
            "-o",
            f"-k {sock} -c listen_addresses='' -p 54329",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*prefix, str(bindir / "createdb"), "-h", str(sock), "-p", "54329", "-U", "postgres", "auditor"],
        check=True,
        capture_output=True,
    )
    return f"postgresql+psycopg://postgres@/auditor?host={sock}&port=54329"


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import os
    import subprocess

    if url := os.environ.get("AUDITOR_TEST_PG_URL"):
        yield url
        return
    tmp = Path("/tmp") / f"auditor-pg-{os.getpid()}"
    url = _start_postgres(tmp)
    if url is None:
        if os.environ.get("AUDITOR_REQUIRE_PG"):
            pytest.fail("PostgreSQL server binaries not found (scripts/setup.sh --test installs them)")
        pytest.skip("no PostgreSQL server binaries here")
    yield url
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    import glob

    pg_ctl = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    subprocess.run(
        [*prefix, pg_ctl[-1] if pg_ctl else "pg_ctl", "-D", str(tmp / "data"), "-m", "immediate", "stop"],
        capture_output=True,
    )
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.db'}"
    url: str = request.getfixturevalue("pg_url")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:  # each test starts from an empty schema
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


# Property tests explore widely here (run with HYPOTHESIS_PROFILE=deep) but are reproducible in CI.
from hypothesis import settings as _hyp_settings  # noqa: E402

_hyp_settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None)
_hyp_settings.register_profile("deep", max_examples=3000, deadline=None)
_hyp_settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "ci"))
