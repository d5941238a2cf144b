"""Config stage: config.yaml read into strict pydantic models (unknown keys are errors with their line)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from auditor.errors import ConfigError
from auditor.models import Viewport
from auditor.vocabulary import Severity
from auditor.yamlfile import read_yaml, validate

DEFAULT_USER_AGENT = "StorefrontAuditor/0.1 (+https://github.com/storefront-auditor; shop page checker)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Storage(_Strict):
    url: str = "sqlite:///auditor.db"


class RequiredElement(_Strict):
    """A `layout` requirement: an element that must be present and visible (e.g. customer service)."""

    name: str
    selector: str
    region: str | None = None


class CrawlSettings(_Strict):
    max_pages: int = Field(60, ge=1)
    max_depth: int = Field(1, ge=0)
    concurrency: int = Field(3, ge=1, le=16)
    per_host: int = Field(6, ge=1, le=64)
    delay_ms: int = Field(0, ge=0)
    timeout_s: float = Field(20.0, gt=0)
    link_timeout_s: float = Field(10.0, gt=0)
    max_redirects: int = Field(10, ge=1)
    retry_after_max_s: float = Field(10.0, ge=0)
    check_external: bool = True
    external_unreachable: Literal["unknown", "dead"] = "unknown"
    carousel_watch_ms: int = Field(6000, ge=500)
    user_agent: str = DEFAULT_USER_AGENT
    storage_state: str | None = None
    viewports: list[Viewport] = Field(default_factory=lambda: ["desktop"])
    product_pages: Literal["auto", "browser", "http"] = "auto"  # auto: HTTP when the HTML carries the product
    page_deadline_s: float = Field(60.0, gt=0)  # everything done on one page: load, menus, carousels, shots
    run_timeout_s: float = Field(1800.0, gt=0)  # the whole crawl; past it the run is partial, not lost
    max_links_per_page: int = Field(5000, ge=10)  # links (and images) read per page; the rest are counted
    max_refreshes: int = Field(5, ge=1)  # meta-refresh / JS location hops followed before calling it a loop
    fetch_first: bool = False  # a page's answer fetched before it gets a tab (false: each tab asks the server itself)


def _absolute(v: str) -> str:
    if not v.startswith(("http://", "https://")):
        raise ValueError("must be an absolute http(s) URL")
    return v


AbsoluteUrl = Annotated[str, AfterValidator(_absolute)]


class CompetitorProduct(_Strict):
    url: AbsoluteUrl  # their product page
    ours: str  # our product: a URL, or a path on our store


class Competitor(_Strict):
    name: str
    url: AbsoluteUrl  # their home page
    threshold: float = Field(0.05, ge=0, lt=1, description="their price below ours × (1 − threshold) is a finding")
    drop_alert: float = Field(0.3, gt=0, lt=1, description="a fall of this share against their 14-day median")
    products: list[CompetitorProduct] = Field(default_factory=list)


class Store(_Strict):
    name: str
    url: AbsoluteUrl
    profile: str = "generic"
    timezone: str | None = None
    selectors: dict[str, str] = Field(default_factory=dict)
    soft_404_markers: list[str] = Field(default_factory=list)
    required: list[RequiredElement] = Field(default_factory=list)
    crawl: CrawlSettings | None = None
    competitors: list[Competitor] = Field(default_factory=list)


class CampaignProduct(_Strict):
    url: str
    promo_price: float
    regular_price: float | None = None


class Campaign(_Strict):
    name: str
    keywords: list[str] = Field(default_factory=list)
    start: datetime
    end: datetime
    products: list[CampaignProduct] = Field(default_factory=list)


class Schedule(_Strict):
    cron: str = "30 8 * * *"
    grace_s: int = 3600
    export: str | None = None


class RulesSettings(_Strict):
    dir: str | None = None  # the operator's own rules; the built-in ones always load
    disable: list[str] = Field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)


class Workers(_Strict):
    """Audits as Celery tasks on a Redis broker, for many stores across machines (`auditor worker`).
    Without a broker everything runs in-process. The broker URL may hold a password: give it in the
    environment as AUDITOR_BROKER_URL rather than here."""

    broker_url: str | None = None
    concurrency: int = Field(1, ge=1, le=32)  # worker processes per `auditor worker` (one Chromium each)
    max_tasks_per_child: int = Field(20, ge=1)  # a worker process is replaced after this many audits
    max_memory_mb: int = Field(1500, ge=200)  # ... or once it has grown past this
    retry_busy_s: int = Field(120, ge=5)  # a store being audited elsewhere: try again after this long
    queue: str = "auditor"

    @property
    def broker(self) -> str | None:
        return os.environ.get("AUDITOR_BROKER_URL") or self.broker_url


class Notify(_Strict):
    urls: list[str] = Field(default_factory=list)
    customer_service: list[str] = Field(default_factory=list)  # apprise URLs told of products gone off sale
    min_severity: Severity = "high"


class Config(_Strict):
    timezone: str = "Asia/Shanghai"
    locale: Literal["zh-CN", "en"] = "zh-CN"
    storage: Storage = Field(default_factory=Storage)
    checker: str = "值班运营"
    stores: list[Store] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)
    schedule: Schedule = Field(default_factory=Schedule)
    rules: RulesSettings = Field(default_factory=RulesSettings)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    notify: Notify = Field(default_factory=Notify)
    workers: Workers = Field(default_factory=Workers)
    screenshots_dir: str = "screenshots"

    base_dir: Path = Field(default=Path("."), exclude=True)
    path: Path | None = Field(default=None, exclude=True)  # the file it was read from

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r}") from None
        return v

    def store(self, name: str | None) -> Store:
        if not self.stores:
            raise ConfigError("no store configured: add one under `stores:` or give a URL")
        if name is None:
            return self.stores[0]
        for s in self.stores:
            if s.name == name:
                return s
        raise ConfigError(f"no store named {name!r}; configured: {', '.join(s.name for s in self.stores)}")

    def crawl_for(self, store: Store) -> CrawlSettings:
        return store.crawl or self.crawl

    def zone(self, store: Store | None = None) -> ZoneInfo:
        return ZoneInfo((store.timezone if store and store.timezone else None) or self.timezone)

    def campaign(self, name: str) -> Campaign:
        for c in self.campaigns:
            if c.name == name:
                return c
        known = ", ".join(c.name for c in self.campaigns) or "none"
        raise ConfigError(f"no campaign named {name!r} in config (configured: {known})")

    @property
    def db_url(self) -> str:
        url = os.environ.get("AUDITOR_DB_URL") or self.storage.url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            rel = url.removeprefix("sqlite:///")
            if rel and rel != ":memory:":
                url = "sqlite:///" + str((self.base_dir / rel).resolve())
        return url

    def resolve(self, rel: str) -> Path:
        p = Path(rel)
        return p if p.is_absolute() else self.base_dir / p


def load_config(path: str | Path | None) -> Config:
    """Read config.yaml; with no path, ./config.yaml if it exists, else defaults."""
    if path is None:
        if Path("config.yaml").exists():
            path = "config.yaml"
        else:
            return Config(base_dir=Path.cwd())
    p = Path(path)
    data, positions = read_yaml(p)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}:1: the config must be a mapping of keys")
    cfg = validate(Config, data, p, positions)
    cfg.base_dir = p.resolve().parent
    cfg.path = p.resolve()
    return cfg


def config_for_url(cfg: Config, url: str, profile: str = "generic") -> Store:
    """A one-off store for `auditor audit URL`, named after the host."""
    from urllib.parse import urlsplit

    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{url}: not an absolute http(s) URL")
    host = urlsplit(url).netloc
    for s in cfg.stores:
        if urlsplit(s.url).netloc == host:
            return s.model_copy(update={"url": url})
    return Store(name=host, url=url, profile=profile)
