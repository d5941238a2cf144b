"""Words the tool itself says (rules carry their own messages), in Chinese by default and English."""

from __future__ import annotations

from typing import Any

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
    # a run that failed because its start page could not be read (one line, exit 2)
    "start_page_status": {
        "zh-CN": "{url}：首页打不开（HTTP {status}）",
        "en": "{url}: start page answered HTTP {status}",
    },
    "start_page_unread": {"zh-CN": "{url}：首页没有读到（{error}）", "en": "{url}: start page not read: {error}"},
    "summary": {
        "zh-CN": "运行 #{run} {status}：{pages} 个页面，{findings} 个问题（新 {new}，已修复 {fixed}），"
        "{blocked} 个页面被拦截，{errors} 个错误",
        "en": "Run #{run} {status}: {pages} pages, {findings} findings ({new} new, {fixed} fixed), "
        "{blocked} pages blocked, {errors} errors",
    },
    "no_findings": {"zh-CN": "没有发现问题。", "en": "No findings."},
    "check_id": {"zh-CN": "检查编号", "en": "Check ID"},
    # notifications (apprise): after a run, to customer service, about the rivals
    "notify_title": {
        "zh-CN": "[店铺巡检] {store} 运行 #{run} {status}：{findings} 个问题，新增 {new}",
        "en": "[Storefront audit] {store} run #{run} {status}: {findings} findings, {new} new",
    },
    "notify_more": {"zh-CN": "… 另有 {n} 个", "en": "… and {n} more"},
    "notify_none": {"zh-CN": "没有新的严重问题。", "en": "No new severe findings."},
    "notify_off_sale": {
        "zh-CN": "[店铺巡检] {store}：{n} 个商品下架/缺货",
        "en": "[Storefront audit] {store}: {n} products off sale or out of stock",
    },
    "notify_rivals": {"zh-CN": "竞品动态：", "en": "Competitors:"},
    # notifications about the tool itself: a scheduled run, a task or an export that failed
    "notify_run_failed": {"zh-CN": "[店铺巡检] {store} 巡检失败", "en": "[Storefront audit] {store}: audit failed"},
    "notify_not_queued": {
        "zh-CN": "[店铺巡检] {store} 巡检任务未能排队",
        "en": "[Storefront audit] {store}: audit task could not be queued",
    },
    "notify_task_failed": {
        "zh-CN": "[店铺巡检] {store} 巡检任务失败",
        "en": "[Storefront audit] {store}: audit task failed",
    },
    "notify_task_gave_up": {
        "zh-CN": "[店铺巡检] {store} 巡检任务放弃",
        "en": "[Storefront audit] {store}: audit task given up",
    },
    "notify_export_failed": {
        "zh-CN": "[店铺巡检] {store} 运行 #{run} 导出失败",
        "en": "[Storefront audit] {store} run #{run}: export failed",
    },
}

# The fixed words of DESIGN (check names, severities, statuses, regions) as a person reads them; the
# stable ids stay in JSON exports and in a column of their own.
LABELS: dict[str, dict[str, str]] = {
    "dead-link": {"zh-CN": "死链", "en": "Dead link"},
    "broken-image": {"zh-CN": "图片无法显示", "en": "Broken image"},
    "distorted-image": {"zh-CN": "图片变形", "en": "Distorted image"},
    "carousel-not-rotating": {"zh-CN": "轮播图不轮播", "en": "Carousel not rotating"},
    "expired-promotion": {"zh-CN": "促销已过期", "en": "Expired promotion"},
    "image-price-mismatch": {"zh-CN": "图片价格不符", "en": "Price in image differs"},
    "price-mismatch": {"zh-CN": "价格不符", "en": "Price differs"},
    "showcase-slot-gap": {"zh-CN": "橱窗空缺", "en": "Showcase gap"},
    "link-target-mismatch": {"zh-CN": "链接指向不符", "en": "Link goes elsewhere"},
    "discount-category-mismatch": {"zh-CN": "折扣分类不符", "en": "Not discounted in a discount category"},
    "price-not-restored": {"zh-CN": "活动价未恢复", "en": "Price not restored"},
    "competitor-low-price": {"zh-CN": "竞品低价", "en": "Competitor below our price"},
    "product-unavailable": {"zh-CN": "商品下架或缺货", "en": "Product unavailable"},
    "layout": {"zh-CN": "页面元素缺失", "en": "Layout"},
    "critical": {"zh-CN": "严重", "en": "Critical"},
    "high": {"zh-CN": "高", "en": "High"},
    "medium": {"zh-CN": "中", "en": "Medium"},
    "low": {"zh-CN": "低", "en": "Low"},
    "open": {"zh-CN": "待处理", "en": "Open"},
    "fixed": {"zh-CN": "已修复", "en": "Fixed"},
    "regressed": {"zh-CN": "再次出现", "en": "Regressed"},
    "acknowledged": {"zh-CN": "已确认", "en": "Acknowledged"},
    "assigned": {"zh-CN": "已指派", "en": "Assigned"},
    "resolved": {"zh-CN": "已处理", "en": "Resolved"},
    "ignored": {"zh-CN": "已忽略", "en": "Ignored"},
    "complete": {"zh-CN": "完成", "en": "complete"},
    "partial": {"zh-CN": "部分完成", "en": "partial"},
    "failed": {"zh-CN": "失败", "en": "failed"},
    "aborted": {"zh-CN": "已中止", "en": "aborted"},
    "running": {"zh-CN": "运行中", "en": "running"},
    "nav": {"zh-CN": "导航", "en": "Nav"},
    "kv": {"zh-CN": "聚焦图", "en": "KV"},
    "carousel": {"zh-CN": "轮播", "en": "Carousel"},
    "banner": {"zh-CN": "横幅", "en": "Banner"},
    "showcase": {"zh-CN": "橱窗", "en": "Showcase"},
    "announcement": {"zh-CN": "公告", "en": "Announcement"},
    "footer": {"zh-CN": "页脚", "en": "Footer"},
    "page": {"zh-CN": "页面其他", "en": "Page"},
    "product.price": {"zh-CN": "商品价格", "en": "Product price"},
    "product.promo": {"zh-CN": "商品促销", "en": "Product promo"},
    "product.related": {"zh-CN": "相关商品", "en": "Related products"},
    "category": {"zh-CN": "分类列表", "en": "Category"},
}


def label(word: str, locale: str) -> str:
    """A fixed id (check, severity, status, region) in the reader's language; unknown ids as they are."""
    entry = LABELS.get(word)
    return (entry.get(locale) or entry["zh-CN"]) if entry else word


def t(key: str, locale: str, **values: object) -> str:
    entry = WORDS[key]
    return (entry.get(locale) or entry["zh-CN"]).format(**values)


def describe_change(change: dict[str, Any], locale: str = "zh-CN") -> str:
    """A competitor's change since its previous run (竞品动态), as one line for the report and notification."""
    zh = locale != "en"
    kind = change["kind"]
    if kind == "new-promotion":
        return f"新活动：{change['text']}" if zh else f"new promotion: {change['text']}"
    if kind == "ended-promotion":
        return f"活动下线：{change['text']}" if zh else f"promotion gone: {change['text']}"
    if kind == "new-slide":
        return f"聚焦图新图：{change['image']}" if zh else f"new KV slide: {change['image']}"
    return (
        f"价格变化：{change['url']} ¥{change['before']:g} → ¥{change['after']:g}"
        if zh
        else f"price change: {change['url']} {change['before']:g} → {change['after']:g}"
    )
