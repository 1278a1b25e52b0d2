"""Rule-based criteria (issue 13): the config's rule keys, and points computed from facts exactly."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_xlsx.config import parse_campaign
from egov_xlsx.model import Facts, Rule, Step
from egov_xlsx.model.rule import COUNT, RATIO, rule_words
from egov_xlsx.rules.criterion_rules import rule_points, yes_no
from tests.factories import RULES_TOML, campaign_from

D = Decimal


def _tier():  # type: ignore[no-untyped-def]
    return campaign_from(RULES_TOML).tiers[0]


def _problems(text: str) -> list[str]:
    from egov_xlsx.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_campaign(tomllib.loads(text), path=Path("egov.toml"), text=text)
    return [str(p) for p in err.value.problems]


def test_the_four_rules_are_read() -> None:
    tier = _tier()
    levels = tier.criterion("1.1").rule
    assert levels is not None and levels.labels == (
        "Thủ trưởng cơ quan là Trưởng ban",
        "Cấp phó là Trưởng ban",
        "Chưa thành lập",
    )
    count = tier.criterion("1.2").rule
    assert count is not None and count.kind == COUNT and count.points_each == D("0.5") and not count.decimal
    assert tier.criterion("1.3").rule is not None
    ratio = tier.criterion("2.1").rule
    assert ratio is not None and ratio.kind == RATIO and ratio.inputs == ("Số hồ sơ xử lý trực tuyến", "Tổng số hồ sơ")
    assert [(s.percent, s.above) for s in ratio.steps] == [(90, False), (70, False), (50, True), (0, False)]
    proportional = tier.criterion("2.2").rule
    assert proportional is not None and proportional.decimal and not proportional.steps
    assert tier.criterion("2.3").rule is None


def test_a_rule_is_part_of_the_fingerprint() -> None:
    base = _tier().fingerprint
    for old, new in (
        ("points = 5 }", "points = 6 }"),
        ('"Cấp phó là Trưởng ban"', '"Phó Thủ trưởng là Trưởng ban"'),
        ('"Tổng số hồ sơ"]', '"Tổng số hồ sơ tiếp nhận"]'),
        ("points_each = 0.5", "points_each = 0.25"),
        ("{ above_percent = 50", "{ min_percent = 50"),
        ('rule = "yes_no"', 'rule = "count"\ninput = "Số"\npoints_each = 1'),
    ):
        assert old in RULES_TOML
        assert campaign_from(RULES_TOML.replace(old, new, 1)).tiers[0].fingerprint != base, old
    # A renamed criterion keeps returned forms valid, as before.
    renamed = RULES_TOML.replace('name = "Cổng thông tin điện tử"', 'name = "Cổng thông tin"')
    assert campaign_from(renamed).tiers[0].fingerprint == base


def test_criteria_without_a_rule_keep_their_fingerprint() -> None:
    """Forms made before rules existed stay valid: a tree without rules hashes as it always did."""
    from egov_xlsx.config import load_campaign
    from tests.factories import SMALL_TOML

    assert campaign_from(SMALL_TOML).tiers[0].fingerprint == "b0cce54d9dc59fa5"
    sample = load_campaign(Path(__file__).parent.parent / "samples" / "hung-yen-2018")
    assert {t.id: t.fingerprint for t in sample.tiers} == {
        "so-nganh": "81a6a58dbbd6a01b",
        "cap-huyen": "c5575919bb5d879b",
    }


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            'code = "1"\nname = "Chỉ đạo, điều hành"',
            'code = "1"\nname = "Chỉ đạo, điều hành"\nrule = "yes_no"',
            "tiers[0].criteria[0].rule",
            "không có tiêu chí con",
        ),
        (
            '{ label = "Cấp phó là Trưởng ban", points = 5 }',
            '{ label = "Cấp phó là Trưởng ban", points = 12 }',
            "tiers[0].criteria[0].children[0].levels[1].points",
            "lớn hơn điểm tối đa 10",
        ),
        (
            "{ min_percent = 70, points = 1.5 }",
            "{ min_percent = 70, points = 2.5 }",
            "tiers[0].criteria[1].children[0].steps[1].points",
            "lớn hơn điểm tối đa 2",
        ),
        (
            "{ min_percent = 0, points = 0 }",
            "{ min_percent = 10, points = 0 }",
            "tiers[0].criteria[1].children[0].steps",
            "phủ cả tỷ lệ 0%",
        ),
        (
            'inputs = ["Số hồ sơ xử lý trực tuyến", "Tổng số hồ sơ"]',
            'inputs = ["Số hồ sơ xử lý trực tuyến"]',
            "tiers[0].criteria[1].children[0].inputs",
            "đúng hai đầu vào",
        ),
        ("points_each = 0.5", "points_each = 0", "tiers[0].criteria[0].children[1].points_each", "lớn hơn 0"),
        ("points_each = 0.5", "points_each = -1", "tiers[0].criteria[0].children[1].points_each", "lớn hơn 0"),
        ('rule = "yes_no"', 'rule = "yes-no"', "tiers[0].criteria[0].children[2].rule", "levels, ratio, count, yes_no"),
        ('number = "decimal"', 'number = "real"', "tiers[0].criteria[1].children[1].number", "whole, decimal"),
        (
            "points_each = 0.5",
            "points_each = 0.5\nallow_above = true",
            "tiers[0].criteria[0].children[1].allow_above",
            'không dùng với rule = "count"',
        ),
        ('rule = "yes_no"', 'rule = "yes_no"\nsteps = []', "tiers[0].criteria[0].children[2].steps", "không dùng"),
        ("max = 5\n", "max = 5\nlevels = []\n", "tiers[0].criteria[1].children[2].levels", "chỉ dùng cùng rule"),
        (
            'number = "decimal"',
            'number = "decimal"\npoints_decimals = 7',
            "tiers[0].criteria[1].children[1].points_decimals",
            "từ 0 đến 4",
        ),
        (
            "{ above_percent = 50, points = 1 }",
            "{ above_percent = 50, min_percent = 50, points = 1 }",
            "tiers[0].criteria[1].children[0].steps[2]",
            "đúng một trong min_percent",
        ),
        (
            "{ min_percent = 70, points = 1.5 }",
            "{ min_percent = 90, points = 1.5 }",
            "tiers[0].criteria[1].children[0].steps[1].min_percent",
            "bị trùng",
        ),
        (
            '{ label = "Chưa thành lập", points = 0 }',
            '{ label = "cấp phó là trưởng ban", points = 0 }',
            "tiers[0].criteria[0].children[0].levels[2].label",
            "bị trùng",
        ),
        ('input = "Số văn bản"\n', "", "tiers[0].criteria[0].children[1].input", "thiếu khóa"),
    ],
)
def test_every_rule_mistake_is_told_with_its_key_and_line(old: str, new: str, key: str, message: str) -> None:
    assert old in RULES_TOML
    text = RULES_TOML.replace(old, new, 1)
    problems = _problems(text)
    assert any(message in p for p in problems), problems
    from egov_xlsx.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_campaign(tomllib.loads(text), path=Path("egov.toml"), text=text)
    located = [p for p in err.value.problems if getattr(p, "key", "") == key]
    assert located, [getattr(p, "key", "") for p in err.value.problems]
    assert all(str(p).startswith("dòng ") for p in located)


def test_hand_computed_points() -> None:
    tier = _tier()
    levels, count, yn, steps, prop = (tier.criterion(c) for c in ("1.1", "1.2", "1.3", "2.1", "2.2"))

    def pts(c, **facts: object) -> Decimal | None:  # type: ignore[no-untyped-def]
        return rule_points(c.rule, c.max, Facts(**facts))  # type: ignore[arg-type]

    assert pts(levels, label="Cấp phó là Trưởng ban") == 5
    assert pts(levels, label="cấp phó là trưởng ban") == 5
    assert pts(levels, label="Phó ban") is None
    assert pts(count, a=D(3)) == D("1.5") and pts(count, a=D(4)) == 2 and pts(count, a=D(9)) == 2
    assert pts(count, a=D(0)) == 0
    assert pts(yn, label="Có") == 1 and pts(yn, label="Không") == 0 and pts(yn, label="khong") == 0
    assert pts(yn, label="Chưa") is None
    assert pts(steps, a=D(90), b=D(100)) == 2  # min_percent is inclusive
    assert pts(steps, a=D(8999), b=D(10000)) == D("1.5")
    assert pts(steps, a=D(1), b=D(2)) == 0  # above_percent is exclusive: exactly 50 % is not above 50 %
    assert pts(steps, a=D(501), b=D(1000)) == 1
    assert pts(steps, a=D(0), b=D(5)) == 0
    assert pts(steps, a=D(3), b=D(0)) is None  # b = 0: judged by the caller (not applicable or an error)
    # 2/3 of 3 points = 2 exactly; 1/3 of 3 = 1; 1/7 of 3 = 0.428571... -> 0.43; 1/8 of 3 = 0.375 -> 0.38 (half up)
    assert pts(prop, a=D(2), b=D(3)) == 2 and pts(prop, a=D(1), b=D(3)) == 1
    assert pts(prop, a=D(1), b=D(7)) == D("0.43") and pts(prop, a=D(1), b=D(8)) == D("0.38")
    assert pts(prop, a=D("1234.5"), b=D("10000")) == D("0.37")  # 0.37035 -> 0.37
    assert Facts(a=D(925), b=D(1000)).percent == D("92.5") and Facts(a=D(1), b=D(0)).percent is None
    assert yes_no("CÓ") is True and yes_no("") is None


def test_points_decimals_and_over_target_ratios() -> None:
    rule = Rule(RATIO, inputs=("a", "b"), points_decimals=0, allow_above=True)
    assert rule_points(rule, D(3), Facts(a=D(1), b=D(2))) == 2  # 1.5 -> 2, half up
    assert rule_points(rule, D(3), Facts(a=D(5), b=D(2))) == 3  # over target: capped at max
    stepped = Rule(RATIO, inputs=("a", "b"), steps=(Step(D(100), D(3)), Step(D(0), D(0))), allow_above=True)
    assert rule_points(stepped, D(3), Facts(a=D(5), b=D(2))) == 3


_amounts = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False)


@given(
    a=_amounts,
    b=_amounts.filter(lambda x: x > 0),
    decimals=st.integers(0, 4),
    top=st.sampled_from(["2", "7.5", "100"]),
)
def test_proportional_points_are_rounded_once_half_up(a: Decimal, b: Decimal, decimals: int, top: str) -> None:
    maximum = D(top)
    rule = Rule(RATIO, inputs=("a", "b"), points_decimals=decimals, allow_above=True)
    got = rule_points(rule, maximum, Facts(a=a, b=b))
    exact = Fraction(a) / Fraction(b) * Fraction(maximum)
    # Rounded half up from the exact fraction (not from a float or a rounded decimal), then capped at max.
    unit = Fraction(1, 10**decimals)
    rounded = (exact / unit + Fraction(1, 2)).__floor__() * unit
    assert got == min(D(rounded.numerator) / D(rounded.denominator), maximum)
    assert got is not None and 0 <= got <= maximum and got.as_tuple().exponent >= -max(decimals, 4)


@given(a=st.integers(0, 10**6), b=st.integers(1, 10**6))
def test_steps_compare_the_exact_fraction(a: int, b: int) -> None:
    rule = _tier().criterion("2.1").rule
    assert rule is not None
    got = rule_points(rule, D(2), Facts(a=D(a), b=D(b)))
    if 100 * a >= 90 * b:
        assert got == 2
    elif 100 * a >= 70 * b:
        assert got == D("1.5")
    elif 100 * a > 50 * b:
        assert got == 1
    else:
        assert got == 0


@given(count=st.integers(0, 10**6))
def test_count_points_never_exceed_the_maximum(count: int) -> None:
    rule = _tier().criterion("1.2").rule
    assert rule is not None
    got = rule_points(rule, D(2), Facts(a=D(count)))
    assert got == min(D(count) * D("0.5"), D(2))


def test_the_rule_in_words() -> None:
    tier = _tier()
    words = {c.code: rule_words(c.rule, c.max) for c in tier.leaves() if c.rule is not None}
    assert words["1.1"].startswith("Chọn mức đạt: Thủ trưởng cơ quan là Trưởng ban: 10 điểm; Cấp phó")
    assert words["1.2"] == "Nhập Số văn bản (số nguyên, từ 0). Điểm = Số văn bản × 0,5, không quá 2 điểm."
    assert words["1.3"] == "Chọn Có: 1 điểm; Không: 0 điểm."
    assert "từ 90%: 2 điểm; từ 70%: 1,5 điểm; trên 50%: 1 điểm; từ 0%: 0 điểm" in words["2.1"]
    assert "Điểm = a/b × 3, không quá 3 điểm" in words["2.2"]
