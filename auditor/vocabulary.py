"""The words every stage shares, defined once: severities, run and finding statuses with the
lifecycle's transition table, lazy-image attributes, link schemes, and the marker words that mean
delisted, sold out, not found, ended or a bot wall. Stages import these; none repeats them."""

from __future__ import annotations

import re
from typing import Final, Literal

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
SEVERITY_ORDER: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}


class RunStatus:
    """A run's statuses, as stored. Code names them by these, never by the bare word."""

    RUNNING: Final = "running"
    COMPLETE: Final = "complete"
    PARTIAL: Final = "partial"
    FAILED: Final = "failed"
    ABORTED: Final = "aborted"


RUN_STATUSES: tuple[str, ...] = (
    RunStatus.RUNNING,
    RunStatus.COMPLETE,
    RunStatus.PARTIAL,
    RunStatus.FAILED,
    RunStatus.ABORTED,
)
READ_RUN_STATUSES: tuple[str, ...] = (RunStatus.COMPLETE, RunStatus.PARTIAL)  # runs that read the store
ENDED_RUN_STATUSES: tuple[str, ...] = (*READ_RUN_STATUSES, RunStatus.FAILED)  # ended on their own, not stopped
UNSUCCESSFUL_RUN_STATUSES: tuple[str, ...] = (RunStatus.FAILED, RunStatus.ABORTED)  # the team is told of these


class FindingStatus:
    """A finding's statuses (DESIGN "Lifecycle"), as stored."""

    OPEN: Final = "open"
    FIXED: Final = "fixed"
    REGRESSED: Final = "regressed"
    ACKNOWLEDGED: Final = "acknowledged"
    ASSIGNED: Final = "assigned"
    RESOLVED: Final = "resolved"
    IGNORED: Final = "ignored"


FINDING_STATUSES: tuple[str, ...] = (
    FindingStatus.OPEN,
    FindingStatus.FIXED,
    FindingStatus.REGRESSED,
    FindingStatus.ACKNOWLEDGED,
    FindingStatus.ASSIGNED,
    FindingStatus.RESOLVED,
    FindingStatus.IGNORED,
)
ACTIVE_STATUSES: tuple[str, ...] = (  # still to be dealt with
    FindingStatus.OPEN,
    FindingStatus.REGRESSED,
    FindingStatus.ACKNOWLEDGED,
    FindingStatus.ASSIGNED,
)
CLOSING_STATUSES: tuple[str, ...] = (FindingStatus.RESOLVED, FindingStatus.IGNORED)  # its note is the 处理结果
# The lifecycle (DESIGN "Lifecycle"): who may move a finding from what to what. The auditor moves a
# finding it sees or no longer sees; operators triage. "reopen" is an operator's move back to open.
AUDITOR_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("fixed",),
    "regressed": ("fixed",),
    "acknowledged": ("fixed",),
    "assigned": ("fixed",),
    "fixed": ("regressed",),
    "resolved": ("regressed",),
    "ignored": (),  # stays ignored when seen again
}
OPERATOR_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("acknowledged", "assigned", "resolved", "ignored"),
    "regressed": ("acknowledged", "assigned", "resolved", "ignored", "open"),
    "acknowledged": ("acknowledged", "assigned", "resolved", "ignored", "open"),
    "assigned": ("acknowledged", "assigned", "resolved", "ignored", "open"),
    "fixed": ("assigned", "resolved", "ignored", "open"),  # the auditor no longer sees it; a person may disagree
    "resolved": ("ignored", "open"),
    "ignored": ("open",),
}

# the elements a buy control can be (加入购物车 as a button, a link, an input), and the blocks a buy box's
# lines are read from: CSS selectors every reader uses (extract.js, the reader's buy-box test)
BUY_CONTROLS = "button, a, input[type=submit], input[type=button], [role=button]"
LINE_BLOCKS = "p, li, div, dt, dd, tr, h2, h3, h4"

# attributes where lazy loaders keep the picture a slot will show (beside any image-like attribute)
LAZY_ATTRIBUTES: tuple[str, ...] = (
    "data-src",
    "data-original",
    "data-lazy",
    "data-lazy-src",
    "data-ks-lazyload",
    "data-lazyload",
    "data-echo",
    "data-url",
    "data-img",
    "data-srcset",
)
# The page-reading vocabulary of the region builder (auditor/js/extract.js, which receives these as
# `args.vocab`, for rendered pages and pages read over HTTP alike) and of the Python readers (product
# facts, prices). Each is a regular expression JavaScript and Python read the same way (case-insensitive).
PAGE_VOCABULARY: dict[str, str] = {
    # a src that only stands in until a lazy loader swaps the picture in (blank.gif, loading.png)
    "placeholderSrc": r"placeholder|blank|spacer|loading|grey|lazy",
    # a picture file named in an attribute of the shop's own lazy loader (imgpath="a.jpg")
    "imageFile": r"\.(jpe?g|png|gif|webp|avif|svg)(\?|$)",
    # a product page's buy box: the labels its buttons carry on the marketplaces and platforms (Tmall,
    # JD, Taobao, Xiaomi: 加入购物车 / 立即购买; Shopify: Add to cart / Buy it now; WooCommerce, Magento:
    # Add to cart; PrestaShop: Ajouter au panier; the German, Spanish and Italian themes)
    "buyControl": r"^\s*(?:加入购物车|加入购物袋|立即购买|立即抢购|马上抢购?|立即预订|add to (?:cart|bag|basket)"
    r"|buy (?:it )?now|ajouter au panier|in den warenkorb|añadir al carrito|aggiungi al carrello)\s*$",
    # an element that navigates by script: onclick="location.href='...'" / window.open('...')
    "onclickNavigation": r"(?:location(?:\.href)?\s*=|window\.open\()\s*['\"]([^'\"]+)['\"]",
    # links kept as written, never resolved against the page: scripts, mail, phone, anchors, other schemes
    "rawLink": r"^(?:javascript:|mailto:|tel:|#|data:|$)|^(?!https?:)[a-z][a-z0-9+.-]*:",
    # an address written percent-encoded, scheme and all ("https%3A%2F%2Fm.jd.com%2F..."): what a QR-code
    # maker is given (jd-lijingshan's hidden <img data-url=...> popups), never a picture to load
    "encodedAddress": r"^[a-z][a-z0-9+.-]*%3a",
    # class names that only say which member of a set is showing (tab panels, slides)
    "stateClass": r"active|on|cur|show|current|selected|hide|hidden",
    # ... and, to tell slides of one set apart from other boxes, the number a slide is named by too
    # (these two are read case-sensitively by extract.js: "ShowGoodsBox" is a kind of box, not a state)
    # (tmall-clude's li.one / li.two aside, sliders write slide-1, item2)
    "slideStateClass": r"active|on|cur|show|current|selected|hid|\d",
    # class names that only say how a grid's cell is drawn now: hovered, first or last of its row, striped
    "cellStateClass": r"active|on|cur|hover|first|last|odd|even",
    # a price as a page shows it: a currency mark or code, then digits (¥ $ € £, and the shops met in the
    # corpus: ₱499 on a Philippine shop, Rs 2,645 on an Indian WooCommerce theme); or digits, then 元
    "priceText": r"(?:[¥￥$€£₹₱₩₫฿]|(?:^|[^a-z])(?:rs\.?|rm|usd|eur|gbp|cny|rmb)\s?)\s*\d|\d\s*元",
    # a line whose number is not the product's price: coupons, shipping (满99元包邮), instalments, points,
    # sales counts, sizes and weights, a listing's price filter
    "notPrice": (
        r"券|coupon|运费|邮费|包邮|shipping|delivery|分期|[×x]\s*\d+\s*期|\d+\s*期|installment|per month|/月|"
        r"满\s*\d+\s*减|减\s*\d+|积分|points|销量|月销|sold|评价|reviews?|库存|stock|件|cm|mm|kg|ml|\d+g\b|"
        r"price range|价格区间|筛选|filter|排序|sort by"
    ),
}
# a block of links to other products on a product page (猜你喜欢, related): at least `min_products`
# product links, at most `max_links` links in all, of which at least `share` lead to products
RELATED_BLOCK: dict[str, float] = {"min_products": 2, "max_links": 40, "share": 0.6}

# links that are never fetched: scripts, mail, phone, in-page anchors, inline data
SKIPPED_SCHEMES = re.compile(r"^(javascript:|mailto:|tel:|sms:|data:|#|$)", re.I)
# schemes a shop's link may rightly use: the web's own, and the app links of the marketplaces and
# payment apps shops hand off to. Anything else opens nothing (a typo as a rule: javascritp:;).
KNOWN_SCHEMES = frozenset(
    "http https javascript mailto tel sms data blob about ftp callto "  # noqa: SIM905 (a list of words reads as one)
    "weixin alipays alipay taobao tmall openapp.jdmobile jdmobile pinduoduo snssdk1128 "
    "itms-apps itms-services market intent whatsapp skype viber tg fb-messenger line".split()
)

SOLD_OUT_MARKERS: tuple[str, ...] = ("已售罄", "售罄", "缺货", "sold out", "out of stock")
DELISTED_MARKERS: tuple[str, ...] = ("已下架", "下架", "no longer available", "discontinued")
SOFT_404_MARKERS = [
    "页面不存在",
    "商品不存在",
    "宝贝不存在",
    "已下架",
    "找不到",
    "无法找到",
    "不存在或已删除",
    "已失效",
    "已删除",
    "404 not found",
    "page not found",
    "not found",
    "no longer available",
    "product unavailable",
]
ENDED_MARKERS = [
    "活动已结束",
    "本活动已结束",
    "活动结束",
    "已结束",
    "promotion has ended",
    "sale has ended",
    "offer expired",
]
CHALLENGE_MARKERS = [
    "captcha",
    "滑动验证",
    "请按住滑块",
    "安全验证",
    "访问验证",
    "cf-chl",
    "access denied",
    "are you a robot",
    "unusual traffic",
]
