"""The commented starter config.yaml that `auditor init` writes (Chinese comments, one store)."""

from __future__ import annotations

from pathlib import Path

from auditor.errors import AuditorError

TEMPLATE = """\
# 店铺巡检配置（Storefront Auditor）。每个键都会校验：写错的键会报错并给出行号。
timezone: Asia/Shanghai            # 日期按这个时区理解
locale: zh-CN                      # 消息和导出的语言：zh-CN 或 en
storage: {{url: sqlite:///auditor.db}}   # 团队共用：postgresql+psycopg://用户@主机/库（密码放环境变量 AUDITOR_DB_URL）
checker: 值班运营                    # 导出问题记录里的「检查人」

stores:
  - name: {name}                   # 店铺名（导出和报告里用）
    url: {url}                     # 店铺首页
    profile: generic               # generic（按结构识别区域）| tmall | shopify
    selectors: {{}}                  # 需要时指定区域选择器，例如 {{kv: "#J_Slider", showcase: ".shop-grid"}}
    required: []                   # 必须出现的元素，例如 [{{name: 在线客服, selector: "#cs-widget"}}]

campaigns: []                      # 活动：名称、关键词、起止时间、活动商品价格（活动结束后 campaign-check 用）
#  - name: 双12
#    keywords: [双12, 双十二, "12.12"]
#    start: 2026-12-08T00:00:00+08:00
#    end: 2026-12-12T23:59:59+08:00
#    products:
#      - {{url: /products/linen-shirt, promo_price: 149, regular_price: 199}}

schedule: {{cron: "30 8 * * *"}}     # 每天早上 8:30 巡检（auditor schedule）
#  export: exports/{{store}}-{{date}}.xlsx   # 每次巡检后导出问题记录

# notify:                          # 巡检后发通知（钉钉、飞书、企业微信、邮件……），令牌放环境变量
#   urls: ["dingtalk://${{DINGTALK_TOKEN}}"]
#   min_severity: high

rules: {{disable: [], overrides: {{}}}}   # 内置规则总会加载；dir: my-rules 可加自己的规则或按 id 替换内置规则

crawl:
  max_pages: 60                    # 最多读多少个页面
  max_depth: 1                     # 从首页往下跟几层链接
  viewports: [desktop]             # 加上 mobile 同时检查手机版
"""


def write_starter(path: Path, url: str, name: str) -> None:
    """Write the starter config; an existing file is never overwritten."""
    if path.exists():
        raise AuditorError(f"{path}: already exists; not overwritten (remove it or choose --output)")
    if not url.startswith(("http://", "https://")):
        raise AuditorError(f"--url {url!r}: must be an absolute http(s) URL")
    path.write_text(TEMPLATE.format(url=url, name=name), encoding="utf-8")
