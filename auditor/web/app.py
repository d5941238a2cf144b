"""The web console (`auditor serve`): the team's daily screen and its JSON API.

Server-rendered (Jinja2, autoescaped: nothing an audited page supplied ever runs here), every asset
served by the package. Sessions are signed HttpOnly SameSite cookies; every form post carries a CSRF
token; scripts use `Authorization: Bearer TOKEN` (`auditor user token NAME`). viewer reads, operator
triages and starts runs, admin also manages users.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from auditor.clock import parse_now
from auditor.config import Config
from auditor.errors import AuditorError, StoreLockedError
from auditor.export import finding_json, render
from auditor.i18n import describe_change, label, stage_label, t
from auditor.models import REGION_KINDS, Finding
from auditor.store.db import open_db, utc
from auditor.store.repo import Repo
from auditor.store.tables import User
from auditor.store.users import prepare_logins, role_at_least
from auditor.vocabulary import (
    ACTIVE_STATUSES,
    FINDING_STATUSES,
    READ_RUN_STATUSES,
    SEVERITIES,
    FindingStatus,
    RunStatus,
)
from auditor.web.text import web_text

PAGE_SIZE = 50
STATUSES = (*ACTIVE_STATUSES, *(s for s in FINDING_STATUSES if s not in ACTIVE_STATUSES))  # to do first
# action → (the status it sets, what it needs)
ACTIONS: dict[str, tuple[str, str | None]] = {
    "acknowledge": (FindingStatus.ACKNOWLEDGED, None),
    "assign": (FindingStatus.ASSIGNED, "assignee"),
    "resolve": (FindingStatus.RESOLVED, "note"),
    "ignore": (FindingStatus.IGNORED, "note"),
    "reopen": (FindingStatus.OPEN, None),
}
WEB_DIR = Path(str(files("auditor").joinpath("web")))


class Throttle:
    """Failed logins per (address, name): after `limit` within `window_s`, wait out the window."""

    def __init__(self, limit: int = 5, window_s: float = 300.0) -> None:
        self.limit, self.window_s = limit, window_s
        self.failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def wait_s(self, key: tuple[str, str]) -> int:
        """Seconds to wait: `limit` failures for one name from one address, or 4 × `limit` from one
        address whatever the names (spraying many names)."""
        with self.lock:
            return max(self._wait(key, self.limit), self._wait((key[0], "*"), 4 * self.limit))

    def _wait(self, key: tuple[str, str], limit: int) -> int:
        q = self.failures.get(key)
        if not q:
            return 0
        while q and time.monotonic() - q[0] > self.window_s:
            q.popleft()
        if not q:
            del self.failures[key]
            return 0
        return int(self.window_s - (time.monotonic() - q[0])) + 1 if len(q) >= limit else 0

    def failed(self, key: tuple[str, str]) -> None:
        with self.lock:
            for k in (key, (key[0], "*")):
                self.failures[k].append(time.monotonic())

    def passed(self, key: tuple[str, str]) -> None:
        with self.lock:
            self.failures.pop(key, None)


@dataclass
class Job:
    id: int
    store: str
    kind: str
    by: str
    state: str = "queued"  # queued → running → done | failed
    run_id: int | None = None
    error: str | None = None
    campaign: str | None = None
    pid: int | None = None
    log: Path | None = None
    task_id: str | None = None  # on the workers' queue


class Runner:
    """Audits started from the console, each in a worker process the console starts and supervises
    (`python -m auditor.web.worker`), one at a time: the web server stays responsive, a browser tab
    closed does not stop a run, and the run records its own progress in the database. The store lock
    still refuses a second audit of a store that the scheduler or a terminal is auditing."""

    def __init__(self, cfg: Config, now_text: str | None = None, repo: Repo | None = None) -> None:
        self.cfg, self.now_text = cfg, now_text
        self.repo = repo or Repo(open_db(cfg.db_url))
        self.jobs: dict[int, Job] = {}
        self.ids = itertools.count(1)
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.one_at_a_time = threading.Semaphore(1)  # one Chromium at a time beside the web server
        self.lock = threading.Lock()
        self.stopping = False

    def submit(self, store: str, kind: str, by: str, campaign: str | None = None) -> Job:
        self.cfg.store(store)  # an unknown store is refused now, not in the background
        if kind == "campaign-check":
            if not campaign:
                raise AuditorError("campaign-check: which campaign?")
            self.cfg.campaign(campaign)
        elif kind != "audit":
            raise AuditorError(f"kind {kind!r}: audit or campaign-check")
        if self.cfg.path is None:
            raise AuditorError("run now needs the console started with a config file (--config)")
        with self.lock:  # checked and reserved at once: two clicks at the same moment start one run
            holder = self.repo.busy(store)
            active = [j for j in self.jobs.values() if j.store == store and j.state in ("queued", "running")]
            if holder is not None or active:
                what = f"run #{holder}" if holder is not None else f"job #{active[0].id}"
                refused = StoreLockedError(f"store {store!r} is being audited ({what}); wait for it to finish")
                refused.what = what  # type: ignore[attr-defined]
                raise refused
            job = Job(id=next(self.ids), store=store, kind=kind, by=by, campaign=campaign)
            self.jobs[job.id] = job
        if self.cfg.workers.broker:  # workers configured: the queue runs it, the console watches its runs
            from auditor.workers import enqueue

            try:
                clock = parse_now(self.now_text, self.cfg.zone(self.cfg.store(store)))
                job.task_id = enqueue(self.cfg, store, kind, clock, campaign)
            except Exception as exc:  # the queue did not take it: said now, no job left behind
                with self.lock:
                    del self.jobs[job.id]
                if isinstance(exc, AuditorError):
                    raise
                raise AuditorError(f"the workers' queue did not take the task: {type(exc).__name__}: {exc}") from None
        target = self._watch_task if job.task_id else self._supervise
        threading.Thread(target=target, args=(job,), name=f"console-job-{job.id}", daemon=True).start()
        return job

    def _watch_task(self, job: Job, poll_s: float = 1.0, aborted_grace_s: float = 120.0) -> None:
        """A run-now on the workers' queue: queued until a worker starts its run, then that run's fate.
        A run aborted because its worker died is followed by the attempt the queue delivers again;
        if none comes within `aborted_grace_s`, the job ends failed."""
        from auditor.workers import hard_limit_s

        deadline = time.monotonic() + 2 * hard_limit_s(self.cfg) + 3600  # waiting in the queue counts too
        aborted_since: float | None = None
        try:
            assert job.task_id is not None
            while time.monotonic() < deadline and not self.stopping:
                runs = self.repo.runs_of_task(job.task_id)
                last = runs[-1] if runs else None
                if last is not None:
                    job.run_id = last.id
                    if last.status in READ_RUN_STATUSES:
                        job.state = "done"
                        return
                    if last.status == RunStatus.FAILED:
                        job.state, job.error = "failed", (last.errors or ["failed"])[-1][:500]
                        return
                    if last.status == RunStatus.ABORTED:
                        aborted_since = aborted_since or time.monotonic()
                        if time.monotonic() - aborted_since > aborted_grace_s:
                            job.state, job.error = "failed", (last.errors or ["aborted"])[-1][:500]
                            return
                    else:
                        aborted_since = None
                        job.state = "running"
                time.sleep(poll_s)
            job.state, job.error = "failed", "no run of the queued task finished while the console watched"
        except Exception as exc:  # never a job stuck "running" because the watcher died
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"

    def _command(self, job: Job) -> list[str]:
        cmd = [sys.executable, "-m", "auditor.web.worker", "--config", str(self.cfg.path), "--store", job.store]
        cmd += ["--kind", job.kind] + (["--campaign", job.campaign] if job.campaign else [])
        return cmd + (["--now", self.now_text] if self.now_text else [])

    def _supervise(self, job: Job) -> None:
        """Start the worker, learn its run, wait for it; whatever happens, the job ends done or failed."""
        with self.one_at_a_time:
            if self.stopping:
                job.state, job.error = "failed", "the console was stopped before the run started"
                return
            logs = self.cfg.resolve("logs")
            try:
                logs.mkdir(parents=True, exist_ok=True)
                job.log = logs / f"console-job-{os.getpid()}-{job.id}.log"
                since = datetime.now(UTC) - timedelta(seconds=1)
                with job.log.open("wb") as out:
                    proc = subprocess.Popen(
                        self._command(job),
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        env={**os.environ, "AUDITOR_DB_URL": self.cfg.db_url},
                        start_new_session=True,  # Ctrl-C on the console's terminal is not the run's
                    )
                job.pid, job.state = proc.pid, "running"
                self.procs[job.id] = proc
                while proc.poll() is None:
                    if job.run_id is None:
                        run = self.repo.run_of_process(proc.pid, since)
                        job.run_id = run.id if run is not None else None
                    time.sleep(0.5)
                if job.run_id is None:
                    run = self.repo.run_of_process(proc.pid, since)
                    job.run_id = run.id if run is not None else None
                if proc.returncode == 0:
                    job.state = "done"
                else:
                    job.state, job.error = "failed", _last_line(job.log) or f"worker exited with {proc.returncode}"
            except Exception as exc:  # recorded on the job, shown in the console: never a dead thread
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
            finally:
                self.procs.pop(job.id, None)

    def stop(self, grace_s: float = 20.0) -> None:
        """The console is stopping: its workers get SIGTERM (their runs end `aborted`, pages kept)."""
        self.stopping = True
        procs = list(self.procs.values())
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()  # the worker closes its browser and records the run aborted
        deadline = time.monotonic() + grace_s
        for proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # its own session: the browser goes with it
                proc.wait(5)


def _last_line(path: Path | None) -> str:
    if path is None or not path.exists():
        return ""
    lines = [ln for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    return lines[-1][:500] if lines else ""


def create_app(cfg: Config, now_text: str | None = None, cookie_secure: bool | None = None) -> FastAPI:
    repo = Repo(open_db(cfg.db_url))
    prepare_logins()
    locale = cfg.locale
    runner = Runner(cfg, now_text, repo)
    throttle = Throttle()
    secure = cookie_secure if cookie_secure is not None else os.environ.get("AUDITOR_COOKIE_SECURE") == "1"

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await asyncio.to_thread(runner.stop)  # the console's workers end `aborted`, not orphaned

    app = FastAPI(title="Storefront Auditor", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.add_middleware(
        SessionMiddleware,
        secret_key=os.environ.get("AUDITOR_SECRET_KEY") or repo.secret("session"),
        session_cookie="auditor_session",
        same_site="lax",
        https_only=secure,
        max_age=12 * 3600,
    )
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        """No script runs in the console, nothing frames it, no Referer goes to the audited shops."""
        response: Response = await call_next(request)
        report = request.url.path.endswith("/report")  # the run's one-file report carries its own styles
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self' data:; style-src "
            + ("'unsafe-inline'" if report else "'self'")
            + "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    templates = Jinja2Templates(directory=WEB_DIR / "templates")
    env = templates.env
    env.globals.update(T=lambda key, **kw: web_text(key, locale, **kw), L=lambda w: label(str(w), locale))
    env.globals.update(W=lambda key: t(key, locale), STAGE=lambda stage: stage_label(stage, locale))
    env.globals.update(locale=locale, SEVERITIES=SEVERITIES, STATUSES=STATUSES, REGIONS=REGION_KINDS)
    env.filters["when"] = lambda d: utc(d).astimezone(cfg.zone()).strftime("%Y-%m-%d %H:%M") if d else ""
    env.filters["safe_url"] = lambda u: u if u and urlsplit(u).scheme in ("http", "https") else None
    app.state.runner, app.state.repo = runner, repo

    def now() -> datetime:
        return parse_now(now_text, cfg.zone())

    # ---- who is asking ----
    def user_of(request: Request) -> User | None:
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return repo.token_user(auth[7:].strip())
        name = request.session.get("user")
        user = repo.user(name) if name else None
        return user if user is not None and not user.disabled else None

    def need(request: Request, role: str = "viewer") -> User:
        user = user_of(request)
        if user is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "login or a bearer token needed")
            raise HTTPException(303, headers={"Location": "/login?" + urlencode({"next": request.url.path})})
        if not role_at_least(user.role, role):
            raise HTTPException(403, web_text("forbidden", locale))
        return user

    def csrf_token(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(32)
        return str(request.session["csrf"])

    async def form_checked(request: Request) -> dict[str, Any]:
        """The posted form, refused (403) unless it carries this session's CSRF token."""
        form = await request.form()
        sent, kept = str(form.get("csrf") or ""), str(request.session.get("csrf") or "")
        if not kept or not secrets.compare_digest(sent, kept):
            raise HTTPException(403, "CSRF token missing or wrong: reload the page and try again")
        return {k: form.getlist(k) if k == "ids" else form.get(k) for k in form}

    def page(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
        flash = request.session.pop("flash", None)
        return templates.TemplateResponse(
            request, name, {"user": user, "csrf": csrf_token(request), "flash": flash, **context}
        )

    def back(request: Request, to: str, flash: str | None = None) -> RedirectResponse:
        if flash:
            request.session["flash"] = flash
        return RedirectResponse(to if to.startswith("/") and not to.startswith("//") else "/", status_code=303)

    def error_page(request: Request, status: int, message: str) -> Response:
        """A refusal in the console's own page, with a plain link back to the page the action was
        taken on (the page's security policy allows no script, so no history.back(), and sends no
        Referer): /findings/4/resolve → /findings/4, /findings/bulk → /findings, /runs/9 → /runs."""
        parts = [p for p in request.url.path.split("/") if p]
        one = len(parts) >= 2 and parts[0] in ("findings", "runs") and parts[1].isdigit() and len(parts) > 2
        to = f"/{parts[0]}/{parts[1]}" if one else f"/{parts[0]}" if parts else "/"
        response = page(request, "error.html", user_of(request), message=message, back_to=to)
        response.status_code = status
        return response

    @app.exception_handler(AuditorError)
    async def _auditor_error(request: Request, exc: AuditorError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=409 if isinstance(exc, StoreLockedError) else 400)
        return error_page(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)  # FastAPI's HTTPException and the router's 404/405
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code < 400 or request.url.path.startswith("/api/"):  # redirects to login; the API's JSON
            return await http_exception_handler(request, exc)
        return error_page(request, exc.status_code, str(exc.detail))

    # ---- login ----
    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return page(request, "login.html", None, next=next, no_admin=not repo.has_admin())

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await form_checked(request)
        name, password = str(form.get("name") or ""), str(form.get("password") or "")
        key = (request.client.host if request.client else "?", name)
        wait = throttle.wait_s(key)
        if wait:
            response = page(request, "login.html", None, error=web_text("throttled", locale, s=wait), next="/")
            response.status_code = 429
            return response
        user = repo.check_password(name, password)
        if user is None:
            throttle.failed(key)
            response = page(request, "login.html", None, error=web_text("bad_login", locale), next="/")
            response.status_code = 401
            return response
        throttle.passed(key)
        request.session.clear()
        request.session.update(user=user.name, csrf=secrets.token_urlsafe(32))
        return back(request, str(form.get("next") or "/"))

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await form_checked(request)
        request.session.clear()
        return back(request, "/login")

    # ---- dashboard ----
    @app.get("/", response_class=HTMLResponse)
    async def dashboard(request: Request) -> HTMLResponse:
        user = need(request)
        clock = now()
        cards = []
        for store in cfg.stores:
            runs = repo.runs(store=store.name, limit=200, since=clock - timedelta(days=14), kind="audit")
            # the last run whatever its age: a store not audited for two weeks still shows when it was
            latest = repo.runs(store=store.name, limit=2, kind="audit")
            last = latest[0] if latest else None
            previous = latest[1] if len(latest) > 1 else None
            counts = repo.severity_counts(store.name, list(ACTIVE_STATUSES))
            by_sev = {s: counts.get(s, 0) for s in SEVERITIES}
            fresh = repo.severity_counts(store.name, list(ACTIVE_STATUSES), previous.clock) if previous else {}
            new = sum(fresh.values()) if last else 0
            rivals = repo.rivals_of_run(last.id) if last and store.competitors else []
            moves = [f"{r['competitor']}: {describe_change(c, locale)}" for r in rivals for c in r.get("changes") or []]
            cards.append(
                {
                    "store": store,
                    "last": last,
                    "by_sev": by_sev,
                    "new": new,
                    "rivals": moves[:8],  # 竞品动态 of the last run; the run page has them all
                    "trend": trend_svg(runs, clock, cfg),
                    "next": next_run(cfg, store.name, clock),
                }
            )
        return page(request, "dashboard.html", user, cards=cards)

    # ---- findings ----
    def filters_from(request: Request) -> dict[str, Any]:
        q = request.query_params
        status = q.getlist("status") or list(ACTIVE_STATUSES)
        new_since = q.get("new_since") or None
        return {
            "store": q.get("store") or None,
            "check": q.getlist("check") or None,
            "severity": q.getlist("severity") or None,
            "status": [s for s in status if s != "all"] or None,
            "region": q.getlist("region") or None,
            "assignee": q.get("assignee") or None,
            "new_since": parse_now(new_since, cfg.zone()) if new_since else None,
        }

    @app.get("/findings", response_class=HTMLResponse)
    async def findings_list(request: Request, page_no: int = 1) -> HTMLResponse:
        user = need(request)
        f = filters_from(request)
        page_no = max(1, page_no)
        rows, total = repo.findings_page(offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE, **f)
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "page_no"]
        return page(
            request,
            "findings.html",
            user,
            rows=rows,
            total=total,
            page_no=page_no,
            pages=max(1, -(-total // PAGE_SIZE)),
            f=f,
            query=urlencode(query),
            stores=[s.name for s in cfg.stores],
            checks=repo.checks_seen(f["store"]),
        )

    @app.get("/findings/export")
    async def findings_export(request: Request, format: str = "xlsx") -> Response:
        need(request)
        if format not in ("csv", "xlsx"):
            raise HTTPException(400, "format: csv or xlsx")
        found = repo.findings(**filters_from(request))
        data = render(found, format, locale, cfg.checker, cfg.zone())
        mime = (
            "text/csv; charset=utf-8"
            if format == "csv"
            else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        name = f"findings-{now():%Y%m%d-%H%M}.{format}"
        return Response(data, media_type=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.post("/findings/bulk")
    async def findings_bulk(request: Request) -> Response:
        user = need(request, "operator")
        form = await form_checked(request)
        ids = [int(i) for i in form.get("ids") or [] if str(i).isdigit()]
        if not ids:
            return back(request, str(form.get("back") or "/findings"), web_text("nothing_selected", locale))
        n = triage(user, ids, str(form.get("action") or ""), form.get("note"), form.get("assignee"))
        return back(request, str(form.get("back") or "/findings"), web_text("done", locale, n=n))

    def triage(user: User, ids: list[int], action: str, note: Any, assignee: Any) -> int:
        if action not in ACTIONS:
            raise AuditorError(f"action {action!r}: one of {', '.join(ACTIONS)}")
        to, needs = ACTIONS[action]
        note = str(note).strip() if note else None
        assignee = str(assignee).strip() if assignee else None
        if needs == "note" and not note:
            raise AuditorError(f"{action}: a note is required (处理结果 / reason)")
        if needs == "assignee" and not assignee:
            raise AuditorError("assign: who follows it up? (跟进人)")
        return repo.set_status(ids, to, user.name, now(), note, assignee)

    @app.get("/findings/{finding_id}", response_class=HTMLResponse)
    async def finding_detail(request: Request, finding_id: int) -> HTMLResponse:
        user = need(request)
        finding = one_finding(finding_id)
        return page(request, "finding.html", user, f=finding, events=repo.events(finding_id))

    @app.get("/findings/{finding_id}/shot")
    async def finding_shot(request: Request, finding_id: int) -> Response:
        need(request)
        finding = one_finding(finding_id)
        shots = cfg.resolve(cfg.screenshots_dir).resolve()
        path = Path(finding.screenshot).resolve() if finding.screenshot else None
        if path is None or not path.is_file() or shots not in path.parents:
            raise HTTPException(404, "no screenshot")
        jpeg = path.suffix.lower() in (".jpg", ".jpeg")  # (pictures of runs before 2026-12 are PNG)
        return Response(path.read_bytes(), media_type="image/jpeg" if jpeg else "image/png")

    @app.post("/findings/{finding_id}/{action}")
    async def finding_action(request: Request, finding_id: int, action: str) -> Response:
        user = need(request, "operator")
        form = await form_checked(request)
        triage(user, [finding_id], action, form.get("note"), form.get("assignee"))
        return back(request, f"/findings/{finding_id}", web_text("done", locale, n=1))

    def one_finding(finding_id: int) -> Finding:
        found = repo.findings(ids=[finding_id])
        if not found:
            raise HTTPException(404, f"no finding #{finding_id}")
        return found[0]

    # ---- runs ----
    @app.get("/runs", response_class=HTMLResponse)
    async def runs_list(request: Request) -> HTMLResponse:
        user = need(request)
        jobs = sorted(runner.jobs.values(), key=lambda j: -j.id)[:20]
        runs = repo.runs(limit=100)
        running = {r.store for r in runs if r.status == RunStatus.RUNNING}
        if running:
            for store in running:
                repo.busy(store)  # a run whose process died is marked aborted, not shown as live forever
            runs = repo.runs(limit=100)
        progress = {r.id: r.progress for r in runs if r.status == RunStatus.RUNNING and r.progress}
        live = any(j.state in ("queued", "running") for j in jobs) or any(r.status == RunStatus.RUNNING for r in runs)
        return page(request, "runs.html", user, runs=runs, jobs=jobs, progress=progress, live=live)

    @app.post("/runs")
    async def run_now(request: Request) -> Response:
        user = need(request, "operator")
        form = await form_checked(request)
        store = str(form.get("store") or "")
        try:
            job = await asyncio.to_thread(
                runner.submit, store, str(form.get("kind") or "audit"), user.name, form.get("campaign") or None
            )
        except StoreLockedError as exc:
            return back(request, "/runs", web_text("busy", locale, store=store, what=getattr(exc, "what", "")))
        what = f"{job.store} {label(job.kind, locale) if job.kind == 'audit' else job.kind}"
        return back(request, "/runs", web_text("queued", locale, what=what))

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    async def run_detail(request: Request, run_id: int) -> HTMLResponse:
        user = need(request)
        run = repo.run(run_id)
        if run is None:
            raise HTTPException(404, f"no run #{run_id}")
        rivals = repo.rivals_of_run(run_id)
        for rival in rivals:
            rival["lines"] = [describe_change(c, locale) for c in rival.get("changes") or []]
        return page(request, "run.html", user, run=run, findings=repo.findings(run_id=run_id), rivals=rivals)

    @app.get("/runs/{run_id}/report", response_class=HTMLResponse)
    async def run_report(request: Request, run_id: int) -> HTMLResponse:
        need(request)
        from auditor.report import render_report

        run = repo.run_dict(run_id)
        if run is None:
            raise HTTPException(404, f"no run #{run_id}")
        rivals = repo.rivals_of_run(run_id)
        return HTMLResponse(render_report(run, repo.findings(run_id=run_id), locale, cfg.zone(), rivals))

    # ---- campaigns ----
    @app.get("/campaigns", response_class=HTMLResponse)
    async def campaigns(request: Request) -> HTMLResponse:
        user = need(request)
        return page(request, "campaigns.html", user, campaigns=cfg.campaigns, now=now(), stores=cfg.stores)

    # ---- users ----
    @app.get("/users", response_class=HTMLResponse)
    async def users(request: Request) -> HTMLResponse:
        user = need(request, "admin")
        return page(request, "users.html", user, users=repo.users())

    @app.post("/users")
    async def users_add(request: Request) -> Response:
        need(request, "admin")
        form = await form_checked(request)
        repo.add_user(str(form.get("name") or ""), str(form.get("role") or ""), str(form.get("password") or ""))
        return back(request, "/users")

    @app.post("/users/{name}/disable")
    async def users_disable(request: Request, name: str) -> Response:
        need(request, "admin")
        await form_checked(request)
        repo.disable_user(name)
        return back(request, "/users")

    # ---- JSON API ----
    @app.get("/api/findings")
    async def api_findings(request: Request, limit: int | None = None, offset: int = 0) -> JSONResponse:
        """Every matching finding; with `limit` one page of them, most severe first (X-Total-Count: all)."""
        need(request)
        if limit is None:
            return JSONResponse([finding_json(f) for f in repo.findings(**filters_from(request))])
        if not 1 <= limit <= 1000 or offset < 0:
            raise AuditorError("limit: 1 to 1000; offset: 0 or more")
        rows, total = repo.findings_page(offset=offset, limit=limit, **filters_from(request))
        return JSONResponse([finding_json(f) for f in rows], headers={"X-Total-Count": str(total)})

    @app.get("/api/findings/{finding_id}")
    async def api_finding(request: Request, finding_id: int) -> JSONResponse:
        need(request)
        return JSONResponse(finding_json(one_finding(finding_id)))

    @app.post("/api/findings/{finding_id}/{action}")
    async def api_finding_action(request: Request, finding_id: int, action: str) -> JSONResponse:
        user = need(request, "operator")
        api_csrf(request)
        body = await json_body(request)
        one_finding(finding_id)
        triage(user, [finding_id], action, body.get("note"), body.get("assignee"))
        return JSONResponse(finding_json(one_finding(finding_id)))

    @app.post("/api/runs")
    async def api_runs(request: Request) -> JSONResponse:
        user = need(request, "operator")
        api_csrf(request)
        body = await json_body(request)
        job = await asyncio.to_thread(
            runner.submit,
            str(body.get("store") or ""),
            str(body.get("kind") or "audit"),
            user.name,
            body.get("campaign"),
        )
        return JSONResponse(job_json(job), status_code=202)

    @app.get("/api/jobs/{job_id}")
    async def api_job(request: Request, job_id: int) -> JSONResponse:
        need(request)
        if job_id not in runner.jobs:
            raise HTTPException(404, f"no job #{job_id}")
        job = runner.jobs[job_id]
        run = repo.run(job.run_id) if job.run_id is not None else None
        return JSONResponse(
            {**job_json(job), "progress": run.progress if run and run.status == RunStatus.RUNNING else None}
        )

    @app.get("/api/runs/{run_id}")
    async def api_run(request: Request, run_id: int) -> JSONResponse:
        need(request)
        run = repo.run_dict(run_id)
        if run is None:
            raise HTTPException(404, f"no run #{run_id}")
        return JSONResponse({k: v.isoformat() if isinstance(v, datetime) else v for k, v in run.items()})

    def api_csrf(request: Request) -> None:
        """A browser calling the API with its session cookie must send the CSRF token as a header."""
        if request.headers.get("authorization", "")[:7].lower() == "bearer ":
            return
        sent, kept = request.headers.get("x-csrf-token", ""), str(request.session.get("csrf") or "")
        if not kept or not secrets.compare_digest(sent, kept):
            raise HTTPException(403, "X-CSRF-Token header missing or wrong")

    return app


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        raise AuditorError("the request body must be a JSON object")
    return body


def job_json(job: Job) -> dict[str, Any]:
    return {
        "job": job.id,
        "store": job.store,
        "kind": job.kind,
        "state": job.state,
        "run": job.run_id,
        "error": job.error,
        "task": job.task_id,
    }


def next_run(cfg: Config, store: str, clock: datetime) -> datetime | None:
    from auditor.schedule import trigger_for

    try:
        return trigger_for(cfg, store).get_next_fire_time(None, clock)  # type: ignore[no-any-return]
    except AuditorError:
        return None


def trend_svg(runs: list[Any], clock: datetime, cfg: Config, width: int = 280, height: int = 60) -> str:
    """Findings in each day's last run over 14 days, as an inline SVG polyline (drawn here, no script)."""
    zone = cfg.zone()
    today = clock.astimezone(zone).date()
    per_day: dict[Any, int] = {}
    for run in sorted(runs, key=lambda r: r.id):
        day = utc(run.clock).astimezone(zone).date()
        if run.status in READ_RUN_STATUSES:
            per_day[day] = run.findings_total
    days = [today - timedelta(days=13 - i) for i in range(14)]
    values = [per_day.get(d) for d in days]
    top = max([v for v in values if v is not None] or [1]) or 1
    points = [
        f"{i * (width - 10) / 13 + 5:.0f},{height - 5 - (v / top) * (height - 15):.0f}"
        for i, v in enumerate(values)
        if v is not None
    ]
    dots = "".join(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2"/>' for p in points)
    line = f'<polyline fill="none" stroke="currentColor" stroke-width="2" points="{" ".join(points)}"/>'
    return (
        f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="14 days">{line if len(points) > 1 else ""}{dots}'
        f'<text x="5" y="10" font-size="9">{top}</text></svg>'
    )
