from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from egov_xlsx.vietnamese import clean, format_number, format_percent, format_rank_change, join, safe_filename

D = Decimal


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (D("417.3"), 2, "417,30"),
        (D("106.425"), 2, "106,43"),  # half up, not banker's rounding
        (D("85.50"), None, "85,5"),
        (D("95"), None, "95"),
        (D("1000"), None, "1.000"),
        (D("1234567.891"), None, "1.234.567,891"),
        (D("4.72"), None, "4,72"),
        (D("0"), None, "0"),
        (D("1E+2"), None, "100"),
        (D("0.3"), 2, "0,30"),
    ],
)
def test_format_number(value, decimals, text):
    assert format_number(value, decimals) == text


def test_percent_and_rank_change():
    assert format_percent(D("92.3")) == "92%"
    assert format_percent(D("69.5")) == "69%"  # truncated, as published rankings print percents
    assert format_percent(D("84.45"), 1) == "84,4%"
    assert format_rank_change(3) == "tăng 3 bậc"
    assert format_rank_change(-1) == "giảm 1 bậc"
    assert format_rank_change(0) == "giữ nguyên"


def test_join():
    assert join([]) == ""
    assert join(["A"]) == "A"
    assert join(["A", "B"]) == "A và B"
    assert join(["A", "B", "C"]) == "A, B và C"


def test_clean_nfc_and_spaces():
    decomposed = unicodedata.normalize("NFD", "Sở Tư pháp")
    assert clean(f"\u00a0 {decomposed}\u00a0 ") == "Sở Tư pháp"
    assert clean(None) == ""


def test_safe_filename_is_ascii_and_windows_safe():
    assert safe_filename("SKHDT - Sở Kế hoạch và Đầu tư") == "SKHDT - So Ke hoach va Dau tu"
    assert safe_filename('a/b:c*?"<>|') == "a-b-c------"
    assert safe_filename("CON") == "_CON"
    assert safe_filename("Ủy ban nhân dân huyện Văn Lâm").isascii()


# --------------------------------------------------------------------------- figures inside their band

from fractions import Fraction  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from egov_xlsx.vietnamese import Interval, shown_figure  # noqa: E402

KHA = Interval(D(70), D(85))  # Khá: from 70 % up to where Tốt starts


def parse(text: str) -> Decimal:
    return D(text.rstrip("%").replace(".", "").replace(",", "."))


def test_the_issue_examples_stay_in_their_band():
    # 33,99 of 40 is 84,975 %: Khá, so never "85%"; 424,995 of 500 is Khá, so never "425,00".
    assert format_percent(D("84.975"), 0, within=KHA) == "84%"
    assert format_number(D("424.995"), 2) == "425,00"  # the usual figure
    assert format_number(D("424.995"), 2, within=KHA.scaled(D(5))) == "424,995"
    # Half up (what Excel shows) needs more decimals for the percent too.
    assert shown_figure(D("84.975"), 0, KHA) == D("84.98")
    assert shown_figure(D("84.975"), 0) == D("85")


def test_a_figure_below_its_own_lower_bound_gets_decimals():
    tot = Interval(D("84.5"), None)
    assert format_percent(D("84.7"), 0, within=tot) == "84,7%"
    above = Interval(D(70), D(85), low_inclusive=False)  # a band reached "trên 70%"
    assert format_percent(D("70.5"), 0, within=above) == "70,5%"
    assert format_percent(D("70.5"), 0, within=Interval(D(70), D(85))) == "70%"
    index = Interval(D("0.5"), D("0.75"))  # an index on a 0-1 scale
    assert format_number(D("0.7499"), 2, within=index) == "0,7499"


def test_past_the_extra_decimals_the_figure_rounds_towards_its_interval():
    above = Interval(D(70), D(85), low_inclusive=False)
    assert format_percent(D("70.00000000001"), 0, within=above) == "70,000001%"
    assert shown_figure(D("84.99999999999"), 0, KHA) == D("84.999999")
    assert shown_figure(D("69.99999999"), 0, Interval(None, D(70))) == D("69.999999")


def test_an_interval_that_does_not_hold_the_value_is_ignored():
    assert format_number(D("90"), 2, within=KHA) == "90,00"


def test_negative_zero_is_never_printed():
    assert format_number(D("-0.001"), 2) == "0,00"
    assert format_percent(D("-0.4")) == "0%"
    assert format_percent(D("-0.4"), within=Interval(None, D(0))) == "-0,4%"


def _intervals(bounds: list[Decimal]) -> list[Interval]:
    """Band intervals (highest first) from descending bounds; the lowest band starts at 0."""
    out = []
    for i, low in enumerate(bounds):
        out.append(Interval(low, bounds[i - 1] if i else None))
    return out


bound_lists = st.lists(
    st.decimals(min_value=D("0.1"), max_value=D("99.9"), places=1), min_size=1, max_size=4, unique=True
).map(lambda xs: [*sorted(xs, reverse=True), D(0)])


@settings(max_examples=400, deadline=None)
@given(
    total=st.decimals(min_value=D(0), max_value=D(1000), places=3),
    maximum=st.decimals(min_value=D("0.5"), max_value=D(1000), places=2),
    bounds=bound_lists,
    decimals=st.integers(min_value=0, max_value=2),
)
def test_printed_percent_and_total_stay_in_the_band(total, maximum, bounds, decimals):
    percent = Fraction(total) * 100 / Fraction(maximum)
    band = next(i for i, low in enumerate(bounds) if percent >= low)
    within = _intervals(bounds)[band]
    total_within = within.scaled(maximum / 100)
    for text, usual, inside in (
        (format_percent(D(percent.numerator) / D(percent.denominator), decimals, within=within), None, within),
        (format_number(total, decimals, within=total_within), format_number(total, decimals), total_within),
    ):
        assert parse(text) in inside, (text, inside)
        if usual is not None and parse(usual) in inside:
            assert text == usual  # away from a threshold, the usual figure


@settings(max_examples=400, deadline=None)
@given(
    numerator=st.integers(min_value=-(10**6), max_value=10**6),
    denominator=st.integers(min_value=1, max_value=10**4),
    bounds=bound_lists,
    decimals=st.integers(min_value=0, max_value=3),
    truncate=st.booleans(),
)
def test_shown_figure_lies_in_the_interval_and_is_usual_when_it_can_be(
    numerator, denominator, bounds, decimals, truncate
):
    value = Fraction(numerator, denominator)
    intervals = [*_intervals(bounds), Interval(None, bounds[-1])]
    within = next(i for i in intervals if value in i)
    shown = shown_figure(value, decimals, within, truncate=truncate)
    usual = shown_figure(value, decimals, truncate=truncate)
    assert shown in within
    assert -shown.as_tuple().exponent >= decimals
    if usual in within:
        assert shown == usual and -shown.as_tuple().exponent == decimals
    else:
        # One more decimal at a time: with one fewer, the figure would have been outside.
        fewer = -shown.as_tuple().exponent - 1
        if fewer - decimals < 6:
            assert shown_figure(value, fewer, truncate=truncate) not in within


def test_a_figure_is_a_decimal_that_keeps_its_interval_through_pickling():
    import copy
    import pickle

    from egov_xlsx.vietnamese import Figure

    figure = Figure(D("424.995"), KHA.scaled(D(5)))
    assert figure == D("424.995") and type(figure + 1) is Decimal
    for again in (pickle.loads(pickle.dumps(figure)), copy.deepcopy(figure)):
        assert isinstance(again, Figure) and again.within == figure.within and again == figure
    assert format_number(figure, 2) == "424,995" and format_number(D(figure), 2) == "425,00"
