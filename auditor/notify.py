"""Export stage: a message after each run through apprise URLs (DingTalk, Feishu, WeCom, Slack, email)."""

from __future__ import annotations

import os

from auditor.config import Notify
from auditor.errors import ConfigError
from auditor.i18n import label
from auditor.models import SEVERITY_ORDER, Finding

TOP = 10


def compose(
    store: str, run_id: int, status: str, findings: list[Finding], new_fingerprints: set[str], min_severity: str
) -> tuple[str, str]:
    """Title and body: the summary, then the most severe new findings."""
    new = [f for f in findings if f.fingerprint in new_fingerprints]
    worst = sorted(
        (f for f in new if SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[min_severity]),
        key=lambda f: -SEVERITY_ORDER[f.severity],
    )
    title = f"[店铺巡检] {store} 运行 #{run_id} {label(status, 'zh-CN')}：{len(findings)} 个问题，新增 {len(new)}"
    lines = [
        f"- [{label(f.severity, 'zh-CN')}] {label(f.check, 'zh-CN')} @ {label(f.region, 'zh-CN')}: {f.message}"
        for f in worst[:TOP]
    ]
    if len(worst) > TOP:
        lines.append(f"… 另有 {len(worst) - TOP} 个")
    return title, "\n".join(lines) or "没有新的严重问题。"


def off_sale_notice(store: str, gone: list[Finding]) -> tuple[str, str]:
    """For customer service (客服): our products that went off sale in this run, one per line."""
    title = f"[店铺巡检] {store}：{len(gone)} 个商品下架/缺货"
    lines = [f"- {f.evidence.get('title') or f.page}：{f.message}（{f.target or f.page}）" for f in gone]
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
