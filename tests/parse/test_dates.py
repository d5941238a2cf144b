"""The date-window grammar: the formats shops use, year inference per DESIGN "Time", properties."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.parse.dates import parse_windows, relative_phrases

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)


def at(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "start", "end", "state"),
    [
        ("11.1-11.11", "2026-11-01T00:00", "2026-11-11T23:59:59", "ended"),
        ("9月28日-10月8日", "2026-09-28T00:00", "2026-10-08T23:59:59", "ended"),
        ("2026.12.01-2026.12.12", "2026-12-01T00:00", "2026-12-12T23:59:59", "upcoming"),
        ("11/01 00:00 - 11/11 23:59", "2026-11-01T00:00", "2026-11-11T23:59:59", "ended"),
        ("截止12月1日 24:00", None, "2026-12-01T23:59:59", "active"),
        ("即日起至11月30日", None, "2026-11-30T23:59:59", "active"),
        ("2026年11月1日0点至11月11日24点", "2026-11-01T00:00", "2026-11-11T23:59:59", "ended"),
        ("12月2日开启", "2026-12-02T00:00", None, "upcoming"),
        ("11月1日-11日", "2026-11-01T00:00", "2026-11-11T23:59:59", "ended"),
        ("活动时间：11月18日10:00-11月30日", "2026-11-18T10:00", "2026-11-30T23:59:59", "active"),
        # a single date beside a promotion word (year-less: the year nearest the audit clock)
        ("圣诞特惠 12月24日", "2026-12-24T00:00", "2026-12-24T23:59:59", "upcoming"),
        ("11月11日 狂欢", "2026-11-11T00:00", "2026-11-11T23:59:59", "ended"),
        ("橙色跑 2016.6.5 小米爆米花 北京站 立即报名", "2016-06-05T00:00", "2016-06-05T23:59:59", "ended"),
        ("元旦特惠 1月2日", "2027-01-02T00:00", "2027-01-02T23:59:59", "upcoming"),
        # English month names and ordinals
        ("Sale ends Nov 25", None, "2026-11-25T23:59:59", "active"),
        ("Offer ends November 18th", None, "2026-11-18T23:59:59", "ended"),
        ("Sale: 1st December - 5 Dec", "2026-12-01T00:00", "2026-12-05T23:59:59", "upcoming"),
        ("截至11月19日", None, "2026-11-19T23:59:59", "ended"),
        # ... and the deadline word after the date
        ("11月20日截止", None, "2026-11-20T23:59:59", "active"),
        ("11月19日截至", None, "2026-11-19T23:59:59", "ended"),
        ("活动11月30日24点止", None, "2026-11-30T23:59:59", "active"),
        ("以上优惠11.30截止", None, "2026-11-30T23:59:59", "active"),
        ("即日起至11月30日止", None, "2026-11-30T23:59:59", "active"),
        # days listed before their month, a year after it (karma-podiumsports' race poster)
        ("SUZUKA 06-07-08 OCTOBER 2000", "2000-10-06T00:00", "2000-10-08T23:59:59", "ended"),
        ("Sale ends Nov 25, 2019", None, "2019-11-25T23:59:59", "ended"),
        ("Sale 16-18 November", "2026-11-16T00:00", "2026-11-18T23:59:59", "ended"),
        # a bare M.D with an event word right after it (vip-littlexiu's nav: "6.16预付")
        ("6.16预付", "2026-06-16T00:00", "2026-06-16T23:59:59", "ended"),
        ("12.12开门红", "2026-12-12T00:00", "2026-12-12T23:59:59", "upcoming"),
        ("11.11秒杀", "2026-11-11T00:00", "2026-11-11T23:59:59", "ended"),  # jd-jerome's hot words
        # a bare end day before a word (jd-zhangcui's KV slide: "9.20-23疯抢4天")
        ("9.20-23疯抢4天", "2026-09-20T00:00", "2026-09-23T23:59:59", "ended"),
        ("9.20买手节", "2026-09-20T00:00", "2026-09-20T23:59:59", "ended"),  # a festival's name after it
        # … at a phrase's end beside a festival word; year-less, the year nearest the clock (next April)
        ("男神节 4.21-26 MAN'S FESTIVAL", "2027-04-21T00:00", "2027-04-26T23:59:59", "upcoming"),
        ("6.18年中购物节", "2026-06-18T00:00", "2026-06-18T23:59:59", "ended"),
        # a marketplace's sale day and a "buy N, N free" offer make a date a sale's (jd-jerome, jd-saved-xslx)
        ("超级品类日 全场满6免3 10月31日 0点-24点", "2026-10-31T00:00", "2026-10-31T23:59:59", "ended"),
        ("9.3美酒品类日", "2026-09-03T00:00", "2026-09-03T23:59:59", "ended"),
        # a range to a bare end day beside a sale's name (huawei-geekteam's KV), a launch sale's day
        ("10.16-22 华为金秋拾惠", "2026-10-16T00:00", "2026-10-22T23:59:59", "ended"),
        ("10月20日18:08震撼首销 预约赢大奖", "2026-10-20T00:00", "2026-10-20T23:59:59", "ended"),
        # a fixed-day shopping festival named with its year (taobao-fdliu: a KV slide, a fixed box)
        ("11.11 全球狂欢节 2016 双11来了 不止5折", "2016-11-11T00:00", "2016-11-11T23:59:59", "ended"),
        ("距离2017双11时间", "2017-11-11T00:00", "2017-11-11T23:59:59", "ended"),
        ("2016年双十二 年终盛典", "2016-12-12T00:00", "2016-12-12T23:59:59", "ended"),
        ("2027 618 预售", "2027-06-18T00:00", "2027-06-18T23:59:59", "upcoming"),
        # a sale named with its year: that year (taobao-zuojipeng's KV)
        ("2018 MID-YEAR PROMOTION 夏季年中热卖", "2018-01-01T00:00", "2018-12-31T23:59:59", "ended"),
        ("Black Friday Sale 2019", "2019-01-01T00:00", "2019-12-31T23:59:59", "ended"),
        # a range written with a doubled dash (taobao-zuojipeng's detail banner)
        ("活动日期:2018-06-20 16:48 -- 2018-08-09 16:48", "2018-06-20T16:48", "2018-08-09T16:48:00", "ended"),
    ],
)
def test_windows(text: str, start: str | None, end: str | None, state: str) -> None:
    (w,) = parse_windows(text, NOW)
    assert (w.start, w.end, w.state) == (at(start) if start else None, at(end) if end else None, state)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("截止11月20日", "11月20日截止"),
        ("截至2026年12月1日 24:00", "2026年12月1日 24:00截至"),
        ("截止11.30", "11.30截止"),
    ],
)
def test_a_deadline_word_after_the_date_is_the_same_deadline(before: str, after: str) -> None:
    (a,), (b,) = parse_windows(before, NOW), parse_windows(after, NOW)
    assert (a.start, a.end, a.state, a.kind) == (b.start, b.end, b.state, b.kind) == (None, a.end, a.state, "deadline")


def test_ended_wording_has_no_dates() -> None:
    (w,) = parse_windows("本活动已结束", NOW)
    assert (w.start, w.end, w.state, w.kind) == (None, None, "ended", "ended")


def test_a_countdown_at_zero_has_ended() -> None:
    (w,) = parse_windows("京东秒杀 距结束 00 : 00 : 00", NOW)
    assert (w.state, w.kind) == ("ended", "countdown")
    assert parse_windows("距结束 02:13:45", NOW) == []
    # the labels the browser's countdown watch knows, and a full-width colon as Chinese pages type it
    (w,) = parse_windows("距离本场结束 00：00：00", NOW)
    assert (w.state, w.kind) == ("ended", "countdown")
    # the next session's countdown at zero is a session beginning, not a sale that ended
    assert parse_windows("距下一场 00:00:00", NOW) == []


@pytest.mark.parametrize(
    "text",
    [
        *["双11狂欢节", "¥11.11", "1.5L", "满300减50", "24cm", "16件套", "全场5折起"],
        # dates that are not a promotion's: a lock-screen clock in a KV picture, a copyright line, a path
        *["4月6日 周二 10:24", "© 2016-2020 小米", "/uploads/2024/01/banner.jpg", "2017秋季新款"],
        *["凉鞋清仓季 活动价 低至9.9元", "低至6.18折"],  # "as low as": a price, not a deadline
        *["9.9包邮", "低至9.9抢购", "到手价19.9抢购", "版本 2.3 首发", "版本2.3首发", "秒杀价：9.9抢购"],
        *["限时9.9抢购", "新品9.9首发"],  # prices and versions before event words
        *["10.15节能灯", "9.9节省"],  # 节 in another word
        *["9.3元 品类日", "每周三会员日", "3免1"],  # a price before a sale day; a sale day or an offer with no date
        # brands a marketplace sells (HP, Whirlpool, Wyeth), not a sale's 惠
        *["惠普 10月1日 上市的笔记本", "惠而浦洗衣机 10月1日上市", "惠氏奶粉 10月1日 到货"],
        *["适合3.5-12岁", "1.2-15万", "5.5-10件", "9.20-23元", "9.20-8折", "9/20-23疯抢", "尺码 4.21-26cm"],
        *["版本 3.10-12 更新说明"],  # a bare end day with no promotion near: not a window
        # a price before a deadline word, 止 in another word, a bare M.D with 止 alone
        *["低至9.9截止", "秒杀价 9.9截止", "¥6.18截止", "Y6.18截止", "11月20日止咳糖浆", "11.20止"],
        *["¥ 9.9截止", "券后9.9截止", "到手9.9截止", "秒杀 9.9截止"],  # a price, then the word
    ],
)
def test_not_windows(text: str) -> None:
    assert parse_windows(text, NOW) == []


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        ("2026-12-20T09:00", "2026-12-25T00:00", "2027-01-05T23:59:59"),
        ("2027-01-03T09:00", "2026-12-25T00:00", "2027-01-05T23:59:59"),
        ("2027-02-01T09:00", "2026-12-25T00:00", "2027-01-05T23:59:59"),
    ],
)
def test_a_window_across_new_year(now: str, start: str, end: str) -> None:
    (w,) = parse_windows("年货节 12.25-1.5", at(now))
    assert (w.start, w.end) == (at(start), at(end))


@given(
    offset=st.integers(-150, 150),
    length=st.integers(0, 30),
    fmt=st.sampled_from(
        [
            "{m1}.{d1}-{m2}.{d2}",
            "{m1}月{d1}日-{m2}月{d2}日",
            "{m1}/{d1:02d} 00:00 - {m2}/{d2:02d} 23:59",
            "{y1}年{m1}月{d1}日0点至{m2}月{d2}日24点",
            "{y1}.{m1:02d}.{d1:02d}-{y2}.{m2:02d}.{d2:02d}",
        ]
    ),
    now_day=st.integers(0, 364),
)
def test_generated_windows_read_back(offset: int, length: int, fmt: str, now_day: int) -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=TZ) + timedelta(days=now_day)
    start = (now + timedelta(days=offset)).replace(hour=0, minute=0)
    end = start + timedelta(days=length)
    text = fmt.format(m1=start.month, d1=start.day, m2=end.month, d2=end.day, y1=start.year, y2=end.year)
    (w,) = parse_windows(f"活动时间 {text} 敬请关注", now)
    assert w.start == start, text
    assert w.end == end.replace(hour=23, minute=59, second=59), text
    assert w.state == ("upcoming" if start > now else "ended" if w.end < now else "active")


@pytest.mark.parametrize(
    ("text", "phrase", "end"),
    [
        ("今晚24点结束 全场5折", "今晚24点", "2026-11-18T23:59:59"),
        ("仅限今日 秒杀价", "仅限今日", "2026-11-18T23:59:59"),
        ("明晚12点截止", "明晚12点", "2026-11-19T23:59:59"),
        ("限时3天 特惠", "限时3天", "2026-11-20T23:59:59"),
        ("限时三天", "限时三天", "2026-11-20T23:59:59"),
        ("Sale ends tonight", "Sale ends tonight", "2026-11-18T23:59:59"),
    ],
)
def test_relative_windows_count_from_the_day_the_store_first_showed_them(text: str, phrase: str, end: str) -> None:
    """First shown on the 18th: by the audit on the 20th, 今晚 and 明晚 are over, 限时3天 ends tonight."""
    first = datetime(2026, 11, 18, 8, 0, tzinfo=TZ)
    (key,) = relative_phrases(text)
    assert phrase in key
    (w,) = parse_windows(text, NOW, {key: first})
    assert (w.end, w.kind) == (at(end), "relative")
    assert w.state == ("active" if at(end) >= NOW else "ended")
    # never seen before: counts from the audit itself, so a new promise is never expired on sight
    (fresh,) = parse_windows(text, NOW)
    assert fresh.state == "active"


def test_a_relative_duration_beside_dates_is_the_dates_window() -> None:
    """From a JD clone's KV (bench/realworld jd-foxdaxian, js/jd.js:46): the dates win."""
    text = "618 品质狂欢节 (6月7日-9日) 只限三天"
    (w,) = parse_windows(text, NOW, dict.fromkeys(relative_phrases(text), NOW))
    assert (w.kind, w.state) == ("range", "ended")


def test_a_one_digit_day_before_a_festival_is_a_date() -> None:
    # jd-dyz's #c_top picture: "6.1儿童狂欢节 跨店3免1" (June 1 nearest to the audit: passed)
    (w,) = parse_windows("6.1儿童狂欢节 跨店3免1", NOW)
    assert (w.text, w.state) == ("6.1", "ended") and (w.end.month, w.end.day) == (6, 1)
    # prices and discounts stay what they are
    for text in ("9.9抢购", "秒杀价9.9元", "2.5折大促", "5.2节能灯", "新品9.9首发"):
        assert parse_windows(text, NOW) == [], text


def test_a_month_in_chinese_numerals_and_a_sale_s_own_words() -> None:
    # taobao-liu68654's KV slide: "六月 21日 天猫母婴亲子日 五折特卖" (June 21 nearest to the audit: passed)
    (w,) = parse_windows("六月 21日 天猫母婴亲子日 五折特卖", NOW)
    assert (w.end.month, w.end.day, w.state) == (6, 21, "ended"), w
    for text in ("6月21日 满199减80", "6月21日 立减200元", "6月21日 全场5折起"):
        assert [x.state for x in parse_windows(text, NOW)] == ["ended"], text
    # a date with nothing of a sale near it is no promotion; 星期一 is no month
    assert parse_windows("6月21日 新品发布会 折叠屏", NOW) == []
    assert parse_windows("星期一月 21日", NOW) == []


def test_a_month_named_with_its_year_beside_a_sale_is_that_whole_month() -> None:
    # jd-holyandamy's KV slide (OCR): "12月值得买手机推荐 ... 2016/12 爆款抢购 低至2788元"
    (w,) = parse_windows("12月值得买手机推荐 华为P9 2016/12 爆款抢购 低至2788元", NOW)
    assert (w.text, w.state, w.start.day, w.end.month, w.end.day) == ("2016/12", "ended", 1, 12, 31)
    (w,) = parse_windows("活动时间 2016年12月", NOW)
    assert (w.start.year, w.start.month, w.state) == (2016, 12, "ended")
    # not a statistics period (tmall-confident's chair ad), a price, or a full date's month
    assert parse_windows("据数据魔方2012.1至2014.12椅类统计", NOW) == []
    assert parse_windows("¥2016.12 特惠", NOW) == [] and parse_windows("2016.12元 特价", NOW) == []
    assert [w.text for w in parse_windows("2016/12/05 特惠", NOW)] == ["2016/12/05"]


def test_countdown_reads() -> None:
    from auditor.parse.dates import countdown_over

    assert countdown_over("距结束 00:00:00", "距结束 00:00:00", 3000) == "zero"
    # counting to a date the browser cannot read: NaN, or below zero and then NaN (jd-1ssjh1's 京东秒杀)
    assert countdown_over("距结束 0NaN:0NaN:0NaN", "距结束 0NaN:0NaN:0NaN", 3000) == "nan"
    assert countdown_over("距结束 0-42 : 0-27 : 0-36", "距结束 0NaN : 0NaN : 0NaN", 8898) == "nan"
    assert countdown_over("距结束 00:10:00", "距结束 0NaN:0NaN:0NaN", 3000) is None  # not over before
    assert countdown_over("距结束 00:00:00", "距结束 00:00:00", 300) is None  # too close together to tell
    assert countdown_over("距结束 00:00:05", "距结束 00:00:08", 3000) == "counting-up"
    assert countdown_over("距结束 00:00:01", "距结束 01:59:58", 3000) is None  # the next 秒杀 session began
    assert countdown_over("距结束 1天 02:00:05", "距结束 1天 02:00:02", 3000) is None  # live
    # the time told in its units, with no label (a jQuery countdown on a Shopify deal card)
    assert countdown_over("00 days 00 Hour 00 Mint 00 Sec", "00 days 00 Hour 00 Mint 00 Sec", 3000) == "zero"
    assert countdown_over("2天 3小时 4分钟 5秒", "2天 3小时 4分钟 2秒", 3000) is None


def test_the_same_words_in_another_promise_count_on_their_own() -> None:
    a, b = relative_phrases("今晚24点结束 全场5折"), relative_phrases("今晚24点结束 茶具满199减50")
    assert a != b


@pytest.mark.parametrize(
    "text",
    [
        "双11来了 不止5折",  # a festival without a year: config dates campaigns, the text does not
        "¥618 2016款",  # a price and a model year
        "双11 ©2003-2016",  # a copyright range
        "客服 400-618-2018",  # a phone number
        "2016潮流尖货 马上抢",  # a season's label (taobao-fdliu), a model year, a collection's year
        "2018年度新款",
        "Women Collection 2018",
    ],
)
def test_a_festival_without_its_own_year_is_no_window(text: str) -> None:
    assert parse_windows(text, NOW) == []


def test_a_festival_with_its_year_dates_the_whole_year_and_the_texts_other_days() -> None:
    # xiaomi-eugeneyichen's KV slide: a 2018 fan festival badge, its sale day without a year
    badge, day = parse_windows("米粉节 2018 小米MIX 2S ¥3999 立即预约 4月6日早10点开售", NOW)
    assert (badge.start, badge.end, badge.state) == (at("2018-01-01T00:00"), at("2018-12-31T23:59:59"), "ended")
    assert (day.start, day.state) == (at("2018-04-06T00:00"), "ended")  # not the nearest April (2027)
    # two years stated: a year-less day takes the year nearest the clock, as before
    assert parse_windows("2015.2.3-2015.2.8 2016.3.1抢 圣诞特惠 12月24日", NOW)[-1].start == at("2026-12-24T00:00")


def test_a_seasons_collection_year_dates_the_pictures_days_and_nothing_else() -> None:
    # tmall-jiasifan's KV slide: a spring 2018 collection, its sale days without a year
    (w,) = parse_windows("春夏新风尚 SPRING SUMMER / 2018 箱包焕新 满399减40 立即加购:3.23-3.25", NOW)
    assert (w.start, w.end, w.state) == (at("2018-03-23T00:00"), at("2018-03-25T23:59:59"), "ended")
    assert parse_windows("2018春夏新品 3.23-3.25 上新", NOW)[0].start == at("2018-03-23T00:00")
    # the season's year alone is a model year, no promotion
    assert parse_windows("2017秋季新款 连衣裙 ¥199", NOW) == []
    assert parse_windows("SPRING SUMMER 2018 新品上市", NOW) == []


@pytest.mark.parametrize(
    ("text", "start", "end", "state"),
    [
        # famms-wearmvp's KV slide (a Spanish Famms copy): a sale told in whole months, no year
        ("20% de descuento durante la temporada de Mayo-Junio", "2026-05-01T00:00", "2026-06-30T23:59:59", "ended"),
        # cozastore-merilyen's blog (Turkish): a sale day with its year
        ("Satış günü 9 Aralık 2025 olarak belirlendi", "2025-12-09T00:00", "2025-12-09T23:59:59", "ended"),
        ("Soldes d'hiver du 7 au 31 janvier", "2027-01-07T00:00", "2027-01-31T23:59:59", "upcoming"),
        ("Angebot gültig bis 25. November 2026", None, "2026-11-25T23:59:59", "active"),
        ("Oferta válida hasta el 30 de noviembre de 2026", None, "2026-11-30T23:59:59", "active"),
        ("Summer sale: from June to August", "2026-06-01T00:00", "2026-08-31T23:59:59", "ended"),
    ],
)
def test_dates_with_a_months_name_in_the_languages_shops_are_localised_into(
    text: str, start: str | None, end: str, state: str
) -> None:
    (w,) = parse_windows(text, NOW)
    assert (w.start, w.end, w.state) == (at(start) if start else None, at(end), state)


def test_months_alone_are_a_window_only_beside_a_sales_words() -> None:
    assert parse_windows("Collection Mai-Juin", NOW) == []
    assert parse_windows("Revue May-June issue", NOW) == []
