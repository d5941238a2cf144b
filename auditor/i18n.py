"""Words the tool itself says (rules carry their own messages), in Chinese by default and English."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "severity": {"zh-CN": "严重程度", "en": "Severity"},
    "check": {"zh-CN": "检查项目", "en": "Check"},
    "page": {"zh-CN": "页面", "en": "Page"},
    "region": {"zh-CN": "区域", "en": "Region"},
    "message": {"zh-CN": "问题记录", "en": "Problem"},
    "checker": {"zh-CN": "检查人", "en": "Checked by"},
    "date": {"zh-CN": "日期", "en": "Date"},
    "assignee": {"zh-CN": "跟进人", "en": "Follow-up"},
    "resolution": {"zh-CN": "处理结果", "en": "Resolution"},
    "status": {"zh-CN": "状态", "en": "Status"},
    "target": {"zh-CN": "链接", "en": "Link"},
    "screenshot": {"zh-CN": "截图", "en": "Screenshot"},
    "id": {"zh-CN": "编号", "en": "ID"},
    "summary": {
        "zh-CN": "运行 #{run} {status}：{pages} 个页面，{findings} 个问题（新 {new}，已修复 {fixed}），"
        "{blocked} 个页面被拦截，{errors} 个错误",
        "en": "Run #{run} {status}: {pages} pages, {findings} findings ({new} new, {fixed} fixed), "
        "{blocked} pages blocked, {errors} errors",
    },
    "no_findings": {"zh-CN": "没有发现问题。", "en": "No findings."},
}


def t(key: str, locale: str, **values: object) -> str:
    entry = WORDS[key]
    return (entry.get(locale) or entry["zh-CN"]).format(**values)
