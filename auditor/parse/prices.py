"""Prices in Chinese shop text and OCR output: ¥/元/OCR slips, role words, and what is not a price.

A number is a price only with a currency mark (¥ $ 元 RMB, or OCR's Y/?/羊 misreading of ¥) or a role
word before it (到手价 149). Thresholds (满300减50), discounts (直降50元), 8折, 第2件半价, counts
(16件套), sizes (160x230, 1.5L, 24cm), dates and hours are never prices. "起" marks a from-price.
A rising range (¥99-199, ¥99~¥199元) stays a range: one price with its high end.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from auditor.parse.normalize import normalize

ROLES: dict[str, str] = {
    "到手价": "promo",
    "到手": "promo",
    "仅需": "promo",
    "只需": "promo",
    "仅售": "promo",
    "券后价": "promo",
    "券后": "promo",
    "促销价": "promo",
    "活动价": "promo",
    "特惠价": "promo",
    "特惠": "promo",
    "秒杀价": "promo",
    "秒杀": "promo",
    "折后价": "promo",
    "拼团价": "promo",
    "团购价": "promo",
    "会员价": "promo",
    "优惠价": "promo",
    "狂欢价": "promo",
    "限时价": "promo",
    "抢购价": "promo",
    "预售价": "promo",
    "低至": "promo",
    "爆款价": "promo",
    "现价": "current",
    "售价": "current",
    "价格": "current",
    "单价": "current",
    "price": "current",
    "now": "promo",
    "sale": "promo",
    "原价": "regular",
    "日常价": "regular",
    "划线价": "regular",
    "吊牌价": "regular",
    "市场价": "regular",
    "专柜价": "regular",
    "参考价": "regular",
    "was": "regular",
    "regular": "regular",
}
_ROLE_RE = "|".join(sorted((re.escape(r) for r in ROLES), key=len, reverse=True))
_MARK = r"(?:[¥$]|(?<![A-Za-z0-9])[Y?羊](?=\s?\d))"  # a currency mark as printed or as OCR reads ¥
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
# a role word, then a currency mark (OCR reads ¥ as Y or ?), the number, 元, 起
PRICE = re.compile(
    rf"(?P<role>{_ROLE_RE})?\s*:?\s*(?P<cur>[¥$]|RMB|CNY|(?<![A-Za-z0-9])[Y?羊](?=\s?\d))?\s*(?P<num>{_NUM})"
    rf"(?!\d)\s*(?P<yuan>元)?\s*(?P<from>起)?",
    re.I,
)
_NOT_PRICE = [
    re.compile(rf"每?满\s*[¥$]?\s*(?:{_NUM})\s*元?\s*(?:减|立减|送|享|返|打|可用)\s*[¥$]?\s*(?:{_NUM})?\s*元?"),
    re.compile(rf"(?:直降|立减|减|省|优惠券|领券|红包|补贴|返现|返|券)\s*[¥$]?\s*(?:{_NUM})\s*元?"),
    re.compile(rf"(?:{_NUM})\s*折"),
    re.compile(r"第\s*\d+\s*件\s*(?:半价|\d+(?:\.\d+)?\s*折|0元|免单)"),
    re.compile(rf"(?:{_NUM})\s*[x×*X]\s*(?:{_NUM})"),
    re.compile(r"\d{1,2}\s*[:.]\s*\d{2}\s*-\s*\d{1,2}\s*[:.]\s*\d{2}"),
]
_UNIT_AFTER = re.compile(
    r"\s*(?:件套|件|个|只|条|片|瓶|包(?!邮)|支|双|套|盒|袋|斤|公斤|kg|KG|g|ml|mL|ML|L|l|cm|CM|mm|m|米|寸|英寸|W|w|V|mAh|GB|G|T"
    r"|人|天|小时|分钟|分|秒|年|月|日|号|点|时|%|期|周|度|倍|款|色|码|层|抽|粒|克|升|毫升)"
)
# the rest of a range after a price: "-199", " ~ ¥199元", "至199"
_RANGE_TAIL = re.compile(rf"\s*[-~～–至]\s*{_MARK}?\s*({_NUM})(?![\d.])\s*(元)?")
_DATE_AROUND = re.compile(r"\d{1,4}\s*[./-]\s*\d{1,2}(?:\s*[./-]\s*\d{1,2})?")


@dataclass(frozen=True)
class Price:
    value: float
    role: str  # promo | current | regular | price
    from_price: bool
    text: str
    start: int = 0
    high: float | None = None  # the high end of a range (¥99-199)

    def agrees_with(self, low: float, high: float | None = None, tolerance: float = 0.01) -> bool:
        """Whether this price (or range) and the actual price (or range low..high) overlap."""
        return self.value <= (high or low) + tolerance and low <= (self.high or self.value) + tolerance

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _blocked_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for pat in _NOT_PRICE for m in pat.finditer(text)]


# OCR drops the gap between a price and a date range drawn on the same line: "到手价¥12912.1-12.31"
# is ¥129 and 12.1–12.31. Split where the tail of the number is a month.day that starts a valid range
# with what follows; of several such splits the shortest window wins (campaign windows are short).
_GLUED_RANGE = re.compile(rf"(?<={_MARK})(\d+\.\d{{1,2}})(?=\s*[-~～至]\s*(\d{{1,2}})[./](\d{{1,2}})(?!\d))")


def _unglue(m: re.Match[str]) -> str:
    number, end = m.group(1), (int(m.group(2)), int(m.group(3)))
    head_digits = number.split(".")[0]
    if not (1 <= end[0] <= 12 and 1 <= end[1] <= 31) or float(number) <= float(f"{end[0]}.{end[1]}"):
        return number  # "¥11.9-12.9" rises: a price range, not a price glued to dates
    best: tuple[int, str] | None = None
    for cut in range(1, len(head_digits)):
        head, tail = number[:cut], number[cut:]
        month, day = (int(x) for x in tail.split("."))
        if tail.startswith("0") or not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        days = (end[0] - month) * 31 + end[1] - day
        if days >= 0 and (best is None or days < best[0]):
            best = (days, f"{head} {tail}")
    return best[1] if best else number


def _number(digits: str) -> float:
    return float(digits.replace(",", ""))


# a dot before three digits after a currency mark is a thousands separator (OCR, and European or Latin
# American text): "¥1.299", "¥1.299.00", and the high end of its range, "¥1.299-1.599"; a shop's prices
# have at most two decimals, so "¥1.299" is no ¥1.30, while "¥1.29" and "¥12.9" keep their decimals.
# After OCR's guessed marks (Y, ?, 羊) only with a role word before: "?6.180" is as likely a date with a
# digit glued on, "到手价Y1.299" is a price.
_DOT_GROUPS = r"[1-9]\d{0,2}(?:\.\d{3})+(?=\.\d{1,2}(?![\d.])|(?![\d.]))"
_DOT_THOUSANDS = re.compile(rf"(?P<mark>{_MARK}){_DOT_GROUPS}")
# … and the high end of a range whose low end was read that way ("¥1,299-1.599", "¥1,299.00-1.599.00")
_DOT_THOUSANDS_HIGH = re.compile(
    rf"(?:(?<=,\d{{3}}[-~至])|(?<=,\d{{3}}\.\d[-~至])|(?<=,\d{{3}}\.\d\d[-~至])){_DOT_GROUPS}"
)
_ROLE_BEFORE = re.compile(rf"(?:{_ROLE_RE})\s*:?\s*$", re.I)


def _dot_thousands(text: str) -> str:
    def comma(m: re.Match[str]) -> str:
        if m.group("mark") not in "¥$" and not _ROLE_BEFORE.search(text, 0, m.start()):
            return m.group(0)
        return m.group(0).replace(".", ",")

    text = _DOT_THOUSANDS.sub(comma, text)
    return _DOT_THOUSANDS_HIGH.sub(lambda m: m.group(0).replace(".", ","), text)


_SPLIT_COUNT = r"件|个|只|条|片|瓶|包(?!邮)|支|双|套|盒|袋|cm|mm|ml|g|kg|天|期|折|%"
# OCR spaces out every digit ("¥1 2 9 9"): three or more one-digit groups right after a mark are one
# number when nothing but a word follows the run; a further number or a count after it ("¥1 2 3件")
# leaves it alone
_SPACED_DIGITS = re.compile(rf"(?<={_MARK})\d(?: \d){{2,}}(?![\d.,]| ?\d|\s*(?:{_SPLIT_COUNT}))")
# OCR splits a price's digits with a space once ("¥1 49", "Y1 49"): joined, unless the second group is a
# count, a size or a date ("¥49 6.18开抢"), or more groups follow ("¥59 1 2 3": which gap is the price's
# own cannot be told)
_SPLIT_ONCE = re.compile(
    rf"({_MARK}\d{{1,2}}) (\d{{1,2}})"
    rf"(?![\d.,]|\s*(?:{_SPLIT_COUNT})| \d{{1,3}}(?: \d{{1,3}})*(?![\d.,]| \d|\s*(?:{_SPLIT_COUNT})))"
)


def parse_prices(raw: str) -> list[Price]:
    text = normalize(raw)
    text = re.sub(rf"(?<={_MARK})\s+(?=\d)", "", text)
    text = _dot_thousands(text)
    text = _SPACED_DIGITS.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = re.sub(rf"({_MARK}\d{{1,3}}) (?=\d{{3}}(?!\d))", r"\1,", text)  # "¥1 299": a space as thousands separator
    text = _SPLIT_ONCE.sub(r"\1\2", text)
    text = _GLUED_RANGE.sub(_unglue, text)
    blocked = _blocked_spans(text)
    out: list[Price] = []
    taken = 0  # the end of the last range read: its high end is not a price of its own
    for m in PRICE.finditer(text):
        if m.start("num") < taken:
            continue
        cur, yuan, role = m.group("cur"), m.group("yuan"), m.group("role")
        ns, ne = m.span("num")
        tail = None if yuan or m.group("from") else _RANGE_TAIL.match(text, ne)
        if tail and not ((cur or tail.group(2)) and _number(tail.group(1)) > _number(m.group("num"))):
            tail = None  # a range has a mark on one end ("¥99-199", "99-199元") and rises
        after = text[tail.end(1) :] if tail else ""
        if tail and not tail.group(2) and (_UNIT_AFTER.match(after) or re.match(r"\s*[:：新款年]", after)):
            tail = None  # "¥9.9-10点开抢", "¥99-500ml", "¥129-2024新款": the high end is an hour, a size, a year
        if not (cur or yuan or role or tail):
            continue
        if any(s <= ns < e for s, e in blocked):
            continue
        if re.match(r"\s*[:：]\s*\d{2}", text[ne:]) or re.search(r"\d\s*[:：]\s*$", text[:ns]):
            continue  # a time of day ("秒杀 10:00 点场") is never a price
        if not (cur or yuan or tail) and (_UNIT_AFTER.match(text, ne) or re.match(r"\s*[./-]\s*\d", text[ne:])):
            continue  # a role word alone: the number must not be a date, count or size
        if not cur and yuan is None and _UNIT_AFTER.match(text, ne):
            continue
        if cur in ("Y", "y", "?") and not role and (_UNIT_AFTER.match(text, ne) or re.match(r"[./-]\d", text[ne:])):
            continue
        if not cur and not role and _DATE_AROUND.fullmatch(m.group("num")):
            continue
        value = _number(m.group("num"))
        if value <= 0:
            continue
        high, whole = None, m.group(0).strip()
        if tail:
            high, taken = _number(tail.group(1)), tail.end()
            whole = text[m.start() : tail.end()].strip()
        out.append(
            Price(
                value,
                ROLES.get((role or "").lower(), ROLES.get(role or "", "price")) if role else "price",
                bool(m.group("from")),
                whole,
                m.start(),
                high,
            )
        )
    return out
