"""Competitor watch (seed item 12): read each rival's home page and the paired products — only those
pages, with the same bounded page reads and per-host politeness as our own store — keep their
promotions (KV / banner / announcement text and OCR'd pictures, read with the same parsers) and their
prices, and say what changed since their previous run (竞品动态)."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from auditor.config import Competitor, Config, CrawlSettings, Store
from auditor.crawl.crawler import Crawler
from auditor.crawl.profiles import resolve_profile
from auditor.i18n import t
from auditor.models import Page, RivalPrice
from auditor.parse import parse_prices, parse_windows
from auditor.parse.campaigns import find_campaigns
from auditor.parse.dates import PROMO_WORDS
from auditor.probes.ocr import OcrProber
from auditor.store.db import utc
from auditor.store.repo import Repo

PROMO_REGIONS = {"kv", "carousel", "banner", "announcement"}
MEDIAN_DAYS = 14


@dataclass
class RivalWatch:
    prices: list[RivalPrice] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)  # per competitor, as stored
    errors: list[str] = field(default_factory=list)


def ours_urls(store: Store) -> list[str]:
    """Our products paired with a competitor's, as absolute URLs (read in every run that watches)."""
    return list(dict.fromkeys(urljoin(store.url, p.ours) for c in store.competitors for p in c.products))


def rival_key(store: Store, competitor: Competitor) -> str:
    return f"{store.name}~{competitor.name}"


async def watch(
    cfg: Config,
    store: Store,
    repo: Repo,
    now: datetime,
    settings: CrawlSettings,
    gather: Any,
) -> RivalWatch:
    """Read every configured competitor; a rival that cannot be read is a run error, never a crash."""
    out = RivalWatch()
    for comp in store.competitors:
        try:
            await _watch_one(cfg, store, comp, repo, now, settings, gather, out)
        except Exception as exc:  # one rival's failure never stops the others or our own run
            detail = f"{type(exc).__name__}: {exc}"
            out.errors.append(t("err_rival_unread", cfg.locale, name=comp.name, url=comp.url, detail=detail)[:500])
    return out


async def _watch_one(
    cfg: Config,
    store: Store,
    comp: Competitor,
    repo: Repo,
    now: datetime,
    settings: CrawlSettings,
    gather: Any,
    out: RivalWatch,
) -> None:
    rival = Store(name=rival_key(store, comp), url=comp.url, timezone=store.timezone)
    base = resolve_profile("generic", {}, [])
    exact = "|".join(re.escape(p.url) for p in comp.products) or r"(?!)"
    profile = type(base)(**{**base.__dict__, "product_url": rf"^(?:{exact})$"})
    rival_settings = settings.model_copy(update={"viewports": ["desktop"], "max_depth": 0})
    urls = [comp.url, *(p.url for p in comp.products)]
    crawler = Crawler(rival, rival_settings, profile, None, now, only=list(dict.fromkeys(urls)), locale=cfg.locale)
    crawl = await crawler.run()
    out.errors += [t("err_rival_error", cfg.locale, name=comp.name, detail=e) for e in crawl.errors]
    facts = await gather(
        crawl.snapshot, cfg, rival, {"images", "ocr"}, None, PROMO_REGIONS, OcrProber(repo.ocr_get, repo.ocr_put)
    )
    pages = {p.url: p for p in crawl.snapshot.pages}
    home = pages.get(comp.url)
    promotions = _promotions(home, facts, now, cfg.campaigns) if home is not None else []
    slides = _slides(home) if home is not None else []
    prices: dict[str, float | None] = {}
    for pair in comp.products:
        page = pages.get(pair.url)
        price, why = _price_of(page)
        ours = urljoin(store.url, pair.ours)
        if price is None:
            out.errors.append(t("err_rival_price", cfg.locale, name=comp.name, url=pair.url, why=why, ours=ours))
        history = [
            o.price
            for o in repo.prices(pair.url, store=rival_key(store, comp))
            if o.price is not None and now - timedelta(days=MEDIAN_DAYS) <= utc(o.observed_at) < now
        ]
        out.prices.append(
            RivalPrice(
                competitor=comp.name,
                url=pair.url,
                ours=ours,
                price=price,
                read_at=now,
                median_14d=statistics.median(history) if history else None,
                threshold=comp.threshold,
                drop_alert=comp.drop_alert,
                error=None if price is not None else why,
            )
        )
        prices[pair.url] = price
    data: dict[str, Any] = {
        "url": comp.url,
        "read_at": now.isoformat(),
        "home_status": home.status if home is not None else None,
        "home_read": home_read(home),
        "promotions": promotions,
        "slides": slides,
        "prices": prices,
    }
    data["changes"] = changes(
        repo.last_rival(store.name, comp.name, home_read=True), repo.last_rival_prices(store.name, comp.name), data
    )
    out.snapshots.append({"competitor": comp.name, **data})


def _price_of(page: Page | None) -> tuple[float | None, str]:
    if page is None:
        return None, "page not read"
    if page.error:
        return None, page.error
    if page.status is not None and page.status >= 400:
        return None, f"HTTP {page.status}"
    product = page.product
    if product is None or product.price is None:
        return None, "no price on the page"
    if not product.price_trusted:
        return None, f"price {product.price:g} found with too little confidence ({product.price_why or product.source})"
    return product.price, ""


def _promotions(home: Page, facts: Any, now: datetime, campaigns: list[Any]) -> list[dict[str, Any]]:
    """What the rival's home page advertises: texts and OCR'd pictures with a window, a price, a
    promotion word or one of our configured campaigns (双12 ...), in the KV, carousels, banners and
    announcements; each with the campaigns it names."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for region in home.regions:
        if region.kind not in PROMO_REGIONS:
            continue
        texts = [("text", t.text) for t in region.texts] + [("text", s.text) for s in region.slides]
        pictures = [*region.images, *(s.image for s in region.slides if s.image)]
        texts += [("alt", i.alt) for i in pictures if i.alt]
        for img in pictures:
            ocr = facts.ocr_for(img.url)
            if ocr is not None and ocr.text:
                texts.append(("ocr", ocr.text))
        for source, text in texts:
            text = " ".join(text.split())[:200]
            if not text or text in seen:
                continue
            seen.add(text)
            windows = [w.as_dict() for w in parse_windows(text, now)]
            prices = [p.value for p in parse_prices(text)]
            named = [m.name for m in find_campaigns(text, now, campaigns)]
            if windows or prices or named or PROMO_WORDS.search(text):
                out.append(
                    {
                        "region": region.kind,
                        "source": source,
                        "text": text,
                        "campaigns": named,
                        "windows": windows,
                        "prices": prices,
                    }
                )
    return out


def _slides(home: Page) -> list[str]:
    return [
        s.image.url
        for r in home.regions
        if r.kind in ("kv", "carousel")
        for s in r.slides
        if s.image is not None and s.image.url
    ]


def home_read(home: Page | None) -> bool:
    """The rival's home page was read (not an error, a bot wall or a page that never came): only then
    do its promotions say what it shows. A failed read would otherwise end every campaign it had."""
    return home is not None and not home.error and not home.blocked and (home.status or 200) < 400


def changes(
    home_before: dict[str, Any] | None, prices_before: dict[str, float], now: dict[str, Any]
) -> list[dict[str, Any]]:
    """What changed since the rival's previous snapshots: new or ended promotions and new KV slides
    against the last one whose home page was read (and only when this one's was), price moves of the
    paired products against the last price read of each. Nothing on the first read."""
    out: list[dict[str, Any]] = []
    if now["home_read"] and home_before is not None:
        was = {p["text"] for p in home_before.get("promotions", [])}
        is_ = {p["text"] for p in now["promotions"]}
        out += [{"kind": "new-promotion", "text": t} for t in sorted(is_ - was)]
        out += [{"kind": "ended-promotion", "text": t} for t in sorted(was - is_)]
        shown = set(home_before.get("slides", []))
        out += [{"kind": "new-slide", "image": u} for u in now["slides"] if u not in shown]
    for url, price in now["prices"].items():
        old = prices_before.get(url)
        if price is not None and old is not None and price != old:
            out.append({"kind": "price-change", "url": url, "before": old, "after": price})
    return out
