"""Export stage: findings as JSON / JSONL (DESIGN "Finding") and the issue-log layout (CSV, XLSX)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from auditor.errors import AuditorError
from auditor.i18n import label, t
from auditor.models import Finding

if TYPE_CHECKING:
    from auditor.config import Config

FINDING_FIELDS = (
    "id",
    "check",
    "rule",
    "severity",
    "status",
    "store",
    "page",
    "region",
    "viewport",
    "target",
    "message",
    "evidence",
    "screenshot",
    "fingerprint",
    "first_seen",
    "last_seen",
    "occurrences",
    "assignee",
    "resolution",
)
LOG_COLUMNS = (
    "check",
    "page",
    "region",
    "message",
    "severity",
    "checker",
    "date",
    "assignee",
    "resolution",
    "status",
    "target",
    "screenshot",
    "check_id",
)
FORMATS = ("json", "jsonl", "csv", "xlsx")


def finding_json(f: Finding) -> dict[str, Any]:
    data = f.model_dump(mode="json")
    return {k: data[k] for k in FINDING_FIELDS}


def log_rows(findings: Iterable[Finding], checker: str, zone: ZoneInfo, locale: str = "zh-CN") -> list[list[Any]]:
    """The checklist's columns in the reader's language; the stable check id in the last column."""
    rows = []
    for f in findings:
        seen = f.last_seen.astimezone(zone).strftime("%Y-%m-%d") if f.last_seen else ""
        rows.append(
            [
                label(f.check, locale),
                f.page,
                label(f.region, locale),
                f.message,
                label(f.severity, locale),
                checker,
                seen,
                f.assignee or "",
                f.resolution or "",
                label(f.status, locale),
                f.target or "",
                f.screenshot or "",
                f.check,
            ]
        )
    return rows


def render(findings: list[Finding], fmt: str, locale: str, checker: str, zone: ZoneInfo) -> bytes:
    if fmt == "json":
        return json.dumps([finding_json(f) for f in findings], ensure_ascii=False, indent=2).encode() + b"\n"
    if fmt == "jsonl":
        return "".join(json.dumps(finding_json(f), ensure_ascii=False) + "\n" for f in findings).encode()
    header = [t(c, locale) for c in LOG_COLUMNS]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(header)
        w.writerows(log_rows(findings, checker, zone, locale))
        return ("\ufeff" + buf.getvalue()).encode()  # the BOM makes Excel read the Chinese right
    if fmt == "xlsx":
        from auditor.xlsx import workbook

        return workbook(header, log_rows(findings, checker, zone, locale), findings, locale)
    raise AuditorError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write all or nothing: a failed export never leaves half a file behind."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise AuditorError(f"{path}: directory {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    except OSError as exc:
        raise AuditorError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; an export is an ordinary file
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise AuditorError(f"{path}: cannot write: {exc.strerror}") from None


def stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def export_findings(
    cfg: Config,
    fmt: str,
    now: datetime,
    store: str | None = None,
    status: list[str] | None = None,
    new_since_last_export: bool = False,
    output: Path | None = None,
    write: Callable[[bytes], None] | None = None,
) -> int:
    """Write the issue log in `fmt` (csv, xlsx, json, jsonl) atomically to `output`, or hand its bytes
    to `write` (stdout); returns how many findings it holds. With `new_since_last_export` only findings
    not exported before, marked exported once written (a failed write loses nothing)."""
    from auditor.store.db import open_db
    from auditor.store.repo import Repo

    repo = Repo(open_db(cfg.db_url))
    findings = repo.findings(store=store, status=status or None, not_exported=new_since_last_export)
    data = render(findings, fmt, cfg.locale, cfg.checker, cfg.zone())
    if output is not None:
        write_atomic(output, data)
    elif write is not None:
        write(data)
    if new_since_last_export:
        repo.mark_exported([f.id for f in findings if f.id is not None], now)
    return len(findings)


def write_report(cfg: Config, path: Path, run_id: int | None = None, store: str | None = None) -> int:
    """Write the HTML report of a run (the newest by default) from the database; returns the run id."""
    from auditor.report import render_report
    from auditor.store.db import open_db
    from auditor.store.repo import Repo

    repo = Repo(open_db(cfg.db_url))
    run = repo.run_dict(run_id, store)
    if run is None:
        raise AuditorError(f"no run {'#' + str(run_id) if run_id else 'recorded yet'} in {cfg.db_url.split('@')[-1]}")
    findings = repo.findings(run_id=run["id"])
    write_atomic(path, render_report(run, findings, cfg.locale, cfg.zone(), repo.rivals_of_run(run["id"])).encode())
    return int(run["id"])
