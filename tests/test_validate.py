from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from egov_xlsx import layout
from egov_xlsx.model import Severity, UnitState
from egov_xlsx.rules.form_rules import check_reading
from egov_xlsx.rules.roster_rules import check_roster
from egov_xlsx.rules.score_values import parse_score
from tests.factories import SMALL_TOML, campaign_from, reading, source

FULL = {"1.1": 5.0, "1.2": 4.72, "2.1": 3.0, "2.2": 2.0}


def codes(checked):
    return [f.code for f in checked.findings]


@pytest.mark.parametrize(
    ("raw", "value", "code"),
    [
        (4.72, Decimal("4.72"), None),
        (0.1 + 0.2, Decimal("0.30000000000000004"), None),
        (7, Decimal(7), None),
        ("4,72", Decimal("4.72"), "score-text-number"),
        ("4.72", Decimal("4.72"), "score-text-number"),
        (" 5 ", Decimal(5), "score-text-number"),
        ("1.000,5", None, "score-not-number"),
        ("abc", None, "score-not-number"),
        (dt.date(2018, 7, 4), None, "score-date"),
        (dt.datetime(2018, 7, 4), None, "score-date"),
        (None, None, "score-missing"),
        (True, None, "score-not-number"),
        (float("nan"), None, "score-not-number"),
    ],
)
def test_parse_score(raw, value, code):
    assert parse_score(raw) == (value, code)


def test_clean_form_gives_exact_submission():
    c = campaign_from()
    checked = check_reading(c, reading(c, "A", FULL))
    assert checked.findings == ()
    sub = checked.submission
    assert sub is not None and sub.valid
    assert sub.scores["1.2"] == Decimal("4.72")


def test_score_problems_are_located():
    c = campaign_from()
    raw = {"1.1": 11.0, "1.2": -1.0, "2.1": dt.date(2018, 7, 4), "2.2": "4,5"}
    checked = check_reading(c, reading(c, "A", raw))
    found = {(f.code, f.cell, f.criterion) for f in checked.findings}
    assert ("score-above-max", "D10", "1.1") in found
    assert ("score-negative", "D11", "1.2") in found
    assert ("score-date", "D13", "2.1") in found
    assert ("score-text-number", "D14", "2.2") in found
    date = next(f for f in checked.findings if f.code == "score-date")
    assert "04/07/2018" in date.message and "dấu phẩy" in date.message
    assert not checked.submission.valid
    assert checked.submission.scores == {"2.2": Decimal("4.5")}


def test_missing_score_is_an_error():
    c = campaign_from()
    checked = check_reading(c, reading(c, "A", {"1.1": 1.0}))
    missing = [f for f in checked.findings if f.code == "score-missing"]
    assert [f.cell for f in missing] == ["D11", "D13", "D14"]
    assert all(f.severity is Severity.ERROR for f in missing)


def test_wrong_campaign_year_tier_fingerprint_unit():
    c = campaign_from()
    assert codes(check_reading(c, reading(c, "A", FULL, meta={layout.META_CAMPAIGN: "khac-2023"}))) == [
        "wrong-campaign"
    ]
    assert codes(check_reading(c, reading(c, "A", FULL, meta={layout.META_YEAR: "2023"}))) == ["wrong-year"]
    assert codes(check_reading(c, reading(c, "A", FULL, meta={layout.META_TIER: "x"}))) == ["wrong-tier"]
    assert codes(check_reading(c, reading(c, "A", FULL, meta={layout.META_FINGERPRINT: "old"}))) == ["form-stale"]
    unknown = check_reading(c, reading(c, "A", FULL, meta={layout.META_UNIT: "ZZ"}))
    assert codes(unknown) == ["unit-unknown"] and unknown.unknown_unit == "ZZ"


def test_metadata_lost_falls_back_to_visible_code():
    c = campaign_from()
    r = reading(c, "A", FULL)
    from dataclasses import replace

    r = replace(r, meta={"visible_unit_code": "A", "visible_campaign": c.id})
    checked = check_reading(c, r)
    assert codes(checked) == ["metadata-missing"]
    assert checked.submission.valid
    none = check_reading(c, replace(r, meta={}))
    assert codes(none) == ["unit-unidentified"]


def test_name_and_file_name_warnings():
    c = campaign_from()
    from dataclasses import replace

    r = replace(reading(c, "A", FULL, file="B - Don vi B.xlsx"), unit_name="Đơn vị Khác")
    checked = check_reading(c, r)
    assert sorted(codes(checked)) == ["filename-other-unit", "unit-name-mismatch"]
    assert checked.submission.valid


def test_rows_missing_unexpected_duplicate_reordered():
    c = campaign_from()
    from dataclasses import replace

    r = reading(c, "A", FULL)
    rows = list(r.rows)
    extra = rows[1]._replace(code="9.9", row=30)
    dup = rows[2]._replace(row=31)
    swapped = [rows[0], rows[2], rows[1], *rows[3:5], extra, dup]  # drops 2.2, reorders 1.1/1.2
    checked = check_reading(c, replace(r, rows=tuple(swapped)))
    got = set(codes(checked))
    assert {"row-missing", "row-unexpected", "row-duplicate", "row-order"} <= got


def test_capped_parent_and_typed_over_subtotals():
    c = campaign_from()
    r = reading(c, "A", {**FULL, "2.1": 8.0, "2.2": 7.0, "1": 99.0, "2": 0.0}, total=12.0)
    checked = check_reading(c, r)
    got = {(f.code, f.criterion) for f in checked.findings}
    assert ("capped-parent", "2") in got
    assert ("subtotal-mismatch", "1") in got
    assert ("subtotal-mismatch", None) in got  # the grand total
    assert all(f.severity is Severity.WARNING for f in checked.findings)
    # A 0 in a subtotal is a formula never recalculated: no finding for "2".
    assert ("subtotal-mismatch", "2") not in got


def test_float_noise_in_subtotal_is_not_a_mismatch():
    c = campaign_from()
    r = reading(c, "A", {**FULL, "1": 9.719999999999999})
    assert codes(check_reading(c, r)) == []


def test_evidence_check_uses_configured_severity():
    c = campaign_from(SMALL_TOML + '\n[validation]\nevidence = "error"\n')
    checked = check_reading(c, reading(c, "A", FULL, notes={"1.1": "Báo cáo số 12/BC"}))
    missing = [f for f in checked.findings if f.code == "score-no-evidence"]
    assert [f.cell for f in missing] == ["E11", "E13", "E14"]
    assert all(f.severity is Severity.ERROR for f in missing)


def test_not_applicable_marks():
    text = SMALL_TOML.replace(
        'name = "Một chấm hai"\nmax = 10', 'name = "Một chấm hai"\nmax = 10\nnot_applicable = ["A"]'
    )
    c = campaign_from(text)
    from dataclasses import replace

    def mark(r, code):
        return replace(r, rows=tuple(x._replace(not_applicable=x.code == code) for x in r.rows))

    ok = check_reading(c, mark(reading(c, "A", {**FULL, "1.2": None}), "1.2"))
    assert codes(ok) == [] and ok.submission.not_applicable == {"1.2"}
    assert codes(check_reading(c, mark(reading(c, "B", FULL), "1.2"))) == ["na-not-allowed"]
    assert codes(check_reading(c, mark(reading(c, "A", FULL), "1.2"))) == ["na-with-score"]


def test_roster_missing_duplicates_and_identical_copies():
    c = campaign_from()
    a1 = check_reading(c, reading(c, "A", FULL, file="a1.xlsx"))
    a2 = check_reading(c, reading(c, "A", FULL, file="a2.xlsx"))
    from dataclasses import replace

    b1 = replace(check_reading(c, reading(c, "B", FULL, file="b1.xlsx")), source=source("b1.xlsx", "1" * 64))
    b2 = replace(check_reading(c, reading(c, "B", FULL, file="b2.xlsx")), source=source("b2.xlsx", "2" * 64))
    roster = check_roster(c, [a1, a2, b1, b2])
    states = {s.unit.code: s.state for s in roster.statuses}
    assert states == {
        "A": UnitState.SUBMITTED,
        "B": UnitState.DUPLICATE,
        "C": UnitState.MISSING,
        "D": UnitState.MISSING,
    }
    got = {(f.code, f.unit) for f in roster.findings}
    assert ("unit-duplicate-identical", "A") in got
    assert ("unit-duplicate", "B") in got
    assert ("unit-missing", "C") in got
    dup = next(f for f in roster.findings if f.code == "unit-duplicate")
    assert "b1.xlsx" in dup.message and "b2.xlsx" in dup.message and "thư mục con" in dup.message
    assert [s.unit_code for s in roster.submissions] == ["A"]
    assert roster.redundant == {"a2.xlsx"}


# --------------------------------------------------------------------------- hostile numbers (issue 11, §3)

# Where a hostile number goes in a form: the leaf 1.1's score, its parent 1's subtotal, the total, 1.1's maximum.
_LEAF_FINDING = {
    "huge": "score-above-max",
    "huge-negative": "score-negative",
    "max-double": "score-above-max",
    "overflow": "score-not-number",
    "infinity": "score-not-number",
    "negative-infinity": "score-not-number",
    "nan": "score-not-number",
    "denormal": "score-decimals",
    "too-many-decimals": "score-decimals",
    "digits-30-text": "score-above-max",
    "digits-5000-text": "score-above-max",
    "date-max-double": "score-above-max",
    "date-nan": "score-not-number",
}


def _hostile_inbox(campaign: Path, where: str) -> dict[str, tuple[str, str]]:
    """One hostile number per unit's form (each case in another unit), in place; unit -> (case, cell)."""
    import openpyxl

    from tests import corpus

    assert set(_LEAF_FINDING) == set(corpus.HOSTILE_NUMBERS)
    forms = sorted((campaign / "inbox").glob("*.xlsx"))
    placed: dict[str, tuple[str, str]] = {}
    for case, form in zip(corpus.HOSTILE_NUMBERS, forms, strict=False):
        wb = openpyxl.load_workbook(form, read_only=True)
        ws = wb[layout.FORM_SHEET]
        rows = {str(r[0].value): r[0].row for r in ws.iter_rows(min_row=layout.FIRST_DATA_ROW) if r[0].value}
        total = next(r[0].row for r in ws.iter_rows(min_row=layout.FIRST_DATA_ROW) if r[1].value == "TỔNG ĐIỂM")
        wb.close()
        cell = {"leaf": f"D{rows['1.1']}", "subtotal": f"D{rows['1']}", "total": f"D{total}", "max": f"C{rows['1.1']}"}
        corpus.with_hostile_number(form, form, layout.FORM_SHEET, cell[where], case)
        placed[form.name.split(" - ")[0]] = (case, cell[where])
    assert len(placed) == len(corpus.HOSTILE_NUMBERS)
    return placed


@pytest.mark.parametrize("where", ["leaf", "subtotal", "total", "max"])
def test_a_hostile_number_is_a_finding_at_its_cell_and_every_other_unit_is_read(sample_copy, where) -> None:
    from egov_xlsx import pipeline

    placed = _hostile_inbox(sample_copy, where)
    report = pipeline.check(sample_copy)
    expected = {
        "leaf": _LEAF_FINDING,
        "subtotal": dict.fromkeys(_LEAF_FINDING, "subtotal-mismatch"),
        "total": dict.fromkeys(_LEAF_FINDING, "subtotal-mismatch"),
        "max": dict.fromkeys(_LEAF_FINDING, "max-changed"),
    }[where]
    for unit, (case, cell) in placed.items():
        got = [(f.code, f.message) for f in report.findings if f.unit == unit and f.cell == cell]
        assert expected[case] in [code for code, _ in got], (case, got)
        for _, message in got:  # bounded: no number printed with hundreds of digits
            assert len(message) < 400 and "30/12/1899" not in message, (case, message)
    states = {s.unit.code: s.state for s in report.statuses}
    for unit, state in states.items():
        invalid = where == "leaf" and unit in placed
        assert state is (UnitState.INVALID if invalid else UnitState.SUBMITTED), (unit, placed.get(unit))


def test_hostile_numbers_never_stop_a_build_or_the_cli(sample_copy, tmp_path) -> None:
    from typer.testing import CliRunner

    from egov_xlsx.cli.commands import ExitCode, app

    _hostile_inbox(sample_copy, "leaf")
    runner = CliRunner()
    checked = runner.invoke(app, ["check", str(sample_copy)])
    assert checked.exit_code == ExitCode.FINDINGS, checked.output
    assert "1E+30" in checked.output and "#NUM!" in checked.output and "Traceback" not in checked.output
    built = runner.invoke(app, ["build", str(sample_copy), "-o", str(tmp_path / "out"), "--draft", "-q"])
    assert built.exit_code == ExitCode.OK, built.output
    assert (tmp_path / "out" / "tra-lai").is_dir()


@pytest.mark.parametrize(
    ("raw", "value", "code"),
    [
        (1e-320, Decimal("1E-320"), "score-decimals"),
        (4.12345, Decimal("4.12345"), "score-decimals"),
        (4.1234, Decimal("4.1234"), None),
        ("0,00001", Decimal("0.00001"), "score-decimals"),
        (1e30, Decimal("1E+30"), None),  # a number: its bound is the criterion's maximum
        (float("inf"), None, "score-not-number"),
        (dt.datetime(1899, 12, 30), None, "score-not-number"),  # NaN under a date format
        (dt.datetime(1899, 12, 30, 12), None, "score-date"),
    ],
)
def test_parse_score_bounds(raw, value, code):
    assert parse_score(raw) == (value, code)


def test_show_value_is_bounded():
    from egov_xlsx.rules.score_values import show_value

    assert show_value(1e30) == "1E+30"
    assert show_value(-1.5e300) == "-1,5E+300"
    assert show_value(1e-320) == "1E-320"
    assert show_value(float("nan")) == show_value(float("-inf")) == "#NUM!"
    assert show_value(dt.datetime(1899, 12, 30)) == "#NUM!"
    assert show_value(10**40) == "1E+40"
    assert show_value(1234.5) == "1.234,5"


def test_a_number_the_reader_panics_on_is_a_finding_for_its_file(sample_copy) -> None:
    from egov_xlsx import pipeline
    from tests import corpus

    form = next((sample_copy / "inbox").glob("STP - *.xlsx"))
    corpus.with_hostile_numbers(form, form, layout.FORM_SHEET, {"D10": "date-huge-negative"})
    report = pipeline.check(sample_copy)
    assert any(f.file == form.name for f in report.findings)


# --------------------------------------------------------------------------- clerk: blank forms, claims, roster lines


def test_blank_form_is_one_finding_not_one_per_criterion():
    c = campaign_from()
    blank = check_reading(c, reading(c, "A", {}))
    assert codes(blank) == ["form-blank"]
    assert blank.findings[0].cell == "D10" and "chưa điền" in blank.findings[0].message.lower()
    assert blank.submission is not None and not blank.submission.valid
    # One score entered: no longer blank, each missing score is its own finding.
    assert codes(check_reading(c, reading(c, "A", {"1.1": 3}))) == ["score-missing"] * 3
    roster = check_roster(c, [blank])
    assert roster.statuses[0].state is UnitState.INVALID and roster.statuses[0].errors == 1


def test_invalid_claims_are_kept_for_the_council():
    c = campaign_from()
    sub = check_reading(c, reading(c, "A", {**FULL, "1.1": 12, "1.2": "nhiều", "2.1": dt.date(2024, 7, 4)})).submission
    assert sub is not None
    assert dict(sub.claims) == {"1.1": "12", "1.2": "nhiều", "2.1": "04/07/2024"}
    assert set(sub.scores) == {"2.2"}


def _gate_failure(name: str, code: str = "file-empty"):
    from egov_xlsx import findings
    from egov_xlsx.rules.checked import Checked

    return Checked(source(name, "9" * 64), findings=(findings.make(code, file=name, detail="x"),))


def test_a_wrong_or_unreadable_file_puts_its_unit_on_submitted_with_errors():
    c = campaign_from()
    last_year = check_reading(c, reading(c, "A", FULL, file="bieu nam truoc.xlsx", meta={layout.META_YEAR: "2023"}))
    assert codes(last_year) == ["wrong-year"] and last_year.unit_code is None and last_year.foreign_unit == "A"
    other = check_reading(c, reading(c, "B", FULL, file="B - Don vi B.xlsx", meta={layout.META_CAMPAIGN: "x-2020"}))
    empty = _gate_failure("C - Don vi C.xlsx")
    corrupt = _gate_failure("cx.xlsx", "file-corrupt")  # "CX" is not "C" followed by a separator: nobody's
    roster = check_roster(c, [last_year, other, empty, corrupt])
    by_code = {s.unit.code: s for s in roster.statuses}
    assert {k: s.state for k, s in by_code.items()} == {
        "A": UnitState.INVALID,
        "B": UnitState.INVALID,
        "C": UnitState.INVALID,
        "D": UnitState.MISSING,
    }
    assert by_code["A"].files == ("bieu nam truoc.xlsx",) and by_code["A"].errors == 1
    assert by_code["C"].files == ("C - Don vi C.xlsx",)
    assert roster.submissions == ()  # never scored
    # The rejected files' findings now name the unit whose line they are on.
    assert [(f.code, f.unit, f.tier) for f in roster.rewritten["C - Don vi C.xlsx"]] == [("file-empty", "C", "t")]
    assert "cx.xlsx" not in roster.rewritten
    assert [f.code for f in roster.findings] == ["unit-missing"]


def test_an_unusable_file_beside_a_valid_form_is_one_warning():
    c = campaign_from()
    good = check_reading(c, reading(c, "A", FULL, file="a.xlsx"))
    empty = _gate_failure("A (gui lai).xlsx")
    roster = check_roster(c, [good, empty])
    status = roster.statuses[0]
    assert (status.state, status.files, status.errors, status.warnings) == (
        UnitState.SUBMITTED,
        ("a.xlsx", "A (gui lai).xlsx"),
        0,
        1,
    )
    (warning,) = roster.rewritten["A (gui lai).xlsx"]
    assert warning.code == "file-not-used" and warning.severity is Severity.WARNING
    assert "tệp rỗng" in warning.message and "a.xlsx" in warning.message
    assert [s.unit_code for s in roster.submissions] == ["A"]


def test_identical_copies_keep_the_properly_named_one_and_times_show_seconds():
    from dataclasses import replace

    c = campaign_from()
    proper = "A - Don vi A.xlsx"
    copies = [check_reading(c, reading(c, "A", FULL, file=n)) for n in ("0 ban sao.xlsx", proper)]
    roster = check_roster(c, copies)
    assert roster.submissions[0].source.name == proper and roster.redundant == {"0 ban sao.xlsx"}
    b1 = replace(check_reading(c, reading(c, "B", FULL, file="b1.xlsx")), source=source("b1.xlsx", "1" * 64))
    (dup,) = [f for f in check_roster(c, [b1, replace(b1, source=source("b2.xlsx", "2" * 64))]).findings
              if f.code == "unit-duplicate"]  # fmt: skip
    stamp = dt.datetime.fromtimestamp(0.0).strftime("%H:%M:%S ngày %d/%m/%Y")
    assert f"b1.xlsx (sửa lần cuối {stamp})" in dup.message
