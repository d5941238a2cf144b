"""Date windows in promotion text: ranges, deadlines, openings, "已结束"; years inferred per DESIGN "Time".

A date without a year takes the year that puts its window nearest the audit clock (so "12.25-1.5"
crosses New Year correctly); "24:00"/"24点" is the end of that day; a date with no time starts at
00:00:00 and ends at 23:59:59. Bare "M.D" is read as a date only inside a range or after a deadline
word, never alone (that is how 双11 or ¥11.11 stay what they are).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal

from auditor.parse.normalize import normalize
from auditor.parse.prices import ROLES

State = Literal["upcoming", "active", "ended"]

# a date: 2026年11月1日 / 11月1日 / 2026.12.01 / 11.1 / 11/01, then an optional time (00:00, 24点, 10时)
_DATE = (
    r"(?:(?P<{p}y>20\d\d)\s*[年./-]\s*)?(?P<{p}m>1[0-2]|0?[1-9])\s*(?P<{p}sep>[月./-])\s*"
    r"(?P<{p}d>3[01]|[12]\d|0?[1-9])(?!\d)\s*(?:日|号)?"
    r"(?:\s*(?P<{p}h>[01]?\d|2[0-4])\s*(?:[:]\s*(?P<{p}mi>[0-5]\d)|[点时])(?:\s*(?P<{p}half>半))?)?"
)
D1, D2 = _DATE.format(p="a"), _DATE.format(p="b")
_DAY2 = r"(?P<bday>3[01]|[12]\d|0?[1-9])\s*(?:日|号)(?:\s*(?P<bdh>[01]?\d|2[0-4])\s*[点时:])?"  # 11月1日-11日
# "9.20-23疯抢4天" (jd-zhangcui's KV), "男神节 4.21-26" (taobao-niantianlei's KV): a bare two-digit end
# day, before a word that is not a unit ("3.5-12岁", "1.2-15万", "5.5-10件", "4.21-26cm" are ages,
# amounts, counts and sizes) or, at the end of a phrase, beside a promotion or festival word
_DAY2_BARE = r"(?P<bday0>3[01]|[12]\d)(?![\d.%a-zA-Z])(?!\s*[元块折件个万千克斤米寸岁人天只瓶包箱台期款号日分秒时])"
_RANGE_SEP = r"\s*(?:-{1,2}|~|至|到|—{1,2}|–)\s*"  # "--", "——": taobao-zuojipeng's detail banner
RANGE = re.compile(rf"(?:即日起)?{D1}(?:起)?{_RANGE_SEP}(?:{D2}|{_DAY2}|{_DAY2_BARE})")
DEADLINE = re.compile(
    rf"(?:即日起\s*)?(?:截止|截至|截止到|截止至|结束于|至|到|until|ends?|hasta(?:\s+el)?|jusqu['’]\s*(?:au|à)"
    rf"|bis(?:\s+zum)?|até|fino al|tot)\s*(?:日期|时间)?\s*[:]?\s*{D2}"
)
# … and the deadline word after the date: "11月20日截止", "即日起至11月20日止" (止 not of 止咳, 止痛, 止损…);
# not a price before it ("¥9.9截止", OCR's "Y9.9截止" and "羊9.9截止")
DEADLINE_AFTER = re.compile(rf"(?<![\d.¥$/?羊])(?<!(?<![A-Za-z])Y){D2}\s*(?:截止|截至|止(?![咳痛血损步痒泻]))")
# what stands before a price rather than a date: a currency mark (OCR's Y ? 羊 too) or a price's role word
_PRICE_BEFORE = re.compile(
    r"(?:[¥$￥?羊]|(?<![A-Za-z])Y|低至?|仅需?|直降|降|只要|只需|价|"
    + "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True))
    + r")\s*:?\s*$",
    re.I,
)
OPENING = re.compile(rf"{D1}\s*(?:起|开启|开始|开抢|开售|上线|开幕|开卖|正式开始|准时开抢)")
# a date standing alone (12月24日, 2016.6.5) is a promotion's date only beside a promotion word; that
# keeps lock-screen clocks, copyright lines and upload paths out (traps in bench/realworld/)
SINGLE = re.compile(rf"(?<![\d.¥$/]){D1}(?![\d./-])")
PROMO_WORDS = re.compile(
    r"活动|特惠|促销|优惠|大促|秒杀|首发|首销|开抢|抢购|预售|预付|限时|专场|狂欢|满减|红包|领券|报名|上新|开售|发售|"
    r"福利|折扣|特价|包邮|sale|offer|deal|promo|discount|launch|"
    # … in the languages Western templates are localised into (famms-wearmvp's "20% de descuento",
    # cozastore-merilyen's "Satış günü", "soldes", "Rabatt", "sconto")
    r"soldes|r[ée]duction|remise|rebajas|descuento|desconto|oferta|offerta|angebot|rabatt|saldi|sconto|korting|"
    r"aanbieding|indirim|kampanya|satış|"
    # a sale's own words: "五折特卖" (taobao-liu68654), "满199减80" (jd-dyz), "立减200元" (xiaomi-eugeneyichen),
    # "夏季清仓"; a discount is a number or a numeral before 折 ("5折", "五折起"), not 打折扣 or 折叠
    r"特卖|立减|直降|清仓|满\d+减|(?:\d|[一二三四五六七八九半])折|"
    # "全场满6免3" beside "10月31日 0点-24点" (jd-jerome's KV slide 6), "跨店3免1" (jd-dyz); a marketplace's sale
    # day: JD's 超级品类日 ("9.3美酒品类日": jd-saved-xslx's KV), Tmall's 超级品牌日, 会员日
    r"\d+免\d+|(?:品类|品牌|会员)日|"
    # a sale's name ending in 惠: 钜惠, 聚惠, "10.16-22 华为金秋拾惠" (huawei-geekteam's KV slide); not a brand
    # a marketplace sells (惠普 HP, 惠而浦 Whirlpool, 惠氏 Wyeth) nor the city 惠州
    r"惠(?![普州氏]|而浦)",
    re.I,
)
# an event word right after a bare "M.D" with a two-digit day makes it a date: "6.16预付" (vip-littlexiu's
# nav), "6.18大促", "11.11开抢"; "9.9包邮", "低至9.9抢购" and "版本2.3首发" stay prices and versions
# … and a festival's name: "9.20买手节" (jd-zhangcui), "6.18年中购物节"; not "10.15节能灯"; "11.11秒杀",
# "11.11优惠不停" (jd-jerome's hot words and list banner)
EVENT_AFTER = re.compile(
    r"(?:预付|预售|开抢|开售|抢购|疯抢|秒杀|优惠|首发|首销|狂欢|大促|返场|盛典|开门红|[\u4e00-\u9fff]{1,4}节(?![能约省制奏点])"
    r"|[\u4e00-\u9fff]{0,4}(?:品类|品牌|会员)日)"
)
# a festival or a sale's day named right after a date: 儿童节, 女王节, 儿童狂欢节, 年中大促 (not 节能, 节约...)
# ("2.5折大促" is a discount: a number followed by its unit is not a date)
FESTIVAL_AFTER = re.compile(
    r"(?![折元块件倍个])[\u4e00-\u9fff]{0,4}?(?:节(?![能约省制奏点])|狂欢|盛典|大促|(?:品类|品牌|会员)日)"
)
PROMO_NEAR = 15  # characters between the date and its promotion word
# what makes a date on a product's own picture a sale's: a promotion word, a festival, a price, a coupon,
# a "时间：" label; a race poster's "SUZUKA 06-07-08 OCTOBER 2000" (karma-podiumsports) is the product
PROMO_CONTEXT = re.compile(
    rf"{PROMO_WORDS.pattern}|节(?![能约省制奏点日])|[¥￥$€£]\s*\d|\d\s*元|到手价|红包|券|满\d+减|\d(?:\.\d)?折|买\d+[赠送]\d+"
    r"|时间\s*[:：]|\boff\b|\bsave\b",
    re.I,
)
# a shopping festival held on a fixed day, named with its year ("2016双11", "2017年双十二",
# "11.11 全球狂欢节 2016": taobao-fdliu's KV and its "距离2017双11时间"): that year's day. Without a year
# the name alone dates nothing (campaigns.py: the operator's config gives campaigns their dates).
_FEST = r"(?:双\s*(?:11|十一|12|十二)|(?<![\d.¥$])(?:11\.11|12\.12|6\.18|618)(?![\d.]))"
_FEST_DAY = {"11": (11, 11), "十一": (11, 11), "11.11": (11, 11), "12": (12, 12), "十二": (12, 12), "12.12": (12, 12),
             "6.18": (6, 18), "618": (6, 18)}  # fmt: skip
# … and any other festival (…节) with its year right beside it: the day is not known, the year is
# ("米粉节 2018" on xiaomi-eugeneyichen's KV slides, "2018年中购物节"): over once that year is
# … and a sale named with its year ("2018 MID-YEAR PROMOTION 夏季年中热卖" on taobao-zuojipeng's KV,
# "2018年中大促")
_CAMPAIGN = (
    r"(?:[\u4e00-\u9fff]{1,4}节(?![能约省制奏点日])|[\u4e00-\u9fff]{0,4}(?:大促|促销|狂欢|特卖|盛典|嘉年华)"
    r"|(?:[a-z]+[- ]){0,2}(?:sale|promotion|festival)\b)"
)
YEAR_ANY_FESTIVAL = re.compile(
    rf"(?<![\d.\-/])(?P<y>20\d\d)\s*年?\s*(?P<f>{_CAMPAIGN})"
    rf"|(?P<f2>{_CAMPAIGN})\s*(?P<y2>20\d\d)(?![\d年.\-/])",
    re.I,
)
YEAR_FESTIVAL = re.compile(
    rf"(?<![\d.\-/])(?P<y>20\d\d)\s*年?\s*(?P<f>{_FEST})"  # 2016双11
    rf"|(?P<f2>{_FEST})[^\d¥$]{{0,8}}?(?<![\d.\-/])(?P<y2>20\d\d)(?![\d年.\-/])"  # 双11 … 2016 (not a date's year)
)
# a season's collection named with its year ("SPRING SUMMER / 2018 … 满399减40 立即加购:3.23-3.25" on
# tmall-jiasifan's KV slide, "2018春夏新品", "秋冬 2019"): no window of its own (a model year is no
# promotion), but it says which year the picture's year-less days are in
_SEASON = r"(?:春夏|秋冬|春|夏|秋|冬|spring|summer|autumn|fall|winter)"
YEAR_SEASON = re.compile(
    rf"(?<![\d.\-/])(?P<y>20\d\d)\s*年?\s*{_SEASON}"
    rf"|{_SEASON}(?:\s*[/&]?\s*{_SEASON})?\s*[/|·]?\s*(?P<y2>20\d\d)(?![\d年.\-/])",
    re.I,
)
# a year and a month with no day, beside a sale's words: the whole month ("2016/12 爆款抢购" on
# jd-holyandamy's KV slide, "活动时间 2016年12月"); not a price (¥2016.12), a full date or a time
YEAR_MONTH = re.compile(
    r"(?<![\d.¥$/\-])(?P<y>20\d\d)\s*(?:年\s*(?P<m>1[0-2]|0?[1-9])\s*月(?!\s*\d)|[./](?P<m2>1[0-2]|0?[1-9])(?![\d./:\-]))"
    r"(?!\s*(?:元|块|万|件|起))"
)
# a countdown that has reached zero: the sale it counts down to is over (the labels of extract.js's
# COUNTDOWN but the next session's, 距下一场: at zero that one begins, it has not ended)
COUNTDOWN_ZERO = re.compile(
    r"(?:距结束|距离结束|距活动结束|距离?本场结束|剩余|仅剩|倒计时|ends in|time left)\s*[:：]?\s*(?:0+\s*天\s*)?"
    r"0+\s*[:：时]\s*0+\s*[:：分]\s*0+\s*秒?",
    re.I,
)
# (a part may be negative: a script counting down to a moment long past, padding each part with "0" when
# it is under 10, shows "0-11:0-5:0-3" — suning-xiaohuihui's 限时抢购, counting to 2020-07-10)
_PART = r"((?:0?-)?\d{1,2})"
_COUNTDOWN_TIME = re.compile(rf"(?:(\d+)\s*天\s*)?{_PART}\s*[:时]\s*{_PART}\s*[:分]\s*{_PART}")
# the time told in its units, in words ("00 days 00 Hour 00 Mint 00 Sec", "2天 3小时 4分钟 5秒")
_COUNTDOWN_UNITS = re.compile(
    r"(?:(\d+)\s*(?:days?|天)\s*)?(\d{1,2})\s*(?:hours?|hrs?|小时|时)\s*(\d{1,2})\s*(?:min[a-z]*|分钟?)\s*(\d{1,2})\s*(?:sec[a-z]*|秒)",
    re.I,
)


def countdown_seconds(raw: str) -> int | None:
    """The time a countdown shows, in seconds ("距结束 1天 02:03:04" → 93784); below zero when a part of
    it is ("0-11:0-5:0-3": its moment has passed)."""
    text = normalize(raw)
    m = _COUNTDOWN_TIME.search(text) or _COUNTDOWN_UNITS.search(text)
    if m is None:
        return None
    parts = [g or "0" for g in m.groups()]
    d, h, mi, sec = (abs(int(g.replace("0-", "-"))) for g in parts)
    seconds = ((d * 24 + h) * 60 + mi) * 60 + sec
    return -seconds if any("-" in g for g in parts) else seconds


# a countdown whose parts read "NaN": a script counting to a date the browser cannot read ("0NaN:0NaN:0NaN":
# jd-1ssjh1's 京东秒杀, new Date(`2022-2-${x} 22:00:00`) once x is past 31)
_NAN_TIME = re.compile(r"NaN\s*(?:[:时天]|小时|hours?|days?)\s*0?NaN", re.I)


def countdown_over(first: str, second: str, elapsed_ms: int) -> str | None:
    """Why a countdown read twice shows its sale is over: "zero" (at 0 both times), "negative" (time below
    zero: counting to a moment past), "nan" (no time at all, "0NaN:0NaN:0NaN": counting to a date that
    cannot be read) or "counting-up" (it showed more time left on the second read); None when it is
    live, or cannot be told."""
    a, b = countdown_seconds(first), countdown_seconds(second)
    nan_a, nan_b = (bool(_NAN_TIME.search(normalize(r))) for r in (first, second))
    # (read while its script still stepped through the month's days: below zero, then NaN — jd-1ssjh1)
    if (nan_a or nan_b) and (nan_a or (a is not None and a < 0)) and (nan_b or (b is not None and b < 0)):
        return "nan"
    if a is not None and b is not None and a < 0 and b < 0:
        return "negative"
    if a is None or b is None or elapsed_ms < 1500:  # too close together to tell a stuck one from a slow one
        return None
    if a == 0 and b == 0:
        return "zero"
    # up by about the time between the reads: counting up past its end (a jump up is the next session)
    if 0 < b - a <= elapsed_ms / 1000 + 2:
        return "counting-up"
    return None


_MONTHS = {
    m: i
    for i, ms in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
    for m in [ms]
}
_EN_DATE = re.compile(
    r"\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
    r"|\b(?P<day2>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
    re.I,
)


_EN_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_EN_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# days listed or ranged before their month, "16-18 November", "06-07-08 OCTOBER 2000" (a race weekend
# on karma-podiumsports' poster); a year after the date belongs to it: "Nov 25, 2019", "23 May 2007"
_EN_DAYS_MONTH = re.compile(
    rf"\b(?P<d1>{_EN_DAY})(?:\s*[-–~/]\s*{_EN_DAY})*\s*[-–~/]\s*(?P<d2>{_EN_DAY})\s+(?:of\s+)?(?P<mon>{_EN_MON})"
    r"(?:,?\s+(?P<y>(?:19|20)\d\d)\b)?",
    re.I,
)
_EN_YEAR_AFTER = re.compile(r"(?P<md>\d{1,2}月\d{1,2}日),?\s+(?P<y>(?:19|20)\d\d)(?![\d年.\-/])")


# month names of the languages Western shop templates are localised into: a Spanish Famms copy's "20% de
# descuento … temporada de Mayo-Junio" (famms-wearmvp's KV slide), a Turkish Cozastore copy's "Satış günü
# 9 Aralık 2025" (cozastore-merilyen's blog); "25 de noviembre", "15 janvier 2026", "1. März" and "du 2 au
# 15 mai" read as the grammar's own "11月25日"
_NAMED_MONTHS = (
    "january february march april may june july august september october november december",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "januari februari maart april mei juni juli augustus september oktober november december",
    "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
)


def _fold(word: str) -> str:
    """Lower case without accents (Turkish ı as i): how a month's name is looked up."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_MONTH_OF = {_fold(n): i for names in _NAMED_MONTHS for i, n in enumerate(names.split(), 1)}
_MONTH_NAMES = {*(n for names in _NAMED_MONTHS for n in names.split()), *_MONTH_OF}  # as written, and folded
_MONTH_NAME = "(?:" + "|".join(sorted(_MONTH_NAMES, key=lambda n: (-len(n), n))) + ")"  # the longest first
_ANY_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:er|º|°|\.)?"
# (Turkish adds its case ending after an apostrophe: "9 Aralık'a kadar")
_NAMED_DAY_MONTH = re.compile(
    rf"(?<![\w.])(?:(?:du|del|vom|dal|de)\s+)?"
    rf"(?:(?P<d1>{_ANY_DAY})(?:\s*[-~/]\s*{_ANY_DAY})*\s*(?:-|~|/|au|al|bis|a|à|ao|tot|to)\s*)?"
    rf"(?P<d>{_ANY_DAY})\s+(?:de\s+)?(?P<mon>{_MONTH_NAME})(?:['’][a-zçğıöşü]+)?(?![\w])"
    r"(?:,?\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)(?![\d]))?",
    re.I,
)
# a sale told in whole months, "temporada de Mayo-Junio", "from May to June": the first day of one to
# the last of the other; only beside a sale's words (a magazine's "May-June issue" is no window)
_NAMED_MONTH_RANGE = re.compile(
    rf"(?<![\w])(?P<m1>{_MONTH_NAME})\s*(?:-|~|/|\ba\b|\bà\b|\bau\b|\bto\b|\bbis\b|\bal\b)\s*(?P<m2>{_MONTH_NAME})(?![\w])"
    r"(?:,?\s+(?:de\s+)?(?P<y>20\d\d)(?![\d]))?",
    re.I,
)
MONTH_RANGE_NEAR = 40  # characters either side where the sale's words must be


def named_months(text: str) -> str:
    """ "9 Aralık 2025" → "2025年12月9日", "du 2 au 15 mai" → "5月2日-15日", "20% de descuento … Mayo-Junio"
    → "5月1日-6月30日": dates written with a month's name in the languages shops are localised into."""

    def day_month(m: re.Match[str]) -> str:
        mon = _MONTH_OF[_fold(m.group("mon"))]
        year = f"{m.group('y')}年" if m.group("y") else ""
        day, first = (int(re.sub(r"\D", "", m.group(g))) if m.group(g) else None for g in ("d", "d1"))
        return f"{year}{mon}月{first}日-{day}日" if first else f"{year}{mon}月{day}日"

    def months(m: re.Match[str]) -> str:
        first, last = _MONTH_OF[_fold(m.group("m1"))], _MONTH_OF[_fold(m.group("m2"))]
        near = m.string[max(0, m.start() - MONTH_RANGE_NEAR) : m.end() + MONTH_RANGE_NEAR]
        if first == last or not PROMO_WORDS.search(near):
            return m.group(0)
        year = int(m.group("y")) if m.group("y") else 2001  # a year whose February has 28 days
        to_year = year + 1 if last < first else year
        end = calendar.monthrange(to_year, last)[1]
        y = f"{m.group('y')}年" if m.group("y") else ""
        return f"{y}{first}月1日-{last}月{end}日"

    text = _NAMED_DAY_MONTH.sub(day_month, text)
    return _NAMED_MONTH_RANGE.sub(months, text)


_CN_MONTH = {n: i for i, n in enumerate("一二三四五六七八九", 1)} | {"十": 10, "十一": 11, "十二": 12}
# a month in Chinese numerals before a day in digits: "六月 21日" (taobao-liu68654's KV slide, set that way)
_SPELLED_MONTH = re.compile(r"(?<![\u4e00-\u9fff])(十[一二]?|[一二三四五六七八九])月\s*(\d{1,2})\s*([日号])")


def spelled_months(text: str) -> str:
    """ "六月 21日" → "6月21日", so the grammar reads months written in Chinese numerals."""
    return _SPELLED_MONTH.sub(lambda m: f"{_CN_MONTH[m.group(1)]}月{m.group(2)}{m.group(3)}", text)


def english_dates(text: str) -> str:
    """ "ends Nov 25th" / "25 November" → "ends 11月25日", "16-18 November 2023" → "2023年11月16日-18日",
    so one grammar reads both languages."""

    def days(m: re.Match[str]) -> str:
        mon = _MONTHS[m.group("mon").lower()[:3]]
        d1, d2 = (int(re.sub(r"\D", "", m.group(g))) for g in ("d1", "d2"))
        return f"{m.group('y') + '年' if m.group('y') else ''}{mon}月{d1}日-{d2}日"

    def one(m: re.Match[str]) -> str:
        mon = (m.group("mon") or m.group("mon2")).lower()[:3]
        return f"{_MONTHS[mon]}月{int(m.group('day') or m.group('day2'))}日"

    text = _EN_DATE.sub(one, _EN_DAYS_MONTH.sub(days, text))
    return _EN_YEAR_AFTER.sub(lambda m: f"{m.group('y')}年{m.group('md')}", text)


# windows relative to the day the text was first seen: 今晚24点 / 今日截止 / 限时3天. On the day an
# operator first sees "今晚24点结束" it is active; still on show the next morning, it has ended.
_CN_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
RELATIVE = re.compile(
    r"(?P<day>今晚|今天|今日|明晚|明天|明日)\s*(?:(?:24|12)\s*[点时:](?:00)?|零点|0点|截止|结束|有效|止)"
    r"|(?:仅限|只限|限)\s*(?P<only>今天|今日|明天|明日)"
    r"|(?:限时|仅限|只限|活动仅|仅)\s*(?P<n>\d{1,2}|[一两二三四五六七八九十])\s*天"
    r"|(?:ends|offer ends|sale ends)\s+(?P<en>today|tonight|tomorrow)",
    re.I,
)


RELATIVE_CONTEXT = 20  # characters either side that make a promise this promise, not any 今晚24点


def _relative_key(text: str, m: re.Match[str]) -> str:
    return text[max(0, m.start() - RELATIVE_CONTEXT) : m.end() + RELATIVE_CONTEXT]


def relative_phrases(raw: str) -> list[str]:
    """The relative promises in a text, each with the words around it: the keys under which the day
    the store first showed it is kept (so another sale's "今晚24点" starts its own count)."""
    text = english_dates(named_months(spelled_months(normalize(raw))))
    return [_relative_key(text, m) for m in RELATIVE.finditer(text)]


def _relative_end(m: re.Match[str], seen: datetime) -> datetime:
    day = seen.replace(hour=0, minute=0, second=0, microsecond=0)
    word = (m.group("day") or m.group("only") or m.group("en") or "").lower()
    if word:
        days = 2 if word.startswith("明") or word == "tomorrow" else 1
    else:
        n = m.group("n")
        days = int(n) if n.isdigit() else _CN_NUM[n]
    return day + timedelta(days=days) - timedelta(seconds=1)


ENDED = re.compile(
    r"(?:本次?活动|活动|促销|优惠)?(?:已经?结束|已截止|已过期|已失效)|活动结束"
    r"|sale (?:has )?ended|promotion (?:has )?ended|offer expired",
    re.I,
)


@dataclass(frozen=True)
class Window:
    start: datetime | None
    end: datetime | None
    state: State
    text: str
    kind: Literal["range", "deadline", "opening", "ended", "date", "countdown", "relative"]

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", self.text.strip())

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "state": self.state,
            "text": self.text,
            "kind": self.kind,
        }


def _parts(m: re.Match[str], p: str) -> tuple[int | None, int, int, int | None, int]:
    y = m.group(f"{p}y")
    h = m.group(f"{p}h")
    mi = m.group(f"{p}mi")
    minute = int(mi) if mi else (30 if m.group(f"{p}half") else 0)
    return (
        int(y) if y else None,
        int(m.group(f"{p}m")),
        int(m.group(f"{p}d")),
        int(h) if h is not None else None,
        minute,
    )


def _at(year: int, month: int, day: int, hour: int | None, minute: int, zone: tzinfo, end: bool) -> datetime | None:
    try:
        base = datetime(year, month, day, tzinfo=zone)
    except ValueError:
        return None
    if hour is None:
        return base + timedelta(hours=23, minutes=59, seconds=59) if end else base
    if hour == 24:
        return base + timedelta(days=1) - timedelta(seconds=1)
    return (
        base + timedelta(hours=hour, minutes=minute) + (timedelta(seconds=59) if end and minute == 59 else timedelta())
    )


def _distance(start: datetime | None, end: datetime | None, now: datetime) -> float:
    lo, hi = start or end, end or start
    assert lo is not None and hi is not None
    if lo <= now <= hi:
        return 0.0
    return min(abs((lo - now).total_seconds()), abs((hi - now).total_seconds()))


def _state(start: datetime | None, end: datetime | None, now: datetime) -> State:
    if start is not None and start > now:
        return "upcoming"
    if end is not None and end < now:
        return "ended"
    return "active"


def _nearest(
    year: int | None, month: int, day: int, hour: int | None, minute: int, now: datetime, end: bool
) -> datetime | None:
    """A single date: the given year, or the one that puts it nearest the audit clock."""
    assert now.tzinfo is not None
    found = [
        d
        for y in ([year] if year else [now.year - 1, now.year, now.year + 1])
        if (d := _at(y, month, day, hour, minute, now.tzinfo, end=end)) is not None
    ]
    return min(found, key=lambda d: abs((d - now).total_seconds())) if found else None


def _anchor_year(text: str) -> int | None:
    """The one year the text's dates and festivals state, if exactly one."""
    years: set[int] = set()
    for rx, groups in ((RANGE, ("ay", "by")), (SINGLE, ("ay",)), (DEADLINE, ("by",)), (DEADLINE_AFTER, ("by",)),
                       (OPENING, ("ay",)), (YEAR_FESTIVAL, ("y", "y2")), (YEAR_ANY_FESTIVAL, ("y", "y2")),
                       (YEAR_SEASON, ("y", "y2"))):  # fmt: skip
        for m in rx.finditer(text):
            years |= {int(y) for g in groups if (y := m.group(g))}
    return years.pop() if len(years) == 1 else None


def parse_windows(raw: str, now: datetime, first_seen: Mapping[str, datetime] | None = None) -> list[Window]:
    """Every window in `raw`. `first_seen` maps a relative promise (its key from `relative_phrases`) to
    when this store first showed it; one never seen before counts from `now` (so it is active)."""
    text = english_dates(named_months(spelled_months(normalize(raw))))
    zone = now.tzinfo
    assert zone is not None
    out: list[Window] = []
    # a text that states one year ("米粉节 2018 … 4月6日早10点开售", one banner) dates its year-less
    # days in it; with no year, or several, a year-less day takes the year nearest the audit clock
    anchor = _anchor_year(text)
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= s or span[0] >= e for s, e in taken)

    for m in RANGE.finditer(text):
        if text[max(0, m.start() - 1) : m.start()] in ("¥", "$") or not free(m.span()):
            continue
        ay, am, ad, ah, amin = _parts(m, "a")
        if m.group("bday"):
            by, bm, bd = None, am, int(m.group("bday"))
            bh, bmin = (int(m.group("bdh")) if m.group("bdh") else None), 0
        elif m.group("bday0"):
            if int(m.group("bday0")) <= ad or m.group("asep") != ".":  # "9.20-23": only M.D with a later day
                continue
            after = text[m.end() : m.end() + 1].strip()
            near = text[max(0, m.start() - PROMO_NEAR) : m.end() + PROMO_NEAR]
            if not ("\u4e00" <= after <= "\u9fff" or PROMO_WORDS.search(near) or re.search(r"[\u4e00-\u9fff]节", near)):
                continue
            by, bm, bd, bh, bmin = None, am, int(m.group("bday0")), None, 0
        else:
            by, bm, bd, bh, bmin = _parts(m, "b")
        best: tuple[float, datetime, datetime] | None = None
        for year in [ay] if ay else [anchor] if anchor else [now.year - 1, now.year, now.year + 1]:
            start = _at(year, am, ad, ah, amin, zone, end=False)
            end_year = by or year
            end = _at(end_year, bm, bd, bh, bmin, zone, end=True)
            if start is None or end is None:
                continue
            if end < start and by is None:  # the window crosses New Year
                end = _at(end_year + 1, bm, bd, bh, bmin, zone, end=True)
                if end is None:
                    continue
            if end < start:
                continue
            d = _distance(start, end, now)
            if best is None or d < best[0]:
                best = (d, start, end)
        if best:
            taken.append(m.span())
            out.append(Window(best[1], best[2], _state(best[1], best[2], now), m.group(0), "range"))
    deadlines = sorted([*DEADLINE.finditer(text), *DEADLINE_AFTER.finditer(text)], key=lambda m: m.start())
    for m in deadlines:
        if not free(m.span()):
            continue
        by, bm, bd, bh, bmin = _parts(m, "b")
        if m.group("bsep") in (".", "/", "-") and not re.search(r"截止|截至|至|到|until|end", m.group(0), re.I):
            continue
        if re.search(r"(?:低|仅|最低|直降|降)\s*$", text[: m.start()]) or re.match(
            r"\s*(?:元|块|折|%|起)", text[m.end() :]
        ):
            continue  # "低至9.9元" is a price (as low as ¥9.9), not a deadline of 9月9日
        if m.re is DEADLINE_AFTER and _PRICE_BEFORE.search(text[: m.start()]):
            continue  # "低至9.9截止", "¥ 9.9截止", "券后9.9截止": the price, then the word
        end = _nearest(by or anchor, bm, bd, bh, bmin, now, end=True)
        if end is None:
            continue
        taken.append(m.span())
        out.append(Window(None, end, _state(None, end, now), m.group(0), "deadline"))
    for m in OPENING.finditer(text):
        if not free(m.span()):
            continue
        ay, am, ad, ah, amin = _parts(m, "a")
        if m.group("asep") != "月" and ay is None:
            continue  # "11.1起" is too weak to be a date by itself
        start = _nearest(ay or anchor, am, ad, ah, amin, now, end=False)
        if start is None:
            continue
        taken.append(m.span())
        out.append(Window(start, None, _state(start, None, now), m.group(0), "opening"))
    # a festival or sale named with its year: its fixed day ("2016双11"), else the whole year ("米粉节 2018")
    for rx in (YEAR_FESTIVAL, YEAR_ANY_FESTIVAL):
        for m in rx.finditer(text):
            if not free(m.span()):
                continue
            year = int(m.group("y") or m.group("y2"))
            if rx is YEAR_FESTIVAL:
                first = last = _FEST_DAY[re.sub(r"^双\s*", "", m.group("f") or m.group("f2"))]
            else:
                first, last = (1, 1), (12, 31)
            start, end = _at(year, *first, None, 0, zone, end=False), _at(year, *last, None, 0, zone, end=True)
            if start is None or end is None:
                continue
            taken.append(m.span())
            out.append(Window(start, end, _state(start, end, now), m.group(0), "date"))
    for m in YEAR_MONTH.finditer(text):
        near = text[max(0, m.start() - PROMO_NEAR) : m.end() + PROMO_NEAR]
        if not free(m.span()) or not PROMO_WORDS.search(near):
            continue  # a month named with its year is a sale's only beside a sale's words (not 据2012.1至2014.12统计)
        year, month = int(m.group("y")), int(m.group("m") or m.group("m2"))
        start = _at(year, month, 1, None, 0, zone, end=False)
        end = _at(year + month // 12, month % 12 + 1, 1, None, 0, zone, end=False)
        if start is None or end is None:
            continue
        end -= timedelta(seconds=1)
        taken.append(m.span())
        out.append(Window(start, end, _state(start, end, now), m.group(0), "date"))
    for m in SINGLE.finditer(text):
        if not free(m.span()):
            continue
        y, mo, d, h, mi = _parts(m, "a")
        event = (
            EVENT_AFTER.match(text, m.end())
            and not m.group(0)[-1].isspace()
            # "6.16预付", "11.11开抢"; "9.9抢购" and "新品9.9首发" are prices, but a festival after a one-digit
            # day makes it a date ("6.1儿童狂欢节": jd-dyz's #c_top picture)
            and (len(m.group("ad")) == 2 or FESTIVAL_AFTER.match(text, m.end()))
            and not re.search(r"(?:低至?|仅需?|直降|降|只要|只需|价)\s*$", text[: m.start()])
        )
        if m.group("asep") != "月" and y is None and not event:
            continue  # a bare "6.16" is a price, a version or 双11 as often as a date — unless an event follows
        near = text[max(0, m.start() - PROMO_NEAR) : m.end() + PROMO_NEAR]
        if not event and not PROMO_WORDS.search(near):
            continue
        start = _nearest(y or anchor, mo, d, None, 0, now, end=False)
        end = _nearest(y or anchor, mo, d, h if h is not None else None, mi, now, end=True)
        if start is None or end is None:
            continue
        if h is not None:  # "12月12日 20点开抢": a moment, the day's promotion lasts to its end
            end = _at(end.year, mo, d, None, 0, zone, end=True) or end
        taken.append(m.span())
        out.append(Window(start, end, _state(start, end, now), m.group(0), "date"))
    # a relative promise counts from its first sight only when the text gives no dates of its own:
    # "618 品质狂欢节 (6月7日-9日) 只限三天" is the three days of June 7–9, not three days from today
    for m in RELATIVE.finditer(text) if not out else ():
        if not free(m.span()):
            continue
        seen = (first_seen or {}).get(_relative_key(text, m), now)
        end = _relative_end(m, seen.astimezone(zone))
        taken.append(m.span())
        out.append(Window(None, end, _state(None, end, now), m.group(0), "relative"))
    for m in COUNTDOWN_ZERO.finditer(text):
        out.append(Window(None, None, "ended", m.group(0), "countdown"))
    for m in ENDED.finditer(text):
        out.append(Window(None, None, "ended", m.group(0), "ended"))
    return out
