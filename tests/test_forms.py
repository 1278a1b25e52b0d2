"""Round-trip tests of the per-unit score forms: write, reopen with openpyxl and python-calamine, assert."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from egov_xlsx import forms as forms_module
from egov_xlsx import layout
from egov_xlsx.config import parse_campaign
from egov_xlsx.errors import EgovError, OutputError
from egov_xlsx.forms import form_filename, write_form, write_forms
from egov_xlsx.model import Campaign, Tier, Unit
from egov_xlsx.vietnamese import format_number

FIRST = layout.FIRST_DATA_ROW


@pytest.fixture(scope="module")
def campaign(sample_campaign: Campaign) -> Campaign:
    """The Hưng Yên 2018 sample campaign (from conftest)."""
    return sample_campaign


@pytest.fixture(scope="module")
def forms(campaign: Campaign, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_forms(campaign, tmp_path_factory.mktemp("forms"))


def _tier(campaign: Campaign, tier_id: str) -> Tier:
    tier = campaign.tier(tier_id)
    assert tier is not None
    return tier


def _form(forms: list[Path], unit_code: str) -> Path:
    return next(p for p in forms if p.name.startswith(f"{unit_code} - "))


def _sheet(path: Path) -> Any:
    return openpyxl.load_workbook(path)[layout.FORM_SHEET]


def _unlocked(ws: Any) -> set[str]:
    return {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}


def _validations(ws: Any) -> dict[str, Any]:
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def _small_campaign(not_applicable: object) -> Campaign:
    """A one-tier campaign whose criterion 1.1 carries ``not_applicable``; units A and B."""
    return parse_campaign(
        {
            "campaign": {"id": "test-2024", "title": "Thử nghiệm", "province": "Hưng Yên", "year": 2024},
            "tiers": [
                {
                    "id": "t",
                    "name": "Khối thử",
                    "criteria": [
                        {
                            "code": "1",
                            "name": "Nhóm một",
                            "children": [
                                {"code": "1.1", "name": "Một một", "max": 7.5, "not_applicable": not_applicable},
                                {"code": "1.2", "name": "Một hai", "max": 2.5},
                            ],
                        },
                        {"code": "2", "name": "Hai", "max": 10},
                    ],
                    "units": [{"code": "A", "name": "Đơn vị A"}, {"code": "B", "name": "Đơn vị B"}],
                }
            ],
        }
    )


def test_form_filename_is_ascii_code_and_name() -> None:
    assert form_filename(Unit("SKHDT", "Sở Kế hoạch và Đầu tư")) == "SKHDT - So Ke hoach va Dau tu.xlsx"


def test_write_forms_writes_one_ascii_named_file_per_unit_in_roster_order(
    campaign: Campaign, forms: list[Path]
) -> None:
    roster = [u for t in campaign.tiers for u in t.units]
    assert len(forms) == len(roster) == 27
    assert [p.name for p in forms] == [form_filename(u) for u in roster]
    assert all(p.name.isascii() for p in forms)
    # Nothing else in the folder: every staged temporary file was renamed into place.
    assert sorted(p.name for p in forms[0].parent.iterdir()) == sorted(p.name for p in forms)


def test_form_sheet_is_first_and_active_and_metadata_sheet_hidden(forms: list[Path]) -> None:
    wb = openpyxl.load_workbook(forms[0])
    assert wb.sheetnames == [layout.FORM_SHEET, layout.META_SHEET]
    assert wb.active.title == layout.FORM_SHEET
    assert wb[layout.META_SHEET].sheet_state == "hidden"


def test_title_block_and_header_row(campaign: Campaign, forms: list[Path]) -> None:
    ws = _sheet(_form(forms, "SKHDT"))
    assert ws["A1"].value == "BIỂU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM MỨC ĐỘ CHÍNH QUYỀN ĐIỆN TỬ"
    assert ws["A2"].value == campaign.title
    labels = {ws.cell(row, 1).value: ws.cell(row, 2).value for row in range(3, 7)}
    assert labels == {
        layout.LABEL_TIER: "Sở, ban, ngành",
        layout.LABEL_UNIT: "Sở Kế hoạch và Đầu tư",
        layout.LABEL_UNIT_CODE: "SKHDT",
        layout.LABEL_CAMPAIGN: "hung-yen-2018",
    }
    header = [ws.cell(layout.HEADER_ROW, col + 1).value for col in range(6)]
    assert header == [*layout.HEADERS, None]  # no criterion of the sample may be "không áp dụng"


def test_criteria_rows_follow_tree_order_then_total(campaign: Campaign, forms: list[Path]) -> None:
    for tier in campaign.tiers:
        ws = _sheet(_form(forms, tier.units[-1].code))
        criteria = list(tier.walk())
        rows = range(FIRST, FIRST + len(criteria))
        assert [ws.cell(r, 1).value for r in rows] == [c.code for c in criteria]
        assert [ws.cell(r, 2).value for r in rows] == [c.name for c in criteria]
        assert [ws.cell(r, 3).value for r in rows] == [float(c.max) for c in criteria]
        assert all(ws.cell(r, 1).data_type == "s" for r in rows)
        assert all(ws.cell(r, 2).font.b == (not c.is_leaf) for r, c in zip(rows, criteria, strict=True))
        total = FIRST + len(criteria)
        assert ws.cell(total, 1).value is None
        assert ws.cell(total, 2).value == layout.TOTAL_LABEL
        assert ws.cell(total, 3).value == float(tier.max)
        tops = ",".join(f"D{FIRST + criteria.index(c)}" for c in tier.criteria)
        assert ws.cell(total, 4).value == f"=SUM({tops})"


def _referenced_rows(formula: str) -> set[int]:
    rows: set[int] = set()
    for first, last in re.findall(r"D(\d+)(?::D(\d+))?", formula):
        rows.update(range(int(first), int(last or first) + 1))
    return rows


def test_parent_rows_sum_their_children_and_capped_parent_is_min(campaign: Campaign, forms: list[Path]) -> None:
    tier = _tier(campaign, "so-nganh")
    ws = _sheet(_form(forms, "SKHDT"))
    row = {c.code: FIRST + i for i, c in enumerate(tier.walk())}
    assert ws.cell(row["1"], 4).value == "=SUM(D10:D12)"
    assert ws.cell(row["2.4"], 4).value == "=MIN(20,SUM(D18:D19))"
    for c in tier.walk():
        value = ws.cell(row[c.code], 4).value
        if c.is_leaf:
            assert value is None
            continue
        assert value.startswith("=MIN(" if c.capped else "=SUM(")
        assert _referenced_rows(value) == {row[ch.code] for ch in c.children}


def test_leaf_score_cells_have_decimal_validation_from_zero_to_max(campaign: Campaign, forms: list[Path]) -> None:
    tier = _tier(campaign, "so-nganh")
    ws = _sheet(_form(forms, "STP"))
    validations = _validations(ws)
    rows = {c.code: FIRST + i for i, c in enumerate(tier.walk())}
    assert set(validations) == {f"D{rows[c.code]}" for c in tier.leaves()}
    for c in tier.leaves():
        dv = validations[f"D{rows[c.code]}"]
        assert (dv.type, dv.operator or "between") == ("decimal", "between")
        assert float(dv.formula1) == 0
        assert float(dv.formula2) == float(c.max)
        assert dv.showErrorMessage and dv.showInputMessage
        assert f"từ 0 đến {format_number(c.max)}" in dv.error
        assert f"từ 0 đến {format_number(c.max)}" in dv.prompt
        assert dv.errorTitle and dv.promptTitle


def test_sheet_is_protected_without_password_and_only_input_cells_unlocked(
    campaign: Campaign, forms: list[Path]
) -> None:
    tier = _tier(campaign, "cap-huyen")
    ws = _sheet(_form(forms, "VL"))
    p = ws.protection
    assert p.sheet and p.password is None
    # OOXML flags say what is *forbidden*: False here means the user may widen columns and rows.
    assert p.formatColumns is False and p.formatRows is False
    assert p.selectLockedCells is False and p.selectUnlockedCells is False
    expected = {f"E{FIRST + i}" for i, _ in enumerate(tier.walk())}
    expected |= {f"D{FIRST + i}" for i, c in enumerate(tier.walk()) if c.is_leaf}
    assert _unlocked(ws) == expected


def test_metadata_sheet_identifies_campaign_tier_unit_and_criteria(campaign: Campaign, forms: list[Path]) -> None:
    tier = _tier(campaign, "cap-huyen")
    ws = openpyxl.load_workbook(_form(forms, "KD"))[layout.META_SHEET]
    meta = {row[0]: row[1] for row in ws.iter_rows(values_only=True)}
    assert meta == {
        layout.META_CAMPAIGN: "hung-yen-2018",
        layout.META_YEAR: "2018",
        layout.META_TIER: "cap-huyen",
        layout.META_UNIT: "KD",
        layout.META_UNIT_NAME: "Ủy ban nhân dân huyện Kim Động",
        layout.META_VERSION: layout.FORM_VERSION,
        layout.META_FINGERPRINT: tier.fingerprint,
        layout.META_CRITERIA: ",".join(c.code for c in tier.walk()),
        layout.META_GENERATOR: meta[layout.META_GENERATOR],
    }
    assert meta[layout.META_GENERATOR].startswith("egov-xlsx ")


def test_print_setup_is_a4_portrait_one_page_wide_with_repeated_header(forms: list[Path]) -> None:
    ws = _sheet(forms[0])
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # absent means 1 in OOXML
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${layout.HEADER_ROW}:${layout.HEADER_ROW}"
    assert ws.freeze_panes == f"A{FIRST}"
    assert ws.oddFooter.center.text == "Trang &P/&N"


def test_document_properties_are_fixed(forms: list[Path]) -> None:
    props = openpyxl.load_workbook(forms[0]).properties
    assert props.title == "Biểu chấm điểm - Sở Kế hoạch và Đầu tư"
    assert props.created is not None and props.created.year == 2018


def test_calamine_sees_title_block_labels_and_header(campaign: Campaign, forms: list[Path]) -> None:
    tier = _tier(campaign, "cap-huyen")
    wb = CalamineWorkbook.from_path(str(_form(forms, "HY")))
    rows = wb.get_sheet_by_name(layout.FORM_SHEET).to_python(skip_empty_area=False)
    assert [r[:2] for r in rows[2:6]] == [
        [layout.LABEL_TIER, "Ủy ban nhân dân cấp huyện"],
        [layout.LABEL_UNIT, "Ủy ban nhân dân thành phố Hưng Yên"],
        [layout.LABEL_UNIT_CODE, "HY"],
        [layout.LABEL_CAMPAIGN, "hung-yen-2018"],
    ]
    assert rows[layout.HEADER_ROW - 1][:5] == list(layout.HEADERS)
    data = rows[FIRST - 1 : FIRST - 1 + len(list(tier.walk()))]
    assert [r[layout.COL_CODE] for r in data] == [c.code for c in tier.walk()]
    assert [r[layout.COL_MAX] for r in data] == [float(c.max) for c in tier.walk()]
    meta = wb.get_sheet_by_name(layout.META_SHEET).to_python()
    assert dict((k, v) for k, v, *_ in meta)[layout.META_UNIT] == "HY"


def test_formula_like_unit_name_stays_text(campaign: Campaign, tmp_path: Path) -> None:
    name = '=HYPERLINK("http://x")'
    path = tmp_path / "f.xlsx"
    write_form(campaign, campaign.tiers[0], Unit("X", name), path)
    ws = _sheet(path)
    assert ws["B4"].value == name
    assert ws["B4"].data_type == "s"
    with zipfile.ZipFile(path) as z:
        assert "HYPERLINK" not in z.read("xl/worksheets/sheet1.xml").decode()
    assert form_filename(Unit("X", name)).isascii()


def test_same_config_gives_byte_identical_files(campaign: Campaign, forms: list[Path], tmp_path: Path) -> None:
    again = write_forms(campaign, tmp_path)
    assert [p.name for p in again] == [p.name for p in forms]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(again, forms, strict=True))


def test_not_applicable_criterion_gets_column_f_with_list_validation(tmp_path: Path) -> None:
    campaign = _small_campaign(True)
    tier = campaign.tiers[0]
    path = tmp_path / "a.xlsx"
    write_form(campaign, tier, tier.units[0], path)
    ws = _sheet(path)
    assert ws.cell(layout.HEADER_ROW, layout.COL_NA + 1).value == layout.HEADER_NA
    assert "cột F" in ws["A7"].value
    # Rows: 9 "1", 10 "1.1" (may be N/A), 11 "1.2", 12 "2".
    assert ws["F10"].protection.locked is False
    assert all(ws[f"F{r}"].protection.locked for r in (9, 11, 12))
    assert ws["F11"].fill.fgColor.rgb.endswith("D9D9D9")
    dv = _validations(ws)["F10"]
    assert dv.type == "list"
    assert dv.formula1 == f'"{layout.NA_MARK}"'
    assert dv.showInputMessage and dv.prompt
    assert _unlocked(ws) == {"D10", "D11", "D12", "E9", "E10", "E11", "E12", "F10"}
    assert ws["D9"].value == "=SUM(D10:D11)"


def test_column_f_only_for_units_that_may_mark_not_applicable(tmp_path: Path) -> None:
    campaign = _small_campaign(["B"])
    tier = campaign.tiers[0]
    paths = write_forms(campaign, tmp_path)
    ws_a, ws_b = (_sheet(p) for p in paths)
    assert ws_a.cell(layout.HEADER_ROW, layout.COL_NA + 1).value is None
    assert "cột F" not in ws_a["A7"].value
    assert not any(str(dv.sqref).startswith("F") for dv in ws_a.data_validations.dataValidation)
    assert ws_b.cell(layout.HEADER_ROW, layout.COL_NA + 1).value == layout.HEADER_NA
    assert ws_b["F10"].protection.locked is False
    assert tier.criterion("1.1").may_be_na("B")


def test_write_forms_for_a_subset_keeps_roster_order(campaign: Campaign, tmp_path: Path) -> None:
    paths = write_forms(campaign, tmp_path, ["VL", "SKHDT"])
    assert [p.name for p in paths] == ["SKHDT - So Ke hoach va Dau tu.xlsx", "VL - Uy ban nhan dan huyen Van Lam.xlsx"]
    assert sorted(tmp_path.iterdir()) == sorted(paths)


def test_write_forms_refuses_unknown_unit_and_writes_nothing(campaign: Campaign, tmp_path: Path) -> None:
    with pytest.raises(EgovError, match="NOPE"):
        write_forms(campaign, tmp_path, ["SKHDT", "NOPE"])
    assert list(tmp_path.iterdir()) == []


def test_a_failure_midway_leaves_the_folder_as_it_was(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / form_filename(campaign.tiers[0].units[0])
    old.write_bytes(b"previous form")
    real = forms_module.write_form

    def fail_on_third(c: Campaign, t: Tier, u: Unit, path: Path) -> None:
        if u.code == "STC":
            raise OutputError("disk full")
        real(c, t, u, path)

    monkeypatch.setattr(forms_module, "write_form", fail_on_third)
    with pytest.raises(OutputError):
        write_forms(campaign, tmp_path)
    assert list(tmp_path.iterdir()) == [old]
    assert old.read_bytes() == b"previous form"


def test_write_form_to_a_missing_folder_is_an_output_error(campaign: Campaign, tmp_path: Path) -> None:
    tier = campaign.tiers[0]
    with pytest.raises(OutputError, match="Không ghi được"):
        write_form(campaign, tier, tier.units[0], tmp_path / "missing" / "f.xlsx")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_form_and_keeps_header_and_codes(
    campaign: Campaign, forms: list[Path], tmp_path: Path
) -> None:
    tier = _tier(campaign, "so-nganh")
    source = _form(forms, "SKHDT")
    command = [
        str(shutil.which("soffice")),
        f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
        "--headless",
        "--convert-to",
        "ods",
        "--outdir",
        str(tmp_path),
        str(source),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    converted = tmp_path / (source.stem + ".ods")
    rows = CalamineWorkbook.from_path(str(converted)).get_sheet_by_name(layout.FORM_SHEET).to_python()
    assert rows[layout.HEADER_ROW - 1][:5] == list(layout.HEADERS)
    codes = [r[layout.COL_CODE] for r in rows[FIRST - 1 : FIRST - 1 + len(list(tier.walk()))]]
    assert codes == [c.code for c in tier.walk()]
    assert rows[3][:2] == [layout.LABEL_UNIT, "Sở Kế hoạch và Đầu tư"]
