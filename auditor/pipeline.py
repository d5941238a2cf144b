"""The audit pipeline: crawl → probes → rules engine → store. The CLI and the scheduler call this."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from auditor.competitors import RivalWatch, ours_urls, watch
from auditor.config import Campaign, Config, CrawlSettings, Notify, Store
from auditor.crawl.crawler import Crawler, CrawlResult
from auditor.crawl.profiles import resolve_profile
from auditor.engine import Rule, needed_facts, ocr_regions, rules_for, run_rules
from auditor.errors import TerminatedError
from auditor.i18n import describe_change, t
from auditor.models import MIN_PRICE_CONFIDENCE, Facts, Finding, Page, Snapshot
from auditor.net import PROBE_LATE, WHOLE_ANSWER, HostLimiter, make_client
from auditor.notify import compose, expand_urls, off_sale_notice, send
from auditor.parse.dates import relative_phrases
from auditor.probes.images import ImageProber
from auditor.probes.links import LinkProber, status_from_page
from auditor.probes.ocr import OcrProber
from auditor.probes.ocr import runtime as ocr_runtime
from auditor.screenshots import cut_for_findings
from auditor.store.db import open_db
from auditor.store.repo import Repo, RunOutcome
from auditor.vocabulary import ACTIVE_STATUSES, RunStatus

Progress = Callable[[str, int, int], None]
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class AuditResult:
    run_id: int
    status: str
    snapshot: Snapshot
    findings: list[Finding]
    outcome: RunOutcome
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    notify_failed: list[str] = field(default_factory=list)
    unreachable: dict[str, int] = field(default_factory=dict)  # hosts that did not answer → links/images
    rivals: list[dict[str, Any]] = field(default_factory=list)  # competitors read in this run (竞品动态)
    cause: str | None = None  # a failed run: what stopped everything, in the configured language


OCR_MIN_WIDTH, OCR_MIN_HEIGHT = 150, 40  # smaller images are icons and thumbnails, not banners


def ocr_candidates(snapshot: Snapshot, regions: set[str]) -> set[str]:
    urls: set[str] = set()
    for page in snapshot.pages:
        for region in page.regions:
            if "*" not in regions and region.kind not in regions:
                continue
            for img in [*region.images, *(s.image for s in region.slides if s.image)]:
                if img.url and (
                    img.rendered_width >= OCR_MIN_WIDTH
                    and img.rendered_height >= OCR_MIN_HEIGHT
                    or img.natural_width >= OCR_MIN_WIDTH * 2
                ):
                    urls.add(img.url)
    return urls


async def gather_facts(
    snapshot: Snapshot,
    cfg: Config,
    store: Store,
    needs: set[str],
    progress: Progress | None = None,
    ocr_regions: set[str] | None = None,
    ocr: OcrProber | None = None,
    timings: dict[str, float] | None = None,
) -> Facts:
    """Run the probes the enabled rules need, each distinct URL once, each image OCR'd once ever."""
    settings = cfg.crawl_for(store)
    profile = resolve_profile(store.profile, store.selectors, store.soft_404_markers)
    facts = Facts()
    for page in snapshot.pages:
        if page.product is not None:
            facts.products[page.url] = page.product
            if page.final_url:
                facts.products.setdefault(page.final_url, page.product)
    links = [link.url for p in snapshot.pages for r in p.regions for link in r.links]
    images = [
        img.url
        for p in snapshot.pages
        for r in p.regions
        for img in [*r.images, *(s.image for s in r.slides if s.image), *(s.image for s in r.slots if s.image)]
        if img and img.url
    ]
    want_ocr = ocr_candidates(snapshot, ocr_regions or set()) if ("ocr" in needs and ocr) else set()
    ocr_bytes: dict[str, bytes] = {}
    clock: dict[str, float] = {}  # where the probes' time goes
    limiter = HostLimiter(settings.per_host, settings.delay_ms)
    until = asyncio.get_running_loop().time() + settings.run_timeout_s  # the probes get as long as the crawl
    async with make_client(settings) as client:
        link_job = None
        if "links" in needs:
            done = 0
            distinct = len(set(links))

            def tick(_: object) -> None:
                nonlocal done
                done += 1
                if progress:
                    progress("links", done, distinct)

            prober = LinkProber(client, settings, profile, store.url, limiter, on_done=tick, until=until)
            for page in snapshot.pages:  # pages the crawl read are not fetched again
                if page.viewport == "desktop" and (known := status_from_page(page, profile)) is not None:
                    prober.seed(known)
            link_job = asyncio.ensure_future(prober.check_all(links))
            t_links = time.monotonic()
        if "images" in needs or want_ocr:

            def keep(url: str, data: bytes) -> None:
                if url in want_ocr:
                    ocr_bytes[url] = data

            image_prober = ImageProber(
                client,
                limiter,
                keep_bytes=keep,
                site=store.url,
                unreachable_dead=settings.external_unreachable == "dead",
                whole_s=settings.link_timeout_s * WHOLE_ANSWER,  # as LinkProber takes from its settings
                until=until,
            )
            t_img = time.monotonic()
            facts.images = await image_prober.probe_all(images)
            clock["probes: image fetching and decoding"] = time.monotonic() - t_img
            clock["images decoded"] = image_prober.decoded
        if want_ocr and ocr is not None:
            by_sha = {facts.images[u].sha256: data for u, data in ocr_bytes.items() if facts.images[u].sha256}
            t_ocr = time.monotonic()
            facts.ocr = await ocr.read_all(by_sha)  # type: ignore[arg-type]
            clock["probes: OCR"] = time.monotonic() - t_ocr
            url_of = {facts.images[u].sha256: u for u in ocr_bytes}
            facts.errors += [
                t("err_ocr_failed", cfg.locale, url=url_of.get(sha, sha), detail=what)
                for sha, what in ocr.errors.items()
            ]
        if link_job is not None:
            facts.links = await link_job
            if progress:  # links the crawl already knew never tick: say the stage is over
                progress("links", distinct, distinct)
            clock["probes: link probing"] = time.monotonic() - t_links
            clock["links probed"] = len(facts.links)
    if timings is not None:
        timings.update({k: round(v, 2) for k, v in clock.items()})
    late = [u for u, f in facts.images.items() if f.reason == PROBE_LATE]
    late += [u for u, s in facts.links.items() if s.reason == PROBE_LATE]
    if late:  # the run is partial: what was not probed may hide a finding
        facts.errors.append(t("err_probes_late", cfg.locale, n=len(late), s=int(settings.run_timeout_s), url=late[0]))
    facts.errors += [
        t("err_image_probe", cfg.locale, url=u, detail=f.error) for u, f in facts.images.items() if f.error
    ]
    facts.errors += [t("err_link_probe", cfg.locale, url=u, detail=s.error) for u, s in facts.links.items() if s.error]
    return facts


UNREACHABLE_REASONS = ("connection-error", "timeout", "unreachable")


def promises_in(snapshot: Snapshot, facts: Facts) -> set[str]:
    """Relative promises ("今晚24点", "限时3天") shown anywhere: in text, links, alt text, slides, OCR."""
    texts: list[str] = []
    for page in snapshot.pages:
        for r in page.regions:
            texts += [t.text for t in r.texts] + [link.text for link in r.links] + [s.text for s in r.slides]
            texts += [i.alt for i in [*r.images, *(s.image for s in r.slides if s.image)] if i.alt]
    texts += [o.text for o in facts.ocr.values()]
    return {p for t in texts if t for p in relative_phrases(t)}


def unjudged_pairs(store: Store, facts: Facts) -> set[tuple[str, str]]:
    """Competitor pairs this run could not compare (their price or our trusted price not read): a
    finding on them stays as it was, it is not "fixed" by a read that failed."""
    read = {(r.competitor, r.url) for r in facts.rivals if r.price is not None}
    out: set[tuple[str, str]] = set()
    for comp in store.competitors:
        for pair in comp.products:
            ours = facts.products.get(urljoin(store.url, pair.ours))
            if (comp.name, pair.url) not in read or ours is None or not ours.price_trusted:
                out.add(("competitor-low-price", pair.url))
    return out


def untrusted_prices(pages: list[Page], locale: str = "zh-CN") -> list[str]:
    """One run note per product page whose price was found with too little confidence: no price check
    used it, and the note says why (the operator can pin it with `stores[].selectors.price`)."""
    return [
        t(
            "err_price_untrusted",
            locale,
            url=p.url,
            price=p.product.price,
            confidence=p.product.confidence,
            minimum=MIN_PRICE_CONFIDENCE,
            why=p.product.price_why,
        )
        for p in pages
        if p.product is not None and p.product.price is not None and not p.product.price_trusted
    ]


def unreachable_hosts(facts: Facts) -> dict[str, int]:
    """Hosts that did not answer, with how many links and images on them are therefore unknown."""
    counts: dict[str, int] = {}
    statuses = [
        *(s.url for s in facts.links.values() if s.state == "unknown" and s.reason.startswith(UNREACHABLE_REASONS)),
        *(i.url for i in facts.images.values() if i.unreachable and i.reason != PROBE_LATE),  # not probed: not a host
    ]
    for url in statuses:
        host = urlsplit(url).netloc or url[:60]
        counts[host] = counts.get(host, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


async def crawl_and_probe(
    cfg: Config,
    store: Store,
    rules: list[Rule],
    repo: Repo,
    shots: Path | None,
    timings: dict[str, float],
    progress: Progress | None,
    settings: CrawlSettings,
    seeds: list[str],
    crawler: Crawler,
) -> tuple[CrawlResult, Facts]:
    t0 = time.monotonic()
    crawl = await crawler.run()
    crawl.snapshot.pages.sort(key=lambda p: (p.viewport != "desktop", p.kind != "home", p.depth, p.url))
    timings["crawl_s"] = round(time.monotonic() - t0, 2)
    for stage, seconds in crawler.stage_totals.items():  # summed over pages read side by side
        timings[f"crawl: {stage}"] = round(seconds, 2)
    t1 = time.monotonic()
    ocr = OcrProber(repo.ocr_get, repo.ocr_put)
    facts = await gather_facts(
        crawl.snapshot, cfg, store, needed_facts(rules), progress, ocr_regions(rules), ocr, timings
    )
    timings["ocr_images"] = ocr.ran
    timings["probes_s"] = round(time.monotonic() - t1, 2)
    return crawl, facts


async def _cancel_on_sigterm(work: Coroutine[Any, Any, T]) -> T:
    """Await `work`; SIGTERM cancels it, so every `finally` runs (the browser closes) before the run is
    recorded as aborted. Only the main thread can take signals; elsewhere (the scheduler's workers)
    the work simply runs."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    terminated = False

    def on_term() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    installed = threading.current_thread() is threading.main_thread()
    if installed:
        loop.add_signal_handler(signal.SIGTERM, on_term)
    try:
        return await work
    except asyncio.CancelledError:
        if terminated:
            raise TerminatedError("SIGTERM") from None
        raise
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGTERM)


PROGRESS_EVERY_S = 1.0


def recording_progress(repo: Repo, run_id: int, shown: Progress | None) -> Progress:
    """The progress callback, also written on the run (at most once a second) so that anyone can watch
    a run from another process: the console, whoever started it."""
    last = [0.0]

    def progress(what: str, done: int, total: int) -> None:
        if shown:
            shown(what, done, total)
        at = time.monotonic()
        if at - last[0] < PROGRESS_EVERY_S and done < total:
            return
        last[0] = at
        stage = what if what in ("links", "images", "ocr") else "pages"
        try:
            url = what[:300] if stage == "pages" else ""
            repo.set_progress(run_id, {"stage": stage, "done": done, "total": total, "url": url})
        except Exception as exc:  # watching is a courtesy: a database hiccup here never stops the audit
            log.warning("run #%s: progress not recorded: %s", run_id, exc)

    return progress


def run_audit(
    cfg: Config,
    store: Store,
    now: datetime,
    progress: Progress | None = None,
    *,
    rules: list[Rule] | None = None,
    campaigns: list[Campaign] | None = None,
    kind: str = "audit",
    settings: CrawlSettings | None = None,
    only: list[str] | None = None,
    task_id: str | None = None,
) -> AuditResult:
    """One audit of one store: refused if the store is being audited; the run is recorded whatever happens.

    Page content never fails a run: a page, image, link or check that fails is listed in the run's
    errors and the run ends `partial`. `failed` is for what stops everything (no browser, the store's
    home page unreachable); a signal or Ctrl-C leaves it `aborted` with the pages read so far.
    The campaign check calls this too, with its own rules, campaign, crawl scope and run kind."""
    rules = rules if rules is not None else rules_for(cfg)
    campaigns = campaigns if campaigns is not None else cfg.campaigns
    expand_urls(cfg.notify)  # a missing token is a config error before the run, not after it
    expand_urls(Notify(urls=cfg.notify.customer_service))
    ocr_runtime()  # AUDITOR_OCR_RUNTIME set to what cannot read: said before the run is recorded
    repo = Repo(open_db(cfg.db_url))
    run_id = repo.start_run(store.name, now, kind, task_id)
    progress = recording_progress(repo, run_id, progress)
    timings: dict[str, float] = {}
    settings = settings or cfg.crawl_for(store)
    profile = resolve_profile(store.profile, store.selectors, store.soft_404_markers)
    shots = cfg.resolve(cfg.screenshots_dir) / f"run-{run_id}"
    seeds = [urljoin(store.url, p.url) for c in campaigns if c.end < now for p in c.products]
    seeds += ours_urls(store)  # our products paired with competitors' are read in every run
    crawler = Crawler(store, settings, profile, shots, now, progress, seeds=seeds, only=only, locale=cfg.locale)
    rivals = RivalWatch()
    recorded = False  # the run's pages are in the database
    try:
        crawl, facts = asyncio.run(
            _cancel_on_sigterm(
                crawl_and_probe(cfg, store, rules, repo, shots, timings, progress, settings, seeds, crawler)
            )
        )
        if any(c.end < now and not c.products for c in campaigns):
            facts.price_history = repo.price_history(store.name)
        if store.competitors:
            t_rivals = time.monotonic()
            rivals = asyncio.run(_cancel_on_sigterm(watch(cfg, store, repo, now, settings, gather_facts)))
            facts.rivals = rivals.prices
            crawl.notes.extend(rivals.errors)  # a rival not read is an error of that pair, not of our store
            timings["competitors_s"] = round(time.monotonic() - t_rivals, 2)
        facts.last_on_sale = repo.last_on_sale(store.name, now)
        snapshot = crawl.snapshot
        crawl.notes.extend(untrusted_prices(snapshot.pages, cfg.locale))
        facts.first_seen = repo.first_seen(store.name, promises_in(snapshot, facts), now)
        t2 = time.monotonic()
        check_errors: list[str] = []
        findings = run_rules(rules, snapshot, facts, now, cfg.locale, campaigns, timings, errors=check_errors)
        t_cut = time.monotonic()
        try:
            cut_for_findings(findings)
        except Exception as exc:
            crawl.notes.append(
                t("err_outline_failed", cfg.locale, url=store.url, detail=f"{type(exc).__name__}: {exc}")
            )
        timings["checks: cutting the findings' pictures"] = round(time.monotonic() - t_cut, 3)
        timings["checks_s"] = round(time.monotonic() - t2, 3)
        starts = [p for p in snapshot.pages if p.depth == 0 and p.viewport == "desktop"] or snapshot.pages
        # the start page could not be read at all, or answered an error: nothing behind it was seen
        home_failed = not starts or all(
            (p.error and p.status is None) or (p.status is not None and p.status >= 400 and not p.blocked)
            for p in starts
        )
        causes = [
            t("start_page_status", cfg.locale, url=p.url, status=p.status)
            if p.status
            else t("start_page_unread", cfg.locale, url=p.url, error=p.error or "")
            for p in starts
        ]
        if home_failed:
            crawl.errors.extend(causes)
        uncertain = bool(facts.errors or check_errors)  # a probe or check failed: a finding may be missing
        status = (
            RunStatus.FAILED
            if home_failed
            else RunStatus.PARTIAL
            if (crawl.errors or crawl.blocked or uncertain or crawl.timed_out)
            else RunStatus.COMPLETE
        )
        t3 = time.monotonic()
        outcome = repo.record(
            run_id,
            findings,
            snapshot.pages,
            status == RunStatus.COMPLETE or (status == RunStatus.PARTIAL and not uncertain),
            [r.id for r in rules if r.enabled],
            now,
            unjudged=unjudged_pairs(store, facts),
        )
        recorded = True
        repo.record_prices(run_id, store.name, snapshot.pages, now)
        for snap in rivals.snapshots:  # a rival that could not be read has no snapshot
            repo.record_rival(run_id, store.name, snap["competitor"], now, snap)
            for url, price in snap["prices"].items():
                repo.record_rival_price(run_id, f"{store.name}~{snap['competitor']}", url, price, now)
        timings["store_s"] = round(time.monotonic() - t3, 3)
    except BaseException as exc:
        aborted = isinstance(exc, KeyboardInterrupt | SystemExit | asyncio.CancelledError | TerminatedError)
        pages = list(crawler.result.snapshot.pages)
        try:
            repo.finish_run(
                run_id,
                RunStatus.ABORTED if aborted else RunStatus.FAILED,
                pages_seen=len(pages),
                pages_failed=sum(1 for p in pages if p.error),
                errors=[*crawler.result.errors, f"{type(exc).__name__}: {exc}"[:500]],
                timings=timings,
            )
        except Exception:
            log.exception("could not record the end of run #%s", run_id)
        try:
            if not recorded:
                repo.record_pages(run_id, pages)  # what was read so far is kept, not lost with the run
        except Exception:
            log.exception("could not record the pages of run #%s", run_id)
        raise
    errors = [*crawl.errors, *facts.errors, *check_errors, *crawl.notes]
    unreachable = unreachable_hosts(facts)
    repo.finish_run(
        run_id,
        status,
        pages_seen=len(snapshot.pages),
        pages_failed=sum(1 for p in snapshot.pages if p.error),
        pages_blocked=len(crawl.blocked),
        findings_total=len(findings),
        findings_new=outcome.new,
        findings_fixed=outcome.fixed,
        errors=errors,
        timings=timings,
        unreachable=unreachable,
    )
    stored = repo.findings(store=store.name, run_id=run_id)
    result = AuditResult(run_id, status, snapshot, stored, outcome, errors, crawl.blocked, timings)
    if status == RunStatus.FAILED:
        result.cause = (causes or errors or [None])[0]
    result.unreachable = unreachable
    result.rivals = rivals.snapshots
    moves = [f"{s['competitor']}: {describe_change(c, cfg.locale)}" for s in rivals.snapshots for c in s["changes"]]
    if cfg.notify.urls:
        title, body = compose(
            store.name, run_id, status, stored, outcome.new_fingerprints, cfg.notify.min_severity, cfg.locale
        )
        if moves:
            body += f"\n\n{t('notify_rivals', cfg.locale)}\n" + "\n".join(f"- {m}" for m in moves[:20])
        result.notify_failed = send(cfg.notify, title, body)
    went = outcome.new_fingerprints | outcome.regressed_fingerprints  # off sale now, on sale before
    gone = [f for f in stored if f.check == "product-unavailable" and f.fingerprint in went]
    if cfg.notify.customer_service and gone:
        title, body = off_sale_notice(store.name, gone, cfg.locale)
        result.notify_failed += send(Notify(urls=cfg.notify.customer_service), title, body)
    if result.notify_failed:
        repo.add_run_errors(run_id, [t("err_notify_failed", cfg.locale, url=u) for u in result.notify_failed])
    return result


def watch_competitors(
    cfg: Config, store: Store, now: datetime, progress: Progress | None = None, task_id: str | None = None
) -> AuditResult:
    """The competitor watch alone (`auditor competitors`): our paired products and the rivals' pages,
    nothing else; a run of kind "competitors" with only the competitor-low-price rule."""
    from auditor.errors import AuditorError

    if not store.competitors:
        raise AuditorError(f"store {store.name!r}: no competitors configured (stores[].competitors in config.yaml)")
    rules = [r for r in rules_for(cfg) if r.check == "competitor-low-price"]
    settings = cfg.crawl_for(store).model_copy(update={"viewports": ["desktop"], "max_depth": 0})
    return run_audit(
        cfg,
        store,
        now,
        progress,
        rules=rules,
        campaigns=[],
        kind="competitors",
        settings=settings,
        only=ours_urls(store),
        task_id=task_id,
    )


def tell(cfg: Config, title: str, body: str) -> None:
    """A notification about the tool itself (a failed run or export): logged if it cannot be sent."""
    try:
        send(cfg.notify, title, body)
    except Exception as exc:
        log.error("notification failed: %s", exc)


def export_after_run(cfg: Config, store: Store, run_id: int, now: datetime) -> None:
    """The scheduled export (`schedule.export`) after a morning run; a failure is recorded on the run
    and notified, never raised (the scheduler or worker lives on)."""
    from auditor.export import render, write_atomic

    if not cfg.schedule.export:
        return
    target = cfg.resolve(cfg.schedule.export.format(store=store.name, date=now.strftime("%Y%m%d")))
    repo = Repo(open_db(cfg.db_url))
    try:
        fmt = target.suffix.lstrip(".") or "csv"
        findings = repo.findings(store=store.name, status=list(ACTIVE_STATUSES))
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, render(findings, fmt, cfg.locale, cfg.checker, cfg.zone(store)))
    except Exception as exc:
        what = f"export to {target} failed: {type(exc).__name__}: {exc}"
        log.error("run #%s: %s", run_id, what)
        repo.add_run_errors(run_id, [what])
        tell(cfg, t("notify_export_failed", cfg.locale, store=store.name, run=run_id), what)


def read_one_page(cfg: Config, url: str, now: datetime, mobile: bool = False) -> Page:
    """One page read as an audit reads it (regions and their elements, product facts), nothing stored:
    what `auditor snapshot` shows. The store is the configured one holding the URL, or a one-off."""
    from auditor.config import config_for_url

    store = config_for_url(cfg, url)
    settings = cfg.crawl_for(store).model_copy(update={"viewports": ["mobile" if mobile else "desktop"]})
    profile = resolve_profile(store.profile, store.selectors, store.soft_404_markers)
    crawler = Crawler(store, settings, profile, None, now, only=[url], locale=cfg.locale)
    return asyncio.run(crawler.run()).snapshot.pages[0]


@dataclass
class CampaignVerdict:
    result: AuditResult
    products: list[tuple[str, str, bool]]  # (url, title, restored)
    pages: list[tuple[str, bool]]  # (url, clean)

    @property
    def anything_left(self) -> bool:
        return any(not ok for *_, ok in self.products) or any(not ok for _, ok in self.pages)


CAMPAIGN_CRAWL_DEPTH = 6


def campaign_check(
    cfg: Config, store: Store, name: str, now: datetime, progress: Progress | None = None, task_id: str | None = None
) -> CampaignVerdict:
    """The 100% check after a promotion ends: every page of the store (to `max_pages`), every region
    and product page, for prices not restored and anything still showing the campaign."""
    campaign = cfg.campaign(name)
    base = rules_for(cfg)
    by_check = {r.check: r for r in base}
    from auditor.errors import ConfigError

    missing = {"expired-promotion", "price-not-restored"} - set(by_check)
    if missing:
        raise ConfigError(f"campaign-check needs rules for {', '.join(sorted(missing))} (built-in or rules.dir)")
    expired = by_check["expired-promotion"]
    expired = expired.model_copy(
        update={
            "regions": ["*"],
            "enabled": True,
            "parsed_params": expired.parsed_params.model_copy(update={"campaign_only": True}),
        }
    )
    restored = by_check["price-not-restored"].model_copy(update={"enabled": True})
    settings = cfg.crawl_for(store).model_copy(
        update={"max_depth": max(CAMPAIGN_CRAWL_DEPTH, cfg.crawl_for(store).max_depth)}
    )
    result = run_audit(
        cfg,
        store,
        now,
        progress,
        rules=[expired, restored],
        campaigns=[campaign],
        kind="campaign-check",
        settings=settings,
        task_id=task_id,
    )
    not_restored = {f.target for f in result.findings if f.check == "price-not-restored"}
    showing = {f.page for f in result.findings if f.check == "expired-promotion"}
    products: list[tuple[str, str, bool]] = []
    if campaign.products:
        facts_by_url = {p.url: p.product for p in result.snapshot.pages if p.product}
        for item in campaign.products:
            url = urljoin(store.url, item.url)
            product = facts_by_url.get(url)
            products.append((url, product.title if product else "", url not in not_restored))
    else:
        products = [
            (f.target or "", str(f.evidence.get("product_title", "")), False)
            for f in result.findings
            if f.check == "price-not-restored"
        ]
    pages = [(p.url, p.url not in showing) for p in result.snapshot.pages if p.viewport == "desktop"]
    return CampaignVerdict(result, products, pages)
