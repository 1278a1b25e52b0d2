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
    assert format_percent(D("69.5")) == "70%"
    assert format_percent(D("84.45"), 1) == "84,5%"
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
