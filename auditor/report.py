"""Report stage: one self-contained HTML file per run; every string that came from a page is escaped."""

from __future__ import annotations

import base64
import io
import json
from collections import Counter
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image

from auditor.i18n import describe_change, label, t
from auditor.models import SEVERITY_ORDER, Finding

MAX_SHOT_WIDTH = 900
CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px} h2{font-size:18px;border-bottom:2px solid #eee;padding-bottom:4px;margin-top:32px}
.summary td{padding:2px 12px 2px 0} .finding{border:1px solid #ddd;border-radius:6px;padding:12px;margin:12px 0}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;margin-right:6px}
.critical{background:#8b0000}.high{background:#d32f2f}.medium{background:#f57c00}.low{background:#607d8b}
.meta{color:#666;font-size:13px;word-break:break-all} pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}
img.shot{max-width:100%;border:1px solid #ccc;margin-top:8px}
"""


def _data_uri(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    with Image.open(path) as img:
        img = img.convert("RGB")
        if img.width > MAX_SHOT_WIDTH:
            img = img.resize((MAX_SHOT_WIDTH, int(img.height * MAX_SHOT_WIDTH / img.width)))
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def render_report(
    run: dict[str, Any],
    findings: list[Finding],
    locale: str,
    zone: ZoneInfo,
    rivals: list[dict[str, Any]] | None = None,
) -> str:
    """The HTML report of a run: the counts, every finding most severe first with its crop, and what
    the competitors changed since their previous run (竞品动态)."""
    e = escape
    started = run.get("clock")
    when = started.astimezone(zone).strftime("%Y-%m-%d %H:%M") if isinstance(started, datetime) else ""
    parts = [
        f'<!doctype html><html lang="{e(locale)}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">",
        f"<title>{e(str(run.get('store', '')))} #{e(str(run.get('id', '')))}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(t('report_heading', locale, store=run.get('store', ''), run=run.get('id', '')))}</h1>",
        '<table class="summary">',
    ]
    for key, value in [
        ("status", label(str(run.get("status")), locale)),
        ("report_clock", when),
        ("report_pages", run.get("pages_seen")),
        ("report_findings", len(findings)),
        ("report_new", run.get("findings_new")),
        ("report_fixed", run.get("findings_fixed")),
        ("report_blocked", run.get("pages_blocked")),
    ]:
        parts.append(f"<tr><td>{e(t(key, locale))}</td><td>{e(str(value))}</td></tr>")
    parts.append("</table>")
    if not findings:
        parts.append(f"<p>{e(t('no_findings', locale))}</p>")
    # the counts first: per severity, then per check; then what went wrong in the run, folded; then
    # every finding, most severe first
    by_sev = Counter(f.severity for f in findings)
    by_check = Counter(f.check for f in findings)
    if findings:
        parts.append('<table class="summary counts"><tr>')
        parts.extend(
            f'<td><span class="sev {e(s)}">{e(label(s, locale))}</span> {by_sev[s]}</td>'
            for s in sorted(by_sev, key=lambda s: -SEVERITY_ORDER[s])
        )
        parts.append('</tr></table><table class="summary counts">')
        parts.extend(
            f"<tr><td>{e(label(c, locale))} <code>{e(c)}</code></td><td>{n}</td></tr>"
            for c, n in by_check.most_common()
        )
        parts.append("</table>")
    if errors := run.get("errors") or []:
        parts.append(f'<details class="errors"><summary>⚠ {e(t("report_errors", locale, n=len(errors)))}</summary>')
        parts.extend(f'<p class="meta">{e(str(err)[:500])}</p>' for err in errors)
        parts.append("</details>")
    if unreachable := run.get("unreachable"):
        hosts = ", ".join(f"{h} ({n})" for h, n in unreachable.items())
        parts.append(f'<p class="meta">{e(t("report_unreachable", locale, hosts=hosts))}</p>')
    for f in sorted(findings, key=lambda f: (-SEVERITY_ORDER[f.severity], f.check, f.region, f.id or 0)):
        parts.append(
            f'<div class="finding" id="f{e(str(f.id))}"><span class="sev {e(f.severity)}">'
            f"{e(label(f.severity, locale))}</span><b>{e(label(f.check, locale))}</b> "
            f"<code>{e(f.check)}</code> #{e(str(f.id))} · {e(label(f.status, locale))} · "
            f"{e(t('region', locale))}: {e(label(f.region, locale))}"
            f'<p>{e(f.message)}</p><div class="meta">{e(t("page", locale))}: {e(f.page)}<br>'
            f"{e(t('target', locale))}: {e(f.target or '—')}</div>"
        )
        if uri := _data_uri(f.screenshot):
            parts.append(f'<img class="shot" alt="{e(f.check)}" src="{uri}">')
        evidence = json.dumps(f.evidence, ensure_ascii=False, indent=2, default=str)
        summary = e(t("report_evidence", locale))
        parts.append(f"<details><summary>{summary}</summary><pre>{e(evidence)}</pre></details></div>")
    if rivals:
        parts.append(f"<h2>{e(t('report_competitors', locale))}</h2>")
        for rival in rivals:
            prices = ", ".join(f"{u}: {p if p is not None else '?'}" for u, p in (rival.get("prices") or {}).items())
            name, url = str(rival.get("competitor", "")), str(rival.get("url", ""))
            parts.append(f'<div class="finding"><b>{e(name)}</b> <code>{e(url)}</code>')
            parts.append(f'<div class="meta">{e(prices)}</div><ul>')
            changes = rival.get("changes") or []
            parts.extend(f"<li>{e(describe_change(c, locale))}</li>" for c in changes)
            if not changes:
                parts.append(f"<li>{e(t('report_no_change', locale))}</li>")
            parts.append(f"</ul><details><summary>{e(t('report_promotions', locale))}</summary><ul>")
            parts.extend(
                f"<li>{e(str(p.get('text', '')))}"
                + "".join(f" <b>{e(str(name))}</b>" for name in p.get("campaigns") or [])
                + "</li>"
                for p in rival.get("promotions") or []
            )
            parts.append("</ul></details></div>")
    parts.append("</body></html>")
    return "\n".join(parts)
