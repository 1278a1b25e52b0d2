"""Facts read from real forms (made by the tool, filled with openpyxl) and judged at their cells (issue 13)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from egov_xlsx import layout
from egov_xlsx.model import Campaign, Facts, Severity
from egov_xlsx.read.form_parser import read_file
from egov_xlsx.rules.checked import Checked
from egov_xlsx.rules.form_rules import check_reading
from tests import corpus
from tests.factories import RULES_TOML, campaign_from

D = Decimal
#: A filled form: the cells the unit typed (fact columns G, H; the plain criterion's score D16).
GOOD: dict[str, object] = {
    "G10": "Cấp phó là Trưởng ban",
    "G11": 3,
    "G12": "Có",
    "G14": 925,
    "H14": 1000,
    "G15": 1234.5,
    "H15": 10000,
    "D16": 4.5,
}


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return campaign_from(RULES_TOML)


def _checked(campaign: Campaign, tmp_path: Path, cells: dict[str, object], unit: str = "A") -> Checked:
    from egov_xlsx.forms import write_form

    tier = campaign.tiers[0]
    found = tier.unit(unit)
    assert found is not None
    path = tmp_path / f"{unit}.xlsx"
    write_form(campaign, tier, found, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.FORM_SHEET]
    for cell, value in cells.items():
        ws[cell] = value
    wb.save(path)
    result = read_file(path)
    assert result.reading is not None, result.findings
    return check_reading(campaign, result.reading)


def _codes(checked: Checked) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in checked.findings]


def test_facts_give_the_points(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, GOOD)
    assert _codes(checked) == []
    sub = checked.submission
    assert sub is not None and sub.valid
    assert sub.scores == {"1.1": 5, "1.2": D("1.5"), "1.3": 1, "2.1": 2, "2.2": D("0.37"), "2.3": D("4.5")}
    assert sub.facts["1.1"] == Facts(label="Cấp phó là Trưởng ban")
    assert sub.facts["1.3"] == Facts(label="Có")
    assert sub.facts["2.1"] == Facts(a=D(925), b=D(1000))
    assert sub.facts["2.2"] == Facts(a=D("1234.5"), b=D(10000))


def test_labels_are_matched_without_case(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, {**GOOD, "G10": "cấp phó là trưởng ban", "G12": "không"})
    assert _codes(checked) == []
    assert checked.submission is not None and checked.submission.scores["1.1"] == 5
    assert checked.submission.facts["1.3"] == Facts(label="Không") and checked.submission.scores["1.3"] == 0


@pytest.mark.parametrize(
    ("cells", "code", "cell"),
    [
        ({"G10": "Phó ban"}, "fact-not-in-list", "G10"),
        ({"G12": "Chưa"}, "fact-not-in-list", "G12"),
        ({"G10": None}, "fact-missing", "G10"),
        ({"H14": None}, "fact-missing", "H14"),
        ({"G14": 1200}, "fact-above-total", "G14"),
        ({"H14": 0}, "fact-zero-total", "H14"),
        ({"G11": -1}, "fact-negative", "G11"),
        ({"G11": 2.5}, "fact-not-whole", "G11"),
        ({"G14": 92.5}, "fact-not-whole", "G14"),
        ({"G11": "nhiều"}, "fact-not-number", "G11"),
        ({"H15": "mười nghìn"}, "fact-not-number", "H15"),
        ({"G11": "=1+1"}, "cell-formula", "G11"),
        ({"F15": "x", "G10": "Chưa thành lập", "F10": "x"}, "na-not-allowed", "D10"),
    ],
)
def test_a_wrong_fact_is_an_error_at_its_cell(
    campaign: Campaign, tmp_path: Path, cells: dict[str, object], code: str, cell: str
) -> None:
    checked = _checked(campaign, tmp_path, {**GOOD, **cells})
    assert (code, cell) in _codes(checked), _codes(checked)
    found = next(f for f in checked.findings if f.code == code)
    assert found.severity is Severity.ERROR and found.criterion is not None
    assert checked.submission is None or not checked.submission.valid


def test_messages_name_the_choices_and_the_numbers(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, {**GOOD, "G10": "Phó ban", "G14": 1200})
    messages = {f.code: f.message for f in checked.findings}
    assert messages["fact-not-in-list"] == (
        'Ô G10 ghi "Phó ban", không phải một lựa chọn của tiêu chí 1.1. Chọn một trong: '
        '"Thủ trưởng cơ quan là Trưởng ban", "Cấp phó là Trưởng ban" hoặc "Chưa thành lập".'
    )
    assert "a = 1.200 (ô G14) lớn hơn b = 1.000 (ô H14)" in messages["fact-above-total"]


def test_b_zero_makes_the_criterion_not_applicable_where_allowed(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, {**GOOD, "H15": 0, "G15": 0})
    assert _codes(checked) == []
    assert checked.submission is not None and "2.2" in checked.submission.not_applicable
    assert "2.2" not in checked.submission.scores


def test_a_rule_based_criterion_may_be_marked_not_applicable(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, {**GOOD, "F15": "x", "G15": None, "H15": None})
    assert _codes(checked) == []
    assert checked.submission is not None and checked.submission.not_applicable == {"2.2"}
    with_facts = _checked(campaign, tmp_path, {**GOOD, "F15": "x"})
    assert [c for c, _ in _codes(with_facts)] == ["na-with-score"]


def test_a_number_typed_as_text_is_read_with_a_warning(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, {**GOOD, "G11": "4"})
    assert _codes(checked) == [("fact-text-number", "G11")]
    assert checked.submission is not None and checked.submission.valid and checked.submission.scores["1.2"] == 2


def test_points_typed_over_the_computed_cell_are_a_warning_and_ignored(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, {**GOOD, "D11": 2})
    assert ("rule-points-typed", "D11") in _codes(checked)
    found = next(f for f in checked.findings if f.code == "rule-points-typed")
    assert found.severity is Severity.WARNING and "(1,5)" in found.message
    assert checked.submission is not None and checked.submission.valid and checked.submission.scores["1.2"] == D("1.5")


def test_a_blank_rules_form_is_one_finding(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, {})
    assert [c for c, _ in _codes(checked)] == ["form-blank"]


def test_whole_numbers_are_not_asked_of_decimal_amounts(campaign: Campaign, tmp_path: Path) -> None:
    checked = _checked(campaign, tmp_path, {**GOOD, "G15": 0.125, "H15": 0.5})
    assert _codes(checked) == []
    assert checked.submission is not None and checked.submission.scores["2.2"] == D("0.75")


@pytest.mark.parametrize("case", sorted(corpus.RULE_FACT_CASES))
def test_rule_fact_corpus(campaign: Campaign, tmp_path: Path, case: str) -> None:
    """Each hostile fact (tests/corpus.py, section rules13) is one finding at its cell, or read as meant."""
    cells, code = corpus.RULE_FACT_CASES[case]
    checked = _checked(campaign, tmp_path, {**GOOD, **cells})
    assert checked.submission is not None
    if code is None:
        assert _codes(checked) == [] and checked.submission.valid
    else:
        assert _codes(checked)[0] == (code, next(iter(cells))), _codes(checked)
        # The form's other criteria are still read.
        assert checked.submission.scores["2.3"] == D("4.5")


def test_whole_numbers_of_any_size_are_read_exactly(campaign: Campaign, tmp_path: Path) -> None:
    # A count far above what the maximum needs (1E+20 = 2 points, the cap) and a ratio of equal huge numbers.
    checked = _checked(campaign, tmp_path, {**GOOD, "G11": 1e20, "G14": 1e15, "H14": 1e15, "G15": 0})
    assert _codes(checked) == []
    sub = checked.submission
    assert sub is not None and sub.valid
    assert sub.scores["1.2"] == 2 and sub.scores["2.1"] == 2 and sub.scores["2.2"] == 0
    assert sub.facts["1.2"] == Facts(a=D(10) ** 20)
    assert sub.facts["2.1"] == Facts(a=D(10) ** 15, b=D(10) ** 15)
