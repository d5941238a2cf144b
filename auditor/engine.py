"""Rules engine: loads rules/*.yaml strictly, applies each rule's check to its regions, makes findings.

A check is a pure function of (snapshot, facts, params); it yields `Hit`s. The engine filters
regions, renders the rule's message in the configured locale, fingerprints each finding and folds a
defect that shows on every page (the nav, a site-wide bar) into one finding on the first page.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditor.errors import RuleError
from auditor.i18n import t
from auditor.models import REGION_KINDS, Facts, Finding, Page, Region, Severity, Snapshot
from auditor.yamlfile import describe, read_yaml, validate

if TYPE_CHECKING:
    from auditor.config import Config

FactKind = Literal["links", "images", "ocr", "products"]


class Params(BaseModel):
    """Base of every check's parameters: strict, so a misspelt parameter is an error."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class Hit:
    """What a check found: where, what to fix, and the evidence; the engine makes the Finding."""

    page: Page
    region: Region | None
    target: str | None
    evidence: dict[str, Any]
    discriminator: str = ""
    fmt: dict[str, Any] = field(default_factory=dict)
    box: tuple[float, float, float, float] | None = None  # the element at fault, for the outlined screenshot
    severity: str | None = None  # when the check knows better than the rule (a sudden price drop is high)


@dataclass
class CheckContext:
    snapshot: Snapshot
    facts: Facts
    params: Any
    now: datetime
    regions_filter: tuple[str, ...]
    campaigns: list[Any] = field(default_factory=list)
    locale: str = "zh-CN"

    def regions(self) -> Iterator[tuple[Page, Region]]:
        for page in self.snapshot.pages:
            for region in page.regions:
                if "*" in self.regions_filter or region.kind in self.regions_filter:
                    yield page, region


CheckFn = Callable[[CheckContext], Iterator[Hit]]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    fn: CheckFn
    params: type[Params]
    needs: frozenset[str]

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()


REGISTRY: dict[str, CheckSpec] = {}


def check(name: str, params: type[Params] = Params, needs: tuple[FactKind, ...] = ()) -> Callable[[CheckFn], CheckFn]:
    """Register a check under its DESIGN name; its docstring is its documentation."""

    def register(fn: CheckFn) -> CheckFn:
        if name in REGISTRY:
            raise RuntimeError(f"check {name!r} registered twice")
        REGISTRY[name] = CheckSpec(name, fn, params, frozenset(needs))
        return fn

    return register


def load_checks() -> dict[str, CheckSpec]:
    import auditor.checks as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"auditor.checks.{mod.name}")
    return REGISTRY


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    expect: Literal["pass", "fail"]
    pages: list[dict[str, Any]]
    facts: dict[str, Any] = Field(default_factory=dict)
    now: datetime | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    campaigns: list[dict[str, Any]] = Field(default_factory=list)
    findings: list[dict[str, Any]] = Field(default_factory=list)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    check: str
    severity: Severity
    regions: list[str] = Field(default_factory=lambda: ["*"])
    params: dict[str, Any] = Field(default_factory=dict)
    message: dict[Literal["zh-CN", "en"], str]
    docs: str
    enabled: bool = True
    cases: list[Case] = Field(default_factory=list)

    source: str = Field(default="", exclude=True)  # "built-in (dead-link.yaml)" or the operator's file
    file: str = Field(default="", exclude=True)
    positions: Any = Field(default=None, exclude=True)
    parsed_params: Any = Field(default=None, exclude=True)


def builtin_rules_dir() -> Path:
    """The rules shipped inside the package (top-level `rules/` in the checkout links here)."""
    return Path(str(files("auditor").joinpath("rules")))


def rules_for(cfg: Config) -> list[Rule]:
    """The rules a configuration runs: the built-in ones and its `rules.dir`'s, less `rules.disable`,
    with `rules.overrides` applied."""
    extra = cfg.resolve(cfg.rules.dir) if cfg.rules.dir else None
    return load_rules(extra, cfg.rules.disable, cfg.rules.overrides)


def load_rules(
    directory: Path | None = None,
    disable: list[str] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
    *,
    builtin: bool = True,
) -> list[Rule]:
    """The built-in rules, then the operator's `directory` (if any), which adds rules or replaces a
    built-in one by its id. Every file is validated: unknown keys, checks, params and regions are errors."""
    checks = load_checks()
    if directory is not None and not directory.is_dir():
        raise RuleError(f"{directory}: rules directory not found (rules.dir)")
    rules: dict[str, Rule] = {}
    sources = ([(builtin_rules_dir(), True)] if builtin else []) + ([(directory, False)] if directory else [])
    if builtin and directory is not None and directory.resolve() == builtin_rules_dir().resolve():
        sources = sources[:1]  # the checkout's rules/ is the built-in folder itself
    for folder, is_builtin in sources:
        here: dict[str, str] = {}
        for path in sorted(folder.glob("*.yaml")):
            rule = _load_rule(path, checks)
            rule.source = f"built-in ({path.name})" if is_builtin else str(path)
            if rule.id in here:
                raise RuleError(f"{path}: rule id {rule.id!r} already defined in {here[rule.id]}")
            here[rule.id] = str(path)
            rules[rule.id] = rule  # the operator's file replaces the built-in rule of the same id
    return _configure(list(rules.values()), checks, disable, overrides)


def _load_rule(path: Path, checks: dict[str, CheckSpec]) -> Rule:
    data, positions = read_yaml(path, RuleError)
    rule = validate(Rule, data, path, positions, RuleError)
    rule.positions, rule.file = positions, str(path)
    return rule


def _configure(
    loaded: list[Rule],
    checks: dict[str, CheckSpec],
    disable: list[str] | None,
    overrides: dict[str, dict[str, Any]] | None,
) -> list[Rule]:
    rules: list[Rule] = []
    seen = {r.id: r.source for r in loaded}
    for rule in loaded:
        path, positions = rule.file, rule.positions
        if rule.check not in checks:
            raise RuleError(
                f"{path}:{positions.line(('check',))}: check: unknown check {rule.check!r}; "
                f"known: {', '.join(sorted(checks))}"
            )
        for kind in rule.regions:
            if kind != "*" and kind not in REGION_KINDS:
                raise RuleError(
                    f"{path}:{positions.line(('regions',))}: regions: unknown region {kind!r}; "
                    f"known: {', '.join(REGION_KINDS)}"
                )
        params = {**rule.params, **((overrides or {}).get(rule.id, {}).get("params", {}))}
        try:
            rule.parsed_params = checks[rule.check].params.model_validate(params)
        except ValidationError as exc:
            raise RuleError(describe(exc, path, positions, ("params",))) from None
        override = (overrides or {}).get(rule.id, {})
        unknown = set(override) - {"params", "severity", "enabled"}
        if unknown:
            raise RuleError(f"config rules.overrides.{rule.id}: unknown key(s) {', '.join(sorted(unknown))}")
        if "severity" in override:
            rule.severity = override["severity"]
        if "enabled" in override:
            rule.enabled = bool(override["enabled"])
        if rule.id in (disable or []):
            rule.enabled = False
        rules.append(rule)
    for name in disable or []:
        if name not in seen:
            raise RuleError(f"config rules.disable: no rule named {name!r}")
    for name in overrides or {}:
        if name not in seen:
            raise RuleError(f"config rules.overrides: no rule named {name!r}")
    return rules


def needed_facts(rules: list[Rule]) -> set[str]:
    checks = load_checks()
    return set().union(*(checks[r.check].needs for r in rules if r.enabled)) if rules else set()


def ocr_regions(rules: list[Rule]) -> set[str]:
    """Regions whose images the enabled rules want read (OCR is the costly probe: only where needed)."""
    checks = load_checks()
    return {kind for r in rules if r.enabled and "ocr" in checks[r.check].needs for kind in r.regions}


def fingerprint(
    store: str,
    check_name: str,
    page: str,
    region: str,
    target: str | None,
    discriminator: str,
    viewport: str = "desktop",
) -> str:
    parts = [store, check_name, page, region, target or "", discriminator]
    if viewport != "desktop":
        parts.append(viewport)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


class _Fmt(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: dict[str, Any]) -> str:
    return template.format_map(_Fmt(values))


def run_rules(
    rules: list[Rule],
    snapshot: Snapshot,
    facts: Facts,
    now: datetime,
    locale: str = "zh-CN",
    campaigns: list[Any] | None = None,
    timings: dict[str, float] | None = None,
    errors: list[str] | None = None,
) -> list[Finding]:
    """Apply every enabled rule; one finding per defect, site-wide repeats folded to the first page.

    A check that raises costs only the page it failed on: the rule is run again page by page, and
    each failure goes to `errors` as "URL: rule ID failed: ..."."""
    import time

    checks = load_checks()
    findings: list[Finding] = []
    folded: set[tuple[str, ...]] = set()
    errors = errors if errors is not None else []
    for rule in rules:
        if not rule.enabled:
            continue
        ctx = CheckContext(snapshot, facts, rule.parsed_params, now, tuple(rule.regions), campaigns or [], locale)
        started = time.perf_counter()
        for hit in _isolated_hits(checks[rule.check].fn, ctx, rule.id, errors):
            region_kind = hit.region.kind if hit.region else "page"
            key = (rule.id, region_kind, hit.target or "", hit.discriminator, hit.page.viewport)
            if hit.target or hit.discriminator:
                if key in folded:
                    continue
                folded.add(key)
            message = render(
                rule.message.get(locale) or rule.message["zh-CN"],  # type: ignore[call-overload]
                {"target": hit.target or "", **hit.evidence, **hit.fmt},
            )
            evidence = dict(hit.evidence)
            findings.append(
                Finding(
                    check=rule.check,
                    rule=rule.id,
                    severity=hit.severity or rule.severity,  # type: ignore[arg-type]
                    store=snapshot.store,
                    page=hit.page.url,
                    region=region_kind,
                    viewport=hit.page.viewport,
                    target=hit.target,
                    message=message,
                    evidence=evidence,
                    # the page's photo, cut to this finding's region by the report stage (auditor/screenshots.py)
                    screenshot=hit.page.screenshot
                    if not hit.region or (hit.region.visible and hit.region.box)
                    else None,
                    box=hit.box if hit.region and hit.region.box else None,
                    region_box=hit.region.box if hit.region else None,
                    fingerprint=fingerprint(
                        snapshot.store,
                        rule.check,
                        hit.page.url,
                        region_kind,
                        hit.target,
                        hit.discriminator,
                        hit.page.viewport,
                    ),
                )
            )
        if timings is not None:
            timings[f"rule:{rule.id}"] = round(time.perf_counter() - started, 3)
    return findings


def _isolated_hits(fn: CheckFn, ctx: CheckContext, rule_id: str, errors: list[str]) -> list[Hit]:
    try:
        return list(fn(ctx))
    except Exception:
        pass
    import dataclasses

    hits: list[Hit] = []
    failed_pages = 0
    for page in ctx.snapshot.pages:
        one = dataclasses.replace(ctx, snapshot=ctx.snapshot.model_copy(update={"pages": [page]}))
        try:
            hits.extend(fn(one))
        except Exception as exc:
            failed_pages += 1
            detail = f"{type(exc).__name__}: {exc}"
            errors.append(t("err_rule_failed", ctx.locale, url=page.url, rule=rule_id, detail=detail)[:400])
    if not failed_pages:
        errors.append(t("err_rule_failed_all", ctx.locale, store=ctx.snapshot.store, rule=rule_id))
    return hits
