"""Shared test fixtures: the fixture store on a free loopback port, a fixed audit clock, config files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
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
def fresh_store() -> Iterator[FixtureStore]:
    """A store of its own, for tests that count requests."""
    with FixtureStore(CLOCK) as store:
        yield store
