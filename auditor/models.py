"""Shared data models: the snapshot (pages → regions → elements), probe facts and findings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.vocabulary import SEVERITY_ORDER, FindingStatus, Severity  # noqa: F401  (SEVERITY_ORDER re-exported)

RegionKind = Literal[
    "nav",
    "kv",
    "carousel",
    "banner",
    "showcase",
    "announcement",
    "footer",
    "page",
    "product.price",
    "product.promo",
    "product.related",
    "category",
]
REGION_KINDS: tuple[str, ...] = RegionKind.__args__  # type: ignore[attr-defined]
Viewport = Literal["desktop", "mobile"]
MIN_PRICE_CONFIDENCE = 0.5  # a price found by appearance alone, less sure than this, makes no finding
Box = tuple[float, float, float, float]  # x, y, width, height in page coordinates


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Image(_Model):
    """An image as the browser shows it; `url` is the source actually used (currentSrc)."""

    url: str | None = None
    alt: str = ""
    kind: Literal["img", "background", "input"] = "img"
    rendered_width: float = 0
    rendered_height: float = 0
    natural_width: int = 0
    natural_height: int = 0
    visible: bool = True
    clipped: bool = False
    object_fit: str = "fill"  # a CSS background: "fill" when background-size sets both sides, else "none"
    drawn_width: float = 0  # a CSS background drawn at a size of its own (background-size: 30px 30px)
    drawn_height: float = 0
    selector: str = ""
    box: Box | None = None


class Link(_Model):
    url: str
    text: str = ""
    kind: Literal["a", "area", "menu", "onclick", "resource"] = "a"  # resource: a stylesheet the page loads
    selector: str = ""
    coords: str | None = None
    revealed_by: Literal["hover", "click"] | None = None
    level: int = 0
    image: Image | None = None
    box: Box | None = None


class TextBlock(_Model):
    text: str
    link: str | None = None
    selector: str = ""


class Slot(_Model):
    """One cell of a showcase grid; an empty cell is kept with no link and no image."""

    index: int
    link: str | None = None
    image: Image | None = None
    title: str = ""
    price_text: str = ""
    text: str = ""
    selector: str = ""
    box: Box | None = None


class Slide(_Model):
    index: int
    link: str | None = None
    image: Image | None = None
    alt: str = ""
    text: str = ""


class Countdown(_Model):
    """A countdown ("距结束 01:02:03") read twice, some seconds apart: at zero both times, or counting
    up, the sale it counts down to is over."""

    first: str
    second: str = ""
    elapsed_ms: int = 0
    selector: str = ""
    box: Box | None = None


class Region(_Model):
    kind: RegionKind
    selector: str = ""
    label: str = ""
    links: list[Link] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    texts: list[TextBlock] = Field(default_factory=list)
    slots: list[Slot] = Field(default_factory=list)
    slides: list[Slide] = Field(default_factory=list)
    countdowns: list[Countdown] = Field(default_factory=list)
    rotates: bool | None = None
    observed_ms: int | None = None
    moves: int | None = None  # carousel: slide changes seen while watched
    interval_ms: int | None = None  # carousel: its own rhythm, when two moves or more were seen
    signals: list[str] = Field(default_factory=list)  # carousel: dots, arrows, library, moved
    dots: int = 0  # carousel: markers for this many slides
    slide_boxes: int = 0  # carousel: its slide elements, clones aside (slides with the same content are one slide)
    autoplay_off: bool = False  # carousel: declared without autoplay (data-autoplay=false, Bootstrap without ride)
    visible: bool = True
    box: Box | None = None


class ProductFacts(_Model):
    url: str
    title: str = ""
    heading: str = ""  # the product's name as the page heads it (its h1), when <title> is generic ("详情页")
    price: float | None = None
    price_max: float | None = None  # the high end when the page shows a range (¥99-199, variants)
    regular_price: float | None = None
    promo_price: float | None = None
    currency: str | None = None
    availability: Literal["on_sale", "delisted", "sold_out", "not_found", "unknown"] = "unknown"
    source: str = ""  # json-ld, microdata, selectors, generic (found by structure and appearance)
    confidence: float = 1.0  # how sure the price is; below MIN_PRICE_CONFIDENCE no price-based finding
    price_selector: str = ""  # where a generic price was read
    price_why: str = ""  # why that text won, or why the price is not trusted

    @property
    def price_trusted(self) -> bool:
        return self.price is not None and self.confidence >= MIN_PRICE_CONFIDENCE

    @property
    def name(self) -> str:
        """The product's name as a person reads it: the page's heading where the title is that heading
        with the shop's name after it ("竹制杯垫-tmall.com天猫" headed "竹制杯垫"; not a logo h1 "小米商城"
        in "Redmi 7A - 小米商城"), else the title."""
        if self.heading and (not self.title or self.title.startswith(self.heading)):
            return self.heading
        return self.title

    @property
    def state_shown(self) -> str:
        """Availability as the page shows it: what it declares or says (已下架, 售罄), else on sale when
        it shows a price we trust — most marketplace pages declare no schema.org availability."""
        if self.availability == "unknown" and self.price_trusted:
            return "on_sale"
        return self.availability


class Presence(_Model):
    """A config-declared required element (`layout`): was it on the page, visible, in its region."""

    name: str
    selector: str
    region: str | None = None
    found: bool = False
    visible: bool = False
    in_region: bool = True


class Page(_Model):
    url: str
    final_url: str | None = None
    status: int | None = None
    kind: Literal["home", "product", "category", "other"] = "other"
    title: str = ""
    viewport: Viewport = "desktop"
    depth: int = 0
    regions: list[Region] = Field(default_factory=list)
    product: ProductFacts | None = None
    required: list[Presence] = Field(default_factory=list)
    text: str = ""
    blocked: bool = False
    error: str | None = None
    screenshot: str | None = None  # the page photographed (JPEG): findings' pictures are cut from it
    redirects: list[str] = Field(default_factory=list)  # documents the page moved on to by itself
    left_out: dict[str, int] = Field(default_factory=dict)  # links/images over the per-page cap
    notes: list[str] = Field(default_factory=list)  # what failed on this page without failing it


class Snapshot(_Model):
    store: str
    started_at: datetime | None = None
    pages: list[Page] = Field(default_factory=list)

    def page(self, url: str) -> Page | None:
        return next((p for p in self.pages if p.url == url), None)


LinkState = Literal["ok", "dead", "unknown", "skipped", "blocked"]


class LinkStatus(_Model):
    url: str
    state: LinkState
    chain: list[int] = Field(default_factory=list)
    redirects: list[str] = Field(default_factory=list)
    final_url: str | None = None
    reason: str = ""
    method: str = ""
    elapsed_ms: int = 0
    attempts: int = 0
    title: str = ""
    text: str = ""
    error: str | None = None  # the probe itself failed on this link (recorded in the run's errors)


class ImageFacts(_Model):
    url: str
    ok: bool
    status: int | None = None
    reason: str = ""
    content_type: str = ""
    size_bytes: int = 0
    width: int = 0
    height: int = 0
    sha256: str | None = None
    format: str = ""
    frames: int = 1
    unreachable: bool = False  # the host did not answer: unknown, not a broken image
    error: str | None = None  # the probe itself failed on this image (recorded in the run's errors)


class OcrLine(_Model):
    text: str
    box: list[list[float]] = Field(default_factory=list)
    score: float = 0.0


class OcrText(_Model):
    sha256: str
    engine: str = ""
    lines: list[OcrLine] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


class PricePoint(_Model):
    at: datetime
    price: float | None


class RivalPrice(_Model):
    """A competitor's product paired with ours, as read in this run."""

    competitor: str
    url: str  # theirs
    ours: str  # our product's absolute URL
    price: float | None = None
    read_at: datetime | None = None
    median_14d: float | None = None  # their own median over the 14 days before this read
    threshold: float = 0.05
    drop_alert: float = 0.3
    error: str | None = None


class Facts(_Model):
    """What the probes gathered before the checks ran; checks read only this and the snapshot."""

    links: dict[str, LinkStatus] = Field(default_factory=dict)
    images: dict[str, ImageFacts] = Field(default_factory=dict)
    ocr: dict[str, OcrText] = Field(default_factory=dict)
    products: dict[str, ProductFacts] = Field(default_factory=dict)
    price_history: dict[str, list[PricePoint]] = Field(default_factory=dict)  # earlier runs' observations
    first_seen: dict[str, datetime] = Field(default_factory=dict)  # relative promise ("今晚24点") → first shown
    rivals: list[RivalPrice] = Field(default_factory=list)  # competitors' paired products (competitor watch)
    last_on_sale: dict[str, datetime] = Field(default_factory=dict)  # our product → last seen on sale, earlier runs
    errors: list[str] = Field(default_factory=list)  # "URL: what failed" for elements a probe could not read

    def ocr_for(self, image_url: str | None) -> OcrText | None:
        img = self.images.get(image_url or "")
        return self.ocr.get(img.sha256) if img and img.sha256 else None


class Finding(_Model):
    id: int | None = None
    check: str
    rule: str
    severity: Severity
    status: str = FindingStatus.OPEN
    store: str
    page: str
    region: str
    viewport: Viewport = "desktop"
    target: str | None = None
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    screenshot: str | None = None
    fingerprint: str
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    occurrences: int = 1
    assignee: str | None = None
    resolution: str | None = None
    # where the element at fault is, for the outlined screenshot: not evidence, never exported or stored
    box: Box | None = Field(default=None, exclude=True)
    region_box: Box | None = Field(default=None, exclude=True)
