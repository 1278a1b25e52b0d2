from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from egov_xlsx.model import Band
from egov_xlsx.rules.scoring import band_for, criterion_scores, score_tier
from tests.factories import SMALL_TOML, campaign_from, submission

D = Decimal


def tier_with(text: str = SMALL_TOML):
    return campaign_from(text).tiers[0]


def test_totals_parents_and_cap():
    tier = tier_with()
    scores, maxima = criterion_scores(tier, {"1.1": D("7.5"), "1.2": D(10), "2.1": D(8), "2.2": D(6)})
    assert scores["1"] == D("17.5")
    assert scores["2"] == D(10)  # 14 capped at 10
    assert maxima["2"] == D(10)


def test_ranks_share_and_skip():
    tier = tier_with()
    subs = {
        "A": submission(tier, "A", {"1.1": 5, "1.2": 5}),
        "B": submission(tier, "B", {"1.1": 9, "1.2": 9}),
        "C": submission(tier, "C", {"1.1": 6, "1.2": 4}),
        "D": submission(tier, "D", {"1.1": 1}),
    }
    result = score_tier(tier, subs)
    order = [(u.unit.code, u.rank, u.total) for u in result.units]
    assert order == [("B", 1, D(18)), ("A", 2, D(10)), ("C", 2, D(10)), ("D", 4, D(1))]
    assert result.result("A").tied_with == ("A", "C")
    assert result.result("B").tied_with == ()


def test_band_bounds_are_inclusive_on_exact_percent():
    bands = (Band("Tốt", D(85)), Band("Khá", D(70)), Band("Trung bình", D(50)), Band("Yếu", D(0)))
    assert band_for(bands, D(105), D(150)) == "Khá"  # exactly 70 %
    assert band_for(bands, D("104.99"), D(150)) == "Trung bình"
    assert band_for(bands, D(350), D(500)) == "Khá"
    assert band_for(bands, D(0), D(150)) == "Yếu"


def test_percent_is_exact():
    tier = tier_with()
    result = score_tier(tier, {"A": submission(tier, "A", {"1.1": 10, "1.2": 10, "2.1": D(1)})})
    assert result.units[0].percent == D(70)
    assert result.units[0].band == "Khá"


def test_facts_highest_second_lowest_at_max_and_zero_in_roster_order():
    tier = tier_with()
    subs = {
        "A": submission(tier, "A", {"1.1": 10, "2.1": 3}),
        "B": submission(tier, "B", {"1.1": 4}),
        "C": submission(tier, "C", {"1.1": 10, "2.1": 3}),
        "D": submission(tier, "D", {"1.1": 7, "2.1": D("2.5")}),
    }
    result = score_tier(tier, subs)
    f = result.fact("1.1")
    assert [u.code for u in f.at_max] == ["A", "C"]
    assert f.highest.score == 10 and [u.code for u in f.highest.units] == ["A", "C"]
    assert f.second.score == 7 and [u.code for u in f.second.units] == ["D"]
    assert f.lowest.score == 4
    g = result.fact("2")
    assert [u.code for u in g.at_zero] == ["B"]
    assert g.average == D("2.125")


def test_appraisal_replaces_self_score():
    tier = tier_with()
    result = score_tier(tier, {"A": submission(tier, "A", {"1.1": 10, "1.2": 10})}, appraisals={"A": {"1.2": D(6)}})
    a = result.units[0]
    assert a.total == D(16) and a.self_scores["1.2"] == D(10) and a.appraised == {"1.2": D(6)}


def test_not_applicable_shrinks_own_maximum_and_ranks_on_percent():
    text = SMALL_TOML.replace(
        'name = "Một chấm hai"\nmax = 10', 'name = "Một chấm hai"\nmax = 10\nnot_applicable = true'
    )
    tier = tier_with(text)
    subs = {
        "A": submission(tier, "A", {"1.1": 10, "1.2": 5, "2.1": 5}),  # 20 of 30 = 66.7 %
        "B": submission(tier, "B", {"1.1": 10, "2.1": 5}, not_applicable=frozenset({"1.2"})),  # 15 of 20 = 75 %
    }
    result = score_tier(tier, subs)
    assert [u.unit.code for u in result.units] == ["B", "A"]
    b = result.result("B")
    assert b.max == D(20) and b.percent == D(75) and b.band == "Khá" and "1.2" not in b.scores


def test_unranked_units_are_scored_but_not_ranked_or_counted():
    text = SMALL_TOML.replace('name = "Đơn vị A"', 'name = "Đơn vị A"\nranked = false\nunranked_reason = "Trung ương"')
    tier = tier_with(text)
    subs = {u: submission(tier, u, {"1.1": v}) for u, v in {"A": 10, "B": 5, "C": 3}.items()}
    result = score_tier(tier, subs)
    assert [(u.unit.code, u.rank) for u in result.units] == [("B", 1), ("C", 2), ("A", None)]
    assert result.fact("1.1").highest.units[0].code == "B"
    assert sum(len(b.units) for b in result.bands) == 2


def test_tie_breakers_split_ties_and_explain():
    text = SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\ntie_breakers = ["2", "1.1"]\n')
    tier = tier_with(text)
    subs = {
        "A": submission(tier, "A", {"1.1": 5, "2.1": 2}),
        "B": submission(tier, "B", {"1.1": 3, "2.1": 4}),
        "C": submission(tier, "C", {"1.1": 4, "2.1": 3}),
    }
    result = score_tier(tier, subs)
    assert [(u.unit.code, u.rank) for u in result.units] == [("B", 1), ("C", 2), ("A", 3)]
    assert "tiêu chí 2" in result.result("B").tie_note
    assert result.result("B").tied_with == ()


def test_excluded_units_have_reasons():
    tier = tier_with()
    result = score_tier(tier, {"A": submission(tier, "A", {})}, excluded={"B": "chưa nộp biểu"})
    assert [(u.code, why) for u, why in result.excluded][:1] == [("B", "chưa nộp biểu")]
    assert len(result.excluded) == 3


# ---------------------------------------------------------------- properties

scores = st.decimals(min_value=0, max_value=10, places=2)


@st.composite
def tier_and_scores(draw):
    tier = tier_with()
    chosen = draw(st.lists(st.sampled_from(["1.1", "1.2", "2.1", "2.2"]), unique=True))
    values = {u.code: {leaf: draw(scores) for leaf in chosen if draw(st.booleans())} for u in tier.units}
    breakers = draw(st.lists(st.sampled_from(["1", "2", "1.1", "2.2"]), unique=True, max_size=2))
    return tier, values, tuple(breakers)


@settings(max_examples=150, deadline=None)
@given(tier_and_scores(), st.randoms())
def test_ranking_properties(data, rnd):
    from dataclasses import replace

    tier, values, breakers = data
    plain = score_tier(tier, {u: submission(tier, u, s) for u, s in values.items()})
    # Input order does not matter.
    items = list(values.items())
    rnd.shuffle(items)
    shuffled = score_tier(tier, {u: submission(tier, u, s) for u, s in items})
    assert [(u.unit.code, u.rank) for u in shuffled.units] == [(u.unit.code, u.rank) for u in plain.units]
    # Ranks are 1..n with the documented gaps: rank = 1 + number of units strictly better.
    totals = {u.unit.code: u.total for u in plain.units}
    for u in plain.units:
        assert u.rank == 1 + sum(t > u.total for t in totals.values())
    # Tie-breakers only ever split ties: a unit's rank never moves across a different total.
    broken = score_tier(replace(tier, tie_breakers=breakers), {u: submission(tier, u, s) for u, s in values.items()})
    for u in broken.units:
        better = sum(t > u.total for t in totals.values())
        same = sum(t == u.total for t in totals.values())
        assert better + 1 <= u.rank <= better + same


def test_a_tie_is_explained_once_in_one_sentence():
    text = SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\ntie_breakers = ["2", "1.1"]\n')
    tier = tier_with(text)
    subs = {
        "A": submission(tier, "A", {"1.1": 5, "2.1": 2}),
        "B": submission(tier, "B", {"1.1": 3, "2.1": 4}),
        "C": submission(tier, "C", {"1.1": 4, "2.1": 3}),
    }
    result = score_tier(tier, subs)
    assert [u.tie_note for u in result.units[1:]] == ["", ""]
    assert result.result("B").tie_note == (
        "Đơn vị B, Đơn vị C và Đơn vị A bằng tổng điểm; thứ hạng được phân định theo điểm tiêu chí 2 "
        "(Nhóm hai (không quá 10 điểm)): Đơn vị B 4 điểm, Đơn vị C 3 điểm, Đơn vị A 2 điểm."
    )


def test_a_tie_needing_two_tie_breakers_names_both():
    text = SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\ntie_breakers = ["2", "1.1"]\n')
    tier = tier_with(text)
    subs = {
        "A": submission(tier, "A", {"1.1": 5, "1.2": 1, "2.1": 3}),
        "B": submission(tier, "B", {"1.1": 3, "1.2": 2, "2.1": 4}),
        "C": submission(tier, "C", {"1.1": 4, "1.2": 2, "2.1": 3}),
    }
    result = score_tier(tier, subs)
    assert [(u.unit.code, u.rank) for u in result.units] == [("B", 1), ("A", 2), ("C", 3)]
    assert [u.unit.code for u in result.units if u.tie_note] == ["B"]
    assert result.result("B").tie_note == (
        "Đơn vị B, Đơn vị A và Đơn vị C bằng tổng điểm; thứ hạng được phân định theo điểm tiêu chí 2 "
        "(Nhóm hai (không quá 10 điểm)) rồi tiêu chí 1.1 (Một chấm một): Đơn vị B 4 và 3 điểm, "
        "Đơn vị A 3 và 5 điểm, Đơn vị C 3 và 4 điểm."
    )


def test_band_figures_carry_the_band_interval():
    from egov_xlsx.rules.scoring import band_figures, band_interval
    from egov_xlsx.vietnamese import format_number, format_percent

    tier = tier_with()  # maximum 30: Tốt from 85 % = 25,5 points
    result = score_tier(tier, {"A": submission(tier, "A", {"1.1": 10, "1.2": 10, "2.1": "5.495"})})
    unit = result.result("A")
    assert unit.band == "Khá" and unit.total == D("25.495")
    total, percent = band_figures(tier.bands, unit)
    assert total == unit.total and percent == unit.percent  # exact values, unchanged
    assert format_number(unit.total, 2) == "25,50"  # the Tốt threshold: what a Khá unit must not print
    assert format_number(total, 2) == "25,495"
    assert format_percent(percent) == "84%"
    assert band_interval(tier.bands, "Tốt").high is None and band_interval(tier.bands, None).high == 0


# Any band set (highest bound first, the lowest at 0), any exact total and maximum: the printed figures,
# read back, fall in the unit's band, and are the usual figures whenever those do.
_band_sets = st.lists(
    st.decimals(min_value=D("0.5"), max_value=D("99.5"), places=1), min_size=1, max_size=4, unique=True
).map(lambda xs: tuple(Band(f"B{i}", b) for i, b in enumerate([*sorted(xs, reverse=True), D(0)])))


def _read(text: str) -> Decimal:
    return D(text.rstrip("%").replace(".", "").replace(",", "."))


@settings(max_examples=300, deadline=None)
@given(
    bands=_band_sets,
    total=st.decimals(min_value=D(0), max_value=D(1000), places=3),
    maximum=st.decimals(min_value=D(1), max_value=D(1000), places=2),
    total_decimals=st.integers(min_value=0, max_value=2),
    percent_decimals=st.integers(min_value=0, max_value=2),
)
def test_printed_figures_read_back_in_the_units_band(bands, total, maximum, total_decimals, percent_decimals):
    from egov_xlsx.model import Unit, UnitResult
    from egov_xlsx.rules.scoring import band_figures, percent_of
    from egov_xlsx.vietnamese import format_number, format_percent

    band = band_for(bands, total, maximum)
    result = UnitResult(Unit("A", "A"), maximum, {}, total, percent_of(total, maximum), 1, band)
    shown_total, shown_percent = band_figures(bands, result)
    printed_total = _read(format_number(shown_total, total_decimals))
    printed_percent = _read(format_percent(shown_percent, percent_decimals))
    assert band_for(bands, printed_total, maximum) == band
    assert band_for(bands, printed_percent, D(100)) == band
    usual_total = _read(format_number(total, total_decimals))
    usual_percent = _read(format_percent(result.percent, percent_decimals))
    if band_for(bands, usual_total, maximum) == band:
        assert printed_total == usual_total
    if band_for(bands, usual_percent, D(100)) == band:
        assert printed_percent == usual_percent
