"""The index scale (``[display] scale = "index"``): a unit's total / own maximum, published "0,6975" in every output.

The end-to-end campaign: 4 units on 30 points (criterion 1 = 1.1 + 1.2 on 20, criterion 2 capped at 10), bands
Tốt from 75 %, Khá from 50 %. By hand: D 30/30 = 1; A 22,4988/30 = 0,74996 (Khá: "0,7500" would read as Tốt);
B 18,0012/30 = 0,60004 and C 18,0003/30 = 0,60001, both "0,6000" when rounded to 4 decimals.
"""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_xlsx import layout, pipeline
from egov_xlsx.config import CONFIG_NAME, load_campaign
from egov_xlsx.errors import ConfigError
from egov_xlsx.model import Band, Unit, UnitResult
from egov_xlsx.publish.announce_context import template_context
from egov_xlsx.rules.index_scale import criterion_indices, equal_index_notes, index_figure, index_text
from egov_xlsx.rules.scoring import band_for, score_tier
from tests.factories import SMALL_TOML, campaign_from, submission

D = Decimal
BANDS = (
    'bands = [{ name = "Tốt", min_percent = 75 }, { name = "Khá", min_percent = 50 }, '
    '{ name = "Trung bình", min_percent = 0 }]\n'
)
INDEX_TOML = SMALL_TOML.replace("[[tiers]]", '[display]\nscale = "index"\n\n[[tiers]]', 1).replace(
    'name = "Khối thử"\n', f'name = "Khối thử"\n{BANDS}', 1
)
# Leaf scores in form order: 1.1, 1.2, 2.1, 2.2.
SCORES = {"A": (10, 4.4988, 8, 0), "B": (10, 0.0012, 8, 0), "C": (10, 0.0003, 8, 0), "D": (10, 10, 8, 8)}
NOTE = (
    "Đơn vị B (0,60004) và Đơn vị C (0,60001) cùng có chỉ số 0,6000 khi làm tròn; "
    "thứ hạng được xếp theo chỉ số chưa làm tròn."
)


def _scored(toml: str = INDEX_TOML, scores: dict[str, tuple[float, ...]] = SCORES):  # type: ignore[no-untyped-def]
    campaign = campaign_from(toml)
    tier = campaign.tiers[0]
    subs = {
        code: submission(tier, code, dict(zip(("1.1", "1.2", "2.1", "2.2"), values, strict=True)))
        for code, values in scores.items()
    }
    return campaign, score_tier(tier, subs)


# --------------------------------------------------------------------------- config


def test_points_is_the_default_and_index_is_opt_in() -> None:
    assert campaign_from().display.scale == "points" and not campaign_from().display.index
    display = campaign_from(INDEX_TOML).display
    assert display.index and display.index_decimals == 4
    six = campaign_from(INDEX_TOML.replace('scale = "index"', 'scale = "index"\nindex_decimals = 6'))
    assert six.display.index_decimals == 6


def test_bad_display_keys_are_located_errors(tmp_path: Path) -> None:
    text = SMALL_TOML.replace("[[tiers]]", '[display]\nscale = "chỉ số"\nindex_decimals = 0\n\n[[tiers]]', 1)
    (tmp_path / CONFIG_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(tmp_path)
    message = str(err.value)
    assert "dòng 9 ([display], khóa scale): chỉ nhận một trong: points, index" in message
    assert "dòng 10 ([display], khóa index_decimals): phải từ 1 đến 8" in message
    for bad in ("index_decimals = 9", 'index_decimals = "4"'):
        with pytest.raises(ConfigError) as err:
            campaign_from(INDEX_TOML.replace('scale = "index"', f'scale = "index"\n{bad}'))
        assert [p.key for p in err.value.problems] == ["display.index_decimals"]


# --------------------------------------------------------------------------- the figures


def test_indices_of_units_and_criteria() -> None:
    _, result = _scored()
    a = result.result("A")
    assert a is not None
    assert index_figure(result.tier.bands, a) == D("0.74996")
    assert criterion_indices(result.tier, a) == {
        "1": D("0.72494"),  # 14,4988 / 20
        "1.1": D(1),
        "1.2": D("0.44988"),
        "2": D("0.8"),  # 8 / 10, the capped parent's maximum
        "2.1": D(1),
        "2.2": D(0),
    }
    assert [r.unit.code for r in result.ranked] == ["D", "A", "B", "C"]


def test_a_criterion_not_applicable_lowers_its_parent_maximum_for_the_unit() -> None:
    text = INDEX_TOML.replace(
        'name = "Một chấm hai"\nmax = 10', 'name = "Một chấm hai"\nmax = 10\nnot_applicable = true'
    )
    campaign = campaign_from(text)
    tier = campaign.tiers[0]
    sub = submission(tier, "A", {"1.1": 5, "2.1": 8, "2.2": 1}, not_applicable=frozenset({"1.2"}))
    a = score_tier(tier, {"A": sub}).units[0]
    # Own maximum 20 (10 + 10); total 5 + 9 = 14: index 0,7; criterion 1 is 5 of 10, criterion 2 is 9 of 10.
    assert a.max == 20 and index_figure(tier.bands, a) == D("0.7")
    assert criterion_indices(tier, a) == {"1": D("0.5"), "1.1": D("0.5"), "2": D("0.9"), "2.1": D(1), "2.2": D("0.125")}


def test_a_printed_index_keeps_to_its_band() -> None:
    _, result = _scored()
    a = result.result("A")
    assert a is not None and a.band == "Khá"
    assert index_text(index_figure(result.tier.bands, a), 4) == "0,74996"  # never "0,7500"
    assert index_text(D("0.74996"), 4) == "0,7500"  # a bare decimal knows no band
    # "lớn hơn 75 %": 22,5012 / 30 = 0,75004 is Tốt and must not print as the bound it is above.
    above = INDEX_TOML.replace("min_percent = 75", "above_percent = 75")
    _, result = _scored(above, {**SCORES, "A": (10, 4.5012, 8, 0)})
    a = result.result("A")
    assert a is not None and a.band == "Tốt"
    assert index_text(index_figure(result.tier.bands, a), 4) == "0,75004"
    # exactly 0,75 is not above 75 %: Khá, and "0,7500" is inside Khá's interval (up to 0,75 inclusive)
    _, result = _scored(above, {**SCORES, "A": (10, 4.5, 8, 0)})
    a = result.result("A")
    assert a is not None and a.band == "Khá" and index_text(index_figure(result.tier.bands, a), 4) == "0,7500"
    # away from thresholds, the usual figure: 20,925 / 30 = 0,6975
    _, result = _scored(INDEX_TOML, {**SCORES, "A": (10, 2.925, 8, 0)})
    a = result.result("A")
    assert a is not None and index_text(index_figure(result.tier.bands, a), 4) == "0,6975"


def test_equal_printed_indices_get_one_note_on_the_first_unit() -> None:
    _, result = _scored()
    assert equal_index_notes(result, 4) == {"B": NOTE}
    # with 5 decimals they print apart: no note
    assert equal_index_notes(result, 5) == {}
    # equal exact indices share a rank and need no note
    _, result = _scored(INDEX_TOML, {**SCORES, "C": SCORES["B"]})
    assert equal_index_notes(result, 4) == {}


def _bands(bounds: list[Decimal], exclusive: list[bool]) -> tuple[Band, ...]:
    """Bands highest first, each "từ X%" or "lớn hơn X%", the lowest from 0."""
    ordered = sorted(bounds, reverse=True)
    made = (Band(f"B{i}", b, exclusive=e) for i, (b, e) in enumerate(zip(ordered, exclusive, strict=True)))
    return (*made, Band("Z", D(0)))


_band_sets = st.lists(
    st.decimals(min_value=D("0.5"), max_value=D("99.5"), places=1), min_size=1, max_size=4, unique=True
).flatmap(lambda xs: st.lists(st.booleans(), min_size=len(xs), max_size=len(xs)).map(lambda e: _bands(xs, e)))


@settings(max_examples=300, deadline=None)
@given(
    bands=_band_sets,
    total=st.decimals(min_value=D(0), max_value=D(1000), places=4),
    maximum=st.decimals(min_value=D(1), max_value=D(1000), places=2),
    decimals=st.integers(min_value=1, max_value=4),
)
def test_a_printed_index_reads_back_in_the_units_band(bands, total, maximum, decimals):  # type: ignore[no-untyped-def]
    band = band_for(bands, total, maximum)
    result = UnitResult(Unit("A", "A"), maximum, {}, total, total * 100 / maximum, 1, band)
    printed = D(index_text(index_figure(bands, result), decimals).replace(".", "").replace(",", "."))
    assert band_for(bands, printed, D(1)) == band
    usual = D(index_text(total / maximum, decimals).replace(".", "").replace(",", "."))
    if band_for(bands, usual, D(1)) == band:
        assert printed == usual


def test_templates_see_the_index_and_its_printed_form() -> None:
    campaign, result = _scored()
    from egov_xlsx.model import Results

    context = template_context(Results(campaign=campaign, tiers=(result,)))
    tier = context["tiers"][0]  # type: ignore[index]
    a = next(r for r in tier.ranked if r.unit.code == "A")
    assert a.index == D("0.74996") and a.index_text == "0,74996" and a.criterion_index["1.2"] == D("0.44988")
    assert [r.unit.code for r in tier.index_notes] == ["B"] and tier.index_notes[0].index_note == NOTE
    assert tier.average_index == (D(1) + D("0.74996") + D("0.60004") + D("0.60001")) / 4
    display = context["display"]
    assert display.index and display.index_decimals == 4  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- every output, end to end


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("index")
    folder = root / "idx-2024"
    (folder / layout.INBOX).mkdir(parents=True)
    (folder / CONFIG_NAME).write_text(INDEX_TOML, encoding="utf-8")
    for form in pipeline.make_forms(folder, root / "forms"):
        wb = openpyxl.load_workbook(form)
        ws = wb[layout.FORM_SHEET]
        rows = [
            r for r in range(1, ws.max_row + 1) if ws.cell(r, layout.COL_CODE + 1).value in ("1.1", "1.2", "2.1", "2.2")
        ]
        for row, value in zip(rows, SCORES[form.name.split(" ")[0]], strict=True):
            ws.cell(row, layout.COL_SCORE + 1).value = value
        wb.save(folder / layout.INBOX / form.name)
    out = root / "out"
    outcome = pipeline.build(folder, out)
    assert outcome.published
    return out


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts)


def test_results_json_keeps_the_points_and_adds_the_index(built: Path) -> None:
    data = json.loads((built / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    units = {u["code"]: u for u in data["tiers"][0]["units"]}
    assert units["A"]["total"] == D("22.4988") and units["A"]["percent"] == D("74.996")
    assert units["A"]["index"] == D("0.74996") and units["D"]["index"] == 1
    assert units["B"]["index"] == D("0.60004") and units["C"]["index"] == D("0.60001")
    assert units["A"]["criterion_index"] == {
        "1": D("0.72494"), "1.1": 1, "1.2": D("0.44988"), "2": D("0.8"), "2.1": 1, "2.2": 0,
    }  # fmt: skip


def test_a_points_campaign_has_no_index_in_results_json(tmp_path: Path) -> None:
    from egov_xlsx.model import Results
    from egov_xlsx.publish.serialize import results_dict

    campaign, result = _scored(INDEX_TOML.replace('[display]\nscale = "index"\n', ""))
    unit = results_dict(Results(campaign=campaign, tiers=(result,)))["tiers"][0]["units"][0]
    assert "index" not in unit and "criterion_index" not in unit


def test_the_workbook_has_an_index_column_of_numbers(built: Path) -> None:
    ws = openpyxl.load_workbook(built / pipeline.NAMES.workbook).worksheets[0]
    header = next(r for r in ws.iter_rows() if r[0].value == "STT")
    col = next(c.column for c in header if c.value == "Chỉ số")
    assert not any(c.value == "Tỷ lệ %" for c in header)
    assert ws.cell(header[0].row + 1, col).value == 1  # the maximum row: a full score's index
    cells = {ws.cell(c.row, 2).value: ws.cell(c.row, col) for c in ws[get_letter(col)] if c.row > header[0].row + 1}
    assert cells["Đơn vị D"].value == 1 and cells["Đơn vị D"].number_format == "0.0000"
    assert cells["Đơn vị A"].value == 0.74996 and cells["Đơn vị A"].number_format == "0.00000"
    assert cells["Đơn vị B"].value == 0.60004 and cells["Đơn vị B"].number_format == "0.0000"
    note_col = next(c.column for c in header if c.value == "Ghi chú")
    assert ws.cell(cells["Đơn vị B"].row, note_col).value == NOTE
    legend = " ".join(str(c.value) for row in ws.iter_rows(max_row=header[0].row) for c in row if c.value)
    assert "Chỉ số = tổng điểm / điểm tối đa của đơn vị (từ 0 đến 1)." in legend


def get_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def test_the_workbook_chart_shows_the_index(built: Path) -> None:
    with zipfile.ZipFile(built / pipeline.NAMES.workbook) as z:
        chart = z.read(next(n for n in z.namelist() if n.startswith("xl/charts/chart"))).decode("utf-8")
    assert "Chỉ số khối Khối thử" in chart and 'formatCode="0.00000"' in chart and '<c:max val="1.0"/>' in chart


def test_the_announcement_reads_as_an_index_campaign(built: Path) -> None:
    text = (built / pipeline.NAMES.text).read_text(encoding="utf-8")
    assert "Dẫn đầu là Đơn vị D đạt chỉ số 1,0000 (tổng điểm 30,00/30 điểm)." in text
    assert "Vị trí thứ 2 và thứ 3 lần lượt thuộc về Đơn vị A (chỉ số 0,74996) và Đơn vị B (chỉ số 0,6000)." in text
    assert "Đơn vị có chỉ số thấp nhất là Đơn vị C (chỉ số 0,6000)." in text
    assert "Chỉ số trung bình của khối thử đạt 0,7375." in text  # (1 + 0,74996 + 0,60004 + 0,60001) / 4
    assert NOTE in text and "0,7500" not in text
    markdown = (built / pipeline.NAMES.markdown).read_text(encoding="utf-8")
    assert NOTE in markdown and "| Xếp hạng | Đơn vị | Tổng điểm | Chỉ số | Xếp loại |" in markdown
    assert "| 2 | Đơn vị A | 22,499 | 0,74996 | Khá |" in markdown
    announcement = _docx_text(built / pipeline.NAMES.announcement)
    assert "đạt chỉ số 1,0000" in announcement and NOTE in announcement


def test_the_decision_annex_has_an_index_column(built: Path) -> None:
    annex = _docx_text(built / pipeline.NAMES.decision)
    assert "| Tổng điểm\n(30) | Chỉ số | Xếp hạng | Xếp loại" in annex
    assert "2 | Đơn vị A | 14,4988 | 8 | 22,499 | 0,74996 | 2 | Khá" in annex
    assert "3 | Đơn vị B | 10,0012 | 8 | 18,00 | 0,6000 | 3 | Khá" in annex
    assert NOTE in annex


def test_the_cards_print_the_index(built: Path) -> None:
    cards = _docx_text(built / pipeline.NAMES.cards)
    assert "Chỉ số: 0,74996 (tổng điểm 22,499/30 điểm)" in cards
    assert "Chỉ số: 1,0000 (tổng điểm 30,00/30 điểm)" in cards
    assert f"Ghi chú: {NOTE}" in cards and "So với trung bình khối (chỉ số theo tiêu chí)" in cards
    with zipfile.ZipFile(built / pipeline.NAMES.cards) as z:
        chart = z.read(next(n for n in sorted(z.namelist()) if n.startswith("word/charts/"))).decode("utf-8")
    assert '<c:majorUnit val="0.25"/>' in chart and "&quot;%&quot;" not in chart


def test_the_results_page_prints_the_index_on_a_0_to_1_axis(built: Path) -> None:
    page = (built / pipeline.NAMES.page).read_text(encoding="utf-8")
    assert '<span class="label">Chỉ số</span>' in page and "Tỷ lệ điểm đạt được" not in page
    assert ">0,74996<" in page and "22,499 / 30 điểm (chỉ số 0,74996)" in page
    assert NOTE in page
    ticks = re.findall(r'fill="#404040">([^<]+)</text>', page)
    assert ticks[:5] == ["0", "0,25", "0,5", "0,75", "1"] and not any(t.endswith("%") for t in ticks)
