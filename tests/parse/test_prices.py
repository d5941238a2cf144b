"""The price grammar: examples from real shop text and OCR, and properties on generated strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.parse.prices import ROLES, parse_prices


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("到手价¥149", [(149, "promo", False)]),
        ("仅需 ¥89 起", [(89, "promo", True)]),
        ("现价：￥1,299.00", [(1299, "current", False)]),
        ("原价199元 现价149元", [(199, "regular", False), (149, "current", False)]),
        ("券后价99", [(99, "promo", False)]),
        ("到手价Y149", [(149, "promo", False)]),  # OCR reads ¥ as Y
        ("?149", [(149, "price", False)]),  # ... or as ?
        ("¥ 1 299", [(1299, "price", False)]),  # a stray space inside the number
        ("¥８８.８", [(88.8, "price", False)]),  # full-width digits
        ("满199元减20元 到手价¥179", [(179, "promo", False)]),
        ("Now $19.99 was $25", [(19.99, "promo", False), (25, "regular", False)]),
        ("到手价羊149", [(149, "promo", False)]),  # OCR reads ¥ as 羊
        ("¥1 49", [(149, "price", False)]),  # OCR splits the digits with a space
        ("到手价Y1 49", [(149, "promo", False)]),  # ... also after a ¥ read as Y
        ("?1 299", [(1299, "price", False)]),
        ("秒杀价¥49 6.18开抢", [(49, "promo", False)]),  # ... but a date after the gap is not part of it
        ("¥11.9-12.9", [(11.9, "price", False)]),  # a rising range is a price range, not a glued date
        ("到手价Y12912.1-12.31", [(129, "promo", False)]),  # glued, after a ¥ read as Y
        ("¥12 5kg", [(12, "price", False)]),  # a size after the gap is not part of the price
        ("160x230cm 地毯 ¥399", [(399, "price", False)]),  # a size next to the price
        # OCR drops the gap between a price and a date range on one line (synthetic banners at 480 px)
        ("到手价¥12912.1-12.31", [(129, "promo", False)]),
        ("到手价¥1912.1-12.31", [(19, "promo", False)]),  # 12.1–12.31, not 2.1–12.31: the shorter window
        ("¥19.9-29.9", [(19.9, "price", False)]),  # a price range is not cut into a date
        ("¥1299.00-1599.00", [(1299, "price", False)]),
        # OCR (or a European template) puts a dot between thousands: a shop's prices have two decimals at
        # most, so three digits after a dot are a thousands group
        ("¥1.299", [(1299, "price", False)]),
        ("到手价¥1.299.00", [(1299, "promo", False)]),
        ("到手价Y1.299", [(1299, "promo", False)]),  # after a ¥ read as Y, with a role word
        ("¥1.29", [(1.29, "price", False)]),  # ... two digits or one stay decimals
        ("¥12.9", [(12.9, "price", False)]),
        ("$0.999", []),  # ... and a leading zero is no thousands group (nor a shop's price)
        # OCR spaces out every digit: one number when only one-digit groups follow the mark
        ("¥1 2 9 9", [(1299, "price", False)]),
        ("到手价Y1 2 9 9元", [(1299, "promo", False)]),
        ("¥99 2件", [(99, "price", False)]),  # ... a count after the price is not part of it
        ("¥199 3 件", [(199, "price", False)]),
        ("¥1 49 2件", [(149, "price", False)]),
        ("¥59 1 2 3", [(59, "price", False)]),  # which gap is the price's own cannot be told: no join
        # model numbers, memory sizes and hotlines beside a price are not prices
        ("华为P60 4488元", [(4488, "price", False)]),
        ("iPhone 15 Pro 256GB ¥8999", [(8999, "price", False)]),
        ("Mate60 Pro 12+512GB ¥6999", [(6999, "price", False)]),
        ("客服热线 400-820-8820 到手价¥99", [(99, "promo", False)]),
        ("到手价99包邮", [(99, "promo", False)]),  # 包邮 (free shipping) is no count of packs
        ("Y149 包邮", [(149, "price", False)]),
    ],
)
def test_prices_are_read_with_their_role(text: str, want: list[tuple[float, str, bool]]) -> None:
    assert [(p.value, p.role, p.from_price) for p in parse_prices(text)] == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("¥99-199", [(99, 199)]),
        ("到手价¥99~199元", [(99, 199)]),
        ("99-199元", [(99, 199)]),  # the mark on the high end
        ("¥99 - ¥199", [(99, 199)]),
        ("¥1,299-1,599", [(1299, 1599)]),
        ("¥11.9-12.9", [(11.9, 12.9)]),
        ("¥199-99", [(199, None)]),  # falling: not a range
        ("到手价¥12912.1-12.31", [(129, None)]),  # a price glued to a date window
        ("¥99-11.11结束", [(99, None)]),
        ("仅需¥89起 原价¥99-129", [(89, None), (99, 129)]),
        ("¥9.9-10点开抢", [(9.9, None)]),  # the high end is an hour, a day, a size or a year
        ("¥19.9-25日截止", [(19.9, None)]),
        ("¥99-500ml", [(99, None)]),
        ("¥129-2024新款", [(129, None)]),
        ("¥1.299-1.599", [(1299, 1599)]),  # dots between thousands at both ends
        ("¥1.299.00-1.599.00", [(1299, 1599)]),
    ],
)
def test_a_range_stays_a_range(text: str, want: list[tuple[float, float | None]]) -> None:
    assert [(p.value, p.high) for p in parse_prices(text)] == want


def test_a_range_agrees_with_any_price_inside_it() -> None:
    (shown,) = parse_prices("¥99-199")
    assert shown.agrees_with(149) and shown.agrees_with(99) and shown.agrees_with(199)
    assert not shown.agrees_with(89) and not shown.agrees_with(249)
    (single,) = parse_prices("到手价¥149")
    assert single.agrees_with(99, 199) and not single.agrees_with(159, 199)


@pytest.mark.parametrize(
    "text",
    [
        "满300减50",
        "每满200减30",
        "8折",
        "8.8折",
        "第2件半价",
        "16件套",
        "160x230",
        "1.5L",
        "24cm",
        "11.1-11.11",
        "12月2日开启",
        "每天17点截单",
        "直降50元",
        "领券立减30元",
        "2026年11月1日",
        "双11",
        "618年中大促",
        "10:00-22:00",
        "24小时发货",
        "3期免息",
        "5000mAh",
        "京东秒杀 10:00 点场",  # a time of day
        "秒杀 20:00开抢",
        "1.299",  # three digits after a dot with no currency mark: a date or a version, not ¥1,299
        "?6.180",  # ... nor after OCR's guessed mark alone
        "400-820-8820",  # a hotline
        "客服热线 400-820-8820",
        "华为P60",  # a model number
        "任选2包邮",
    ],
)
def test_things_that_are_not_prices(text: str) -> None:
    assert parse_prices(text) == []


values = st.decimals(min_value="0.5", max_value="99999", places=2).map(float)


@given(
    value=values, role=st.sampled_from(sorted(ROLES)), mark=st.sampled_from(["¥", "￥", "¥ ", ""]), yuan=st.booleans()
)
def test_a_role_word_and_a_price_are_read_back(value: float, role: str, mark: str, yuan: bool) -> None:
    number = f"{value:.2f}".rstrip("0").rstrip(".")
    text = f"{role}{mark}{number}{'元' if yuan else ''}"
    found = parse_prices(text)
    assert found and found[0].value == pytest.approx(value), text
    assert found[0].role == ROLES[role.lower()] if role.lower() in ROLES else ROLES[role]


@given(a=st.integers(1, 9999), b=st.integers(1, 999), each=st.booleans(), yuan=st.booleans())
def test_thresholds_are_never_prices(a: int, b: int, each: bool, yuan: bool) -> None:
    u = "元" if yuan else ""
    assert parse_prices(f"{'每' if each else ''}满{a}{u}减{b}{u}") == []


@given(n=st.integers(1, 999), unit=st.sampled_from(["件", "件套", "个", "只", "cm", "ml", "L", "kg", "寸", "折", "%"]))
def test_counts_and_sizes_are_never_prices(n: int, unit: str) -> None:
    assert parse_prices(f"{n}{unit}") == []
    assert parse_prices(f"超值{n}{unit}装") == []


@given(value=st.integers(1, 99999), noise=st.sampled_from(["爆款", "双11", "16件套", "满300减50", "包邮", "8折"]))
def test_a_price_survives_the_words_around_it(value: int, noise: str) -> None:
    found = [p.value for p in parse_prices(f"{noise} 到手价¥{value} {noise}")]
    assert found == [value]


@given(value=st.integers(1000, 9_999_999), cents=st.sampled_from(["", ".00", ".50"]), mark=st.sampled_from(["¥", "$"]))
def test_dots_between_thousands_after_a_mark_are_read_as_thousands(value: int, cents: str, mark: str) -> None:
    text = f"{mark}{value:,}{cents}".replace(",", ".")
    assert [p.value for p in parse_prices(text)] == [pytest.approx(value + float(cents or 0))], text


@given(value=st.integers(100, 99999), role=st.sampled_from(["", "到手价"]), mark=st.sampled_from(["¥", "Y"]))
def test_digits_spaced_out_by_ocr_are_one_price(value: int, role: str, mark: str) -> None:
    text = f"{role}{mark}{' '.join(str(value))}"
    assert [p.value for p in parse_prices(text)] == [value], text
