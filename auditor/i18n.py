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
    "err_start_read_again": {
        "zh-CN": "{url}：首页第一次没有读完（{error}），又读了一次",
        "en": "{url}: the start page's first read failed ({error}); read again",
    },
    "start_page_unread": {"zh-CN": "{url}：首页没有读到（{error}）", "en": "{url}: start page not read: {error}"},
    "summary": {
        "zh-CN": "运行 #{run} {status}：{pages} 个页面，{findings} 个问题（新 {new}，已修复 {fixed}），"
        "{blocked} 个页面被拦截，{errors} 个错误",
        "en": "Run #{run} {status}: {pages} pages, {findings} findings ({new} new, {fixed} fixed), "
        "{blocked} pages blocked, {errors} errors",
    },
    "timings_title": {
        "zh-CN": "耗时（抓取各步骤的时间是同时读取的各页面之和）",
        "en": "Timings (crawl steps are summed over pages read side by side)",
    },
    "timings_stage": {"zh-CN": "阶段", "en": "stage"},
    "timings_value": {"zh-CN": "秒 / 个数", "en": "s / count"},
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
    # what went wrong in a run (its errors and notes); the library's own detail stays as it was said
    "err_page": {"zh-CN": "{url}：{detail}", "en": "{url}: {detail}"},
    "err_timed_out": {
        "zh-CN": "{seconds:.0f} 秒内没有读完（正在{step}）",
        "en": "timed out after {seconds:.0f}s while {step}",
    },
    "err_while": {"zh-CN": "{detail}（正在{step}）", "en": "{detail} (while {step})"},
    "err_failed_while": {"zh-CN": "{step}时出错：{detail}", "en": "failed while {step}: {detail}"},
    "err_shots_timed_out": {
        "zh-CN": "截图超时（页面时限 {seconds:.0f} 秒）",
        "en": "screenshots timed out (page deadline {seconds:.0f}s)",
    },
    "err_shot_failed": {"zh-CN": "截图失败：{detail}", "en": "screenshot failed: {detail}"},
    "err_shot_not_saved": {"zh-CN": "页面截图未能保存：{detail}", "en": "the page photo was not saved: {detail}"},
    "err_no_load": {
        "zh-CN": "load 事件没有触发；已读取到达的内容",
        "en": "load event did not fire; read what had arrived",
    },
    "err_too_large": {
        "zh-CN": "页面超过 {mb} MB（解压后），没有读取",
        "en": "page over {mb} MB (after decompression): not read",
    },
    "err_no_product_facts": {
        "zh-CN": "通过 HTTP 读取的商品页上没有商品信息",
        "en": "product page over HTTP holds no product facts",
    },
    "err_run_deadline": {
        "zh-CN": "{url}：到了运行时限 {seconds:.0f} 秒，读了 {pages} 个页面后停止抓取",
        "en": "{url}: run deadline of {seconds:.0f}s reached; crawl stopped after {pages} pages",
    },
    "err_left_out": {
        "zh-CN": "{url}：{n} 个{what}没有检查（超过 crawl.max_links_per_page）",
        "en": "{url}: {n} {what} left out (over crawl.max_links_per_page)",
    },
    "err_rule_failed": {"zh-CN": "{url}：规则 {rule} 出错：{detail}", "en": "{url}: rule {rule} failed: {detail}"},
    "err_rule_failed_all": {
        "zh-CN": "{store}：规则 {rule} 在整个快照上出错，不是某一个页面",
        "en": "{store}: rule {rule} failed on the whole snapshot, not on any one page",
    },
    "err_ocr_failed": {"zh-CN": "{url}：图片文字识别失败：{detail}", "en": "{url}: OCR failed: {detail}"},
    "err_image_probe": {"zh-CN": "{url}：图片检查失败：{detail}", "en": "{url}: image probe failed: {detail}"},
    "queued": {"zh-CN": "已排队：{store} {what}（任务 {task}）", "en": "queued: {store} {what} (task {task})"},
    "no_competitors": {
        "zh-CN": "店铺 {store!r} 没有配置竞品 (stores[].competitors)",
        "en": "store {store!r} has no competitors configured (stores[].competitors)",
    },
    "err_probes_late": {
        "zh-CN": "{n} 个链接或图片没有检查：检查阶段超过 {s} 秒（crawl.run_timeout_s），第一个是 {url}",
        "en": "{n} links or images not probed: the probes ran past {s} s (crawl.run_timeout_s), the first {url}",
    },
    "err_link_probe": {"zh-CN": "{url}：链接检查失败：{detail}", "en": "{url}: link probe failed: {detail}"},
    "err_outline_failed": {
        "zh-CN": "{url}：截取问题截图失败：{detail}",
        "en": "{url}: cutting the findings' pictures failed: {detail}",
    },
    "err_notify_failed": {"zh-CN": "通知发送失败：{url}", "en": "notification to {url} failed"},
    "err_price_untrusted": {
        "zh-CN": "{url}：价格 ¥{price:g} 把握不足（可信度 {confidence:.2f} < {minimum}；{why}），价格检查没有用它",
        "en": "{url}: price ¥{price:g} not trusted (confidence {confidence:.2f} < {minimum}; {why}): "
        "no price check used it",
    },
    "err_rival_unread": {
        "zh-CN": "竞品 {name} {url}：没有读到：{detail}",
        "en": "competitor {name} {url}: not read: {detail}",
    },
    "err_rival_error": {"zh-CN": "竞品 {name}：{detail}", "en": "competitor {name}: {detail}"},
    "err_rival_price": {
        "zh-CN": "竞品 {name} {url}：价格没有读到（{why}），没有与 {ours} 比较",
        "en": "competitor {name} {url}: price not read ({why}); pair with {ours} not compared",
    },
    "notify_export_failed": {
        "zh-CN": "[店铺巡检] {store} 运行 #{run} 导出失败",
        "en": "[Storefront audit] {store} run #{run}: export failed",
    },
    # `auditor rules list`: its columns and the enabled column's values
    "rule": {"zh-CN": "规则", "en": "Rule"},
    "regions": {"zh-CN": "区域", "en": "Regions"},
    "all_regions": {"zh-CN": "全部", "en": "all"},  # a rule's `regions: ["*"]`
    "enabled": {"zh-CN": "启用", "en": "Enabled"},
    "source": {"zh-CN": "来源", "en": "Source"},
    "yes": {"zh-CN": "是", "en": "yes"},
    "no": {"zh-CN": "否", "en": "no"},
    # what a triage command or an export did (`{status}` is a status label)
    "triaged": {"zh-CN": "已将 {n} 条问题标记为 {status}", "en": "{n} findings marked {status}"},
    "triaged_one": {"zh-CN": "已将 1 条问题标记为 {status}", "en": "1 finding marked {status}"},
    "exported": {"zh-CN": "已导出 {n} 条问题到 {output}", "en": "{n} findings exported to {output}"},
    "exported_one": {"zh-CN": "已导出 1 条问题到 {output}", "en": "1 finding exported to {output}"},
    # the HTML report's fixed words
    "report_heading": {"zh-CN": "{store} — 运行 #{run}", "en": "{store} — run #{run}"},
    "report_clock": {"zh-CN": "时间", "en": "Clock"},
    "report_pages": {"zh-CN": "页面", "en": "Pages"},
    "report_findings": {"zh-CN": "问题", "en": "Findings"},
    "report_new": {"zh-CN": "新增", "en": "New"},
    "report_fixed": {"zh-CN": "已修复", "en": "Fixed"},
    "report_blocked": {"zh-CN": "被拦截", "en": "Blocked"},
    "report_errors": {"zh-CN": "运行中的错误和说明（{n} 条）", "en": "Errors and notes of the run ({n})"},
    "report_unreachable": {
        "zh-CN": "无法连接的主机（相关链接和图片记为未知）：{hosts}",
        "en": "Unreachable hosts (their links and images counted as unknown): {hosts}",
    },
    "report_evidence": {"zh-CN": "证据", "en": "Evidence"},
    "report_competitors": {"zh-CN": "竞品动态", "en": "Competitors"},
    "report_no_change": {"zh-CN": "与上次相比没有变化", "en": "no change since the previous run"},
    "report_promotions": {"zh-CN": "促销活动", "en": "Promotions"},
    # the workbook's sheets and the 下架/缺货清单's columns
    "sheet_log": {"zh-CN": "问题记录", "en": "Issue log"},
    "sheet_off_sale": {"zh-CN": "下架缺货清单", "en": "Off sale or sold out"},
    "product": {"zh-CN": "商品", "en": "Product"},
    "before": {"zh-CN": "之前", "en": "Before"},
    "now": {"zh-CN": "现在", "en": "Now"},
    "first_seen": {"zh-CN": "首次发现", "en": "First seen"},
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
    # a product's availability (the 下架/缺货清单's before and now)
    "on_sale": {"zh-CN": "在售", "en": "On sale"},
    "delisted": {"zh-CN": "已下架", "en": "Delisted"},
    "sold_out": {"zh-CN": "售罄/缺货", "en": "Sold out"},
    "not_found": {"zh-CN": "找不到（404）", "en": "Not found (404)"},
}


# the steps of a page read (the run's timings keep the English ids; people read these)
STEPS_ZH: dict[str, str] = {
    "opening a tab": "打开标签页",
    "waiting for a turn": "排队",
    "navigating": "打开页面",
    "waiting out Retry-After": "按 Retry-After 等待",
    "waiting for the load event": "等待 load 事件",
    "waiting for the page's requests": "等待页面脚本的请求返回",
    "following a refresh": "跟随刷新跳转",
    "finding regions": "识别区域",
    "scrolling": "滚动页面",
    "revealing menus": "展开菜单",
    "waiting for the menus": "等待菜单",
    "photographing the page": "拍整页截图",
    "watching carousels": "观察轮播",
    "reading regions": "读取区域",
    "reading product facts": "读取商品信息",
    "reading countdowns": "读取倒计时",
    "waiting for a price": "等待价格显示",
    "taking screenshots": "截图",
    "closing the tab": "关闭标签页",
    "reading over HTTP": "通过 HTTP 读取",
    "fetching the page": "获取页面（未占标签页）",
    "laying out the HTML": "排版并读取页面（不运行脚本）",
}
# the run's timings, by their stable ids
STAGES_ZH: dict[str, str] = {
    "crawl_s": "抓取（秒）",
    "probes_s": "检查（秒）",
    "checks_s": "规则（秒）",
    "store_s": "保存（秒）",
    "competitors_s": "竞品（秒）",
    "probes: image fetching and decoding": "检查：下载并解码图片",
    "probes: OCR": "检查：图片文字识别",
    "probes: link probing": "检查：链接探测",
    "checks: cutting the findings' pictures": "规则：截取问题截图",
    "images decoded": "解码的图片数",
    "links probed": "探测的链接数",
    "ocr_images": "文字识别的图片数",
}


def left_out_label(what: str, locale: str) -> str:
    """ "links" / "images" (over the per-page cap) in the reader's language."""
    return what if locale == "en" else {"links": "链接", "images": "图片"}.get(what, what)


def step_label(step: str, locale: str) -> str:
    """A page-read step ("navigating") in the reader's language."""
    return step if locale == "en" else STEPS_ZH.get(step, step)


def stage_label(stage: str, locale: str) -> str:
    """A timings key ("crawl: navigating", "probes: OCR") in the reader's language."""
    if locale == "en":
        return stage
    if stage.startswith("crawl: "):
        return "抓取：" + step_label(stage.removeprefix("crawl: "), locale)
    return STAGES_ZH.get(stage, stage)


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
