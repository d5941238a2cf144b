"""Export stage: a message after each run through apprise URLs (DingTalk, Feishu, WeCom, Slack, email)."""

from __future__ import annotations

import os

from auditor.config import Notify
from auditor.errors import ConfigError
from auditor.i18n import label, t
from auditor.models import SEVERITY_ORDER, Finding

TOP = 10


def compose(
    store: str,
    run_id: int,
    status: str,
    findings: list[Finding],
    new_fingerprints: set[str],
    min_severity: str,
    locale: str = "zh-CN",
) -> tuple[str, str]:
    """Title and body in the team's language: the summary, then the most severe new findings."""
    new = [f for f in findings if f.fingerprint in new_fingerprints]
    worst = sorted(
        (f for f in new if SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[min_severity]),
        key=lambda f: -SEVERITY_ORDER[f.severity],
    )
    title = t(
        "notify_title", locale, store=store, run=run_id, status=label(status, locale), findings=len(findings),
        new=len(new),
    )  # fmt: skip
    lines = [
        f"- [{label(f.severity, locale)}] {label(f.check, locale)} @ {label(f.region, locale)}: {f.message}"
        for f in worst[:TOP]
    ]
    if len(worst) > TOP:
        lines.append(t("notify_more", locale, n=len(worst) - TOP))
    return title, "\n".join(lines) or t("notify_none", locale)


def off_sale_notice(store: str, gone: list[Finding], locale: str = "zh-CN") -> tuple[str, str]:
    """For customer service (客服): our products that went off sale in this run, one per line."""
    title = t("notify_off_sale", locale, store=store, n=len(gone))
    sep, left, right = ("：", "（", "）") if locale != "en" else (": ", " (", ")")
    lines = [f"- {f.evidence.get('title') or f.page}{sep}{f.message}{left}{f.target or f.page}{right}" for f in gone]
    return title, "\n".join(lines)


def expand_urls(settings: Notify) -> list[str]:
    """Tokens live in the environment: urls: ["dingtalk://${DINGTALK_TOKEN}"]."""
    out = []
    for raw in settings.urls:
        url = os.path.expandvars(raw)
        if "$" in url:
            raise ConfigError(f"notify.urls: {raw!r} names an environment variable that is not set")
        out.append(url)
    return out


def send(settings: Notify, title: str, body: str) -> list[str]:
    """Send to every configured URL; returns the URLs that failed (a failed notification never fails the run)."""
    if not settings.urls:
        return []
    import apprise

    failed = []
    for url in expand_urls(settings):
        ap = apprise.Apprise()
        if not ap.add(url) or not ap.notify(title=title, body=body):
            failed.append(url.split("://", 1)[0] + "://…")  # tokens stay out of logs
    return failed
