"""Time: the audit clock (`--now`) and the store's timezone; every date is read through here."""

from __future__ import annotations

from datetime import datetime, tzinfo

from auditor.errors import AuditorError


def parse_now(value: str | None, zone: tzinfo) -> datetime:
    """The audit clock: `--now` as ISO-8601 (naive means the store's timezone), else the real time."""
    if not value:
        return datetime.now(zone)
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise AuditorError(f"--now {value!r}: not an ISO-8601 date-time (e.g. 2026-11-20T09:00:00+08:00)") from None
    return dt.replace(tzinfo=zone) if dt.tzinfo is None else dt.astimezone(zone)
