"""The findings lifecycle on SQLite and PostgreSQL: open → fixed → regressed, triage, locks."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from auditor.errors import AuditorError, StoreLockedError
from auditor.models import Finding, Page
from auditor.store.db import open_db
from auditor.store.repo import Repo
from auditor.store.tables import Run, StoreLock
from tests.conftest import CLOCK

P1, P2 = "http://shop.test/", "http://shop.test/about"


def finding(fp: str, page: str = P1, rule: str = "dead-link") -> Finding:
    return Finding(
        check="dead-link",
        rule=rule,
        severity="high",
        store="s",
        page=page,
        region="nav",
        target=f"http://shop.test/{fp}",
        message=fp,
        fingerprint=fp,
    )


def run(repo: Repo, day: int, found: list[Finding], pages: list[Page] | None = None, complete: bool = True) -> None:
    clock = CLOCK + timedelta(days=day)
    run_id = repo.start_run("s", clock)
    pages = pages if pages is not None else [Page(url=P1), Page(url=P2)]
    repo.record(run_id, found, pages, complete, ["dead-link"], clock)
    repo.finish_run(run_id, "complete" if complete else "partial")


def statuses(repo: Repo) -> dict[str, str]:
    return {f.fingerprint: f.status for f in repo.findings(store="s")}


@pytest.fixture
def repo(db_url: str) -> Repo:
    return Repo(open_db(db_url))


def test_fixed_then_regressed(repo: Repo) -> None:
    run(repo, 0, [finding("a"), finding("b")])
    run(repo, 1, [finding("a")])
    assert statuses(repo) == {"a": "open", "b": "fixed"}
    run(repo, 2, [finding("a"), finding("b")])
    assert statuses(repo) == {"a": "open", "b": "regressed"}
    a = repo.findings(ids=[1])[0]
    assert a.occurrences == 3 and a.first_seen == CLOCK and a.last_seen == CLOCK + timedelta(days=2)
    history = [(e.from_status, e.to_status) for e in repo.events(2)]
    assert history == [(None, "open"), ("open", "fixed"), ("fixed", "regressed")]


def test_partial_run_or_uncovered_page_never_fixes(repo: Repo) -> None:
    run(repo, 0, [finding("a"), finding("b", page=P2)])
    run(repo, 1, [], complete=False)
    assert statuses(repo) == {"a": "open", "b": "open"}
    run(repo, 2, [], pages=[Page(url=P1), Page(url=P2, error="timed out")])
    assert statuses(repo) == {"a": "fixed", "b": "open"}


def test_findings_of_rules_not_run_are_not_fixed(repo: Repo) -> None:
    run(repo, 0, [finding("a", rule="other-rule")])
    run(repo, 1, [])
    assert statuses(repo) == {"a": "open"}


def test_ignored_stays_ignored_and_resolved_regresses(repo: Repo) -> None:
    run(repo, 0, [finding("a"), finding("b")])
    repo.set_status([1], "resolved", "小王", CLOCK, note="已替换链接")
    repo.set_status([2], "ignored", "小王", CLOCK, note="误报")
    run(repo, 1, [finding("a"), finding("b")])
    assert statuses(repo) == {"a": "regressed", "b": "ignored"}
    assert repo.findings(ids=[1])[0].resolution == "已替换链接"


def test_assign_records_who_and_assignee(repo: Repo) -> None:
    run(repo, 0, [finding("a")])
    repo.set_status([1], "assigned", "组长", CLOCK, assignee="小李")
    f = repo.findings(ids=[1])[0]
    assert (f.status, f.assignee) == ("assigned", "小李")
    e = repo.events(1)[-1]
    assert (e.who, e.from_status, e.to_status) == ("组长", "open", "assigned")


def test_bad_triage_changes_nothing(repo: Repo) -> None:
    run(repo, 0, [finding("a")])
    with pytest.raises(AuditorError, match="no finding with id 99"):
        repo.set_status([1, 99], "resolved", "x", CLOCK, note="n")
    repo.set_status([1], "ignored", "x", CLOCK, note="n")
    with pytest.raises(AuditorError, match="is ignored: it cannot become acknowledged"):
        repo.set_status([1], "acknowledged", "x", CLOCK)
    assert statuses(repo) == {"a": "ignored"} and len(repo.events(1)) == 2


def test_second_audit_of_a_store_is_refused(repo: Repo) -> None:
    first = repo.start_run("s", CLOCK)
    with pytest.raises(StoreLockedError, match=f"being audited by run #{first}"):
        repo.start_run("s", CLOCK)
    repo.finish_run(first, "complete")
    repo.finish_run(repo.start_run("s", CLOCK), "complete")


def test_killed_run_is_aborted_and_its_lock_freed(repo: Repo) -> None:
    first = repo.start_run("s", CLOCK)
    with repo.sessions.begin() as s:  # as if the process had been killed: its pid no longer exists
        s.get(StoreLock, "s").pid = 2**22 + 12345  # type: ignore[union-attr]
    second = repo.start_run("s", CLOCK)
    with repo.sessions() as s:
        assert s.get(Run, first).status == "aborted"  # type: ignore[union-attr]
        assert s.scalars(select(StoreLock.run_id)).one() == second
    assert os.getpid() == repo.run(second).pid  # type: ignore[union-attr]


def test_times_round_trip_in_utc(repo: Repo) -> None:
    run(repo, 0, [finding("a")])
    f = repo.findings()[0]
    assert f.first_seen == datetime.fromisoformat("2026-11-20T01:00:00+00:00")


def test_a_relative_promise_keeps_the_day_it_was_first_shown(repo: Repo) -> None:
    day1, day2 = CLOCK, CLOCK + timedelta(days=1)
    assert repo.first_seen("s", {"今晚24点"}, day1) == {"今晚24点": day1}
    seen = repo.first_seen("s", {"今晚24点", "限时3天"}, day2)
    assert seen == {"今晚24点": day1, "限时3天": day2}
    # per store: another shop showing the same words starts its own count
    assert repo.first_seen("other", {"今晚24点"}, day2) == {"今晚24点": day2}
    assert repo.first_seen("s", set(), day2) == {}
    # gone for more than a day and a half, then back: a new promise, counted from its return
    day5 = CLOCK + timedelta(days=5)
    assert repo.first_seen("s", {"今晚24点"}, day5) == {"今晚24点": day5}


def test_a_pair_the_run_could_not_judge_is_not_fixed(repo: Repo) -> None:
    run(repo, 0, [finding("a")])
    clock = CLOCK + timedelta(days=1)
    run_id = repo.start_run("s", clock)
    # not seen this time, but only because the rival's price could not be read
    repo.record(run_id, [], [Page(url=P1)], True, ["dead-link"], clock, unjudged={("dead-link", "http://shop.test/a")})
    repo.finish_run(run_id, "complete")
    assert statuses(repo) == {"a": "open"}


def test_opened_from_many_threads_at_once_the_schema_is_made_once(db_url: str) -> None:
    """The scheduler fires every store's job in the same second: each thread opens the database."""
    import threading

    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            open_db(db_url)
        except BaseException as exc:  # collected: the test names it
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert Repo(open_db(db_url)).runs() == []


def test_a_cron_tick_is_claimed_once_and_a_failed_enqueue_gives_it_back(db_url: str) -> None:
    repo = Repo(open_db(db_url))
    with pytest.raises(ConnectionError), repo.claiming_tick("shop", CLOCK, "t1") as claimed:
        assert claimed
        raise ConnectionError("broker down")  # the task never reached the queue: the tick is not taken
    with repo.claiming_tick("shop", CLOCK, "t2") as claimed:
        assert claimed
    with repo.claiming_tick("shop", CLOCK, "t3") as claimed:
        assert not claimed
    with repo.claiming_tick("shop", CLOCK + timedelta(days=1), "t4") as claimed:
        assert claimed


def test_a_task_delivered_again_aborts_only_a_dead_attempt(db_url: str) -> None:
    repo = Repo(open_db(db_url))
    alive = repo.start_run("live", CLOCK, task_id="t-live")  # this process: alive, beating
    dead = repo.start_run("dead", CLOCK, task_id="t-dead")
    silent = repo.start_run("silent", CLOCK, task_id="t-silent")
    with repo.sessions.begin() as s:
        s.get(Run, dead).pid = 2**22 + 1  # above pid_max on Linux: no such process here
        elsewhere = s.get(Run, silent)
        elsewhere.host, elsewhere.beat_at = "another-machine", datetime.now(UTC) - timedelta(minutes=6)
    gap = timedelta(minutes=5)
    assert repo.abort_attempts_of("t-live", gap) == ([], [alive])
    assert repo.abort_attempts_of("t-dead", gap) == ([dead], [])
    assert repo.abort_attempts_of("t-silent", gap) == ([silent], [])
    assert repo.busy("dead") is None and repo.busy("silent") is None and repo.busy("live") == alive
    repo.beat("t-live")
    assert repo.run(alive).beat_at is not None


@pytest.mark.postgres
def test_processes_starting_together_on_an_empty_postgresql_migrate_once(pg_url: str) -> None:
    """Schedulers and workers started together on a new database: one migrates, the others wait."""
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    code = "import sys; from auditor.store.db import open_db; open_db(sys.argv[1])"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, pg_url], stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors


def test_a_worker_run_on_another_machine_that_stopped_beating_frees_its_store(db_url: str) -> None:
    repo = Repo(open_db(db_url))
    held = repo.start_run("shop", CLOCK, task_id="t1")
    with repo.sessions.begin() as s:
        s.get(Run, held).host = "another-machine"
        s.get(StoreLock, "shop").host = "another-machine"
    with pytest.raises(StoreLockedError):  # beating recently (its start counts): still audited there
        repo.start_run("shop", CLOCK)
    with repo.sessions.begin() as s:
        s.get(Run, held).beat_at = datetime.now(UTC) - timedelta(minutes=6)
    again = repo.start_run("shop", CLOCK)
    assert again != held and repo.run(held).status == "aborted"


def test_the_newest_revision_the_store_knows_is_alembics_head(db_url: str) -> None:
    """A database at HEAD_REVISION is opened without alembic: a new migration must move it."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, text

    from auditor.store.db import HEAD_REVISION, alembic_config, at_head

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION
    open_db(db_url)
    engine = create_engine(db_url)
    assert at_head(engine)
    with engine.begin() as conn:  # one revision behind: migrate() runs alembic again
        conn.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    assert not at_head(engine)
