"""Real scoring rules through `build`, on small campaigns made in code, against hand-computed values."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from egov_xlsx import layout, pipeline
from egov_xlsx.config import CONFIG_NAME
from tests.conftest import REPO
from tests.factories import SMALL_TOML

D = Decimal


def make_campaign(folder: Path, toml: str, filled: Mapping[str, Mapping[str, object]]) -> Path:
    """A campaign folder whose inbox holds forms made by egov-xlsx and filled as a unit would (openpyxl).

    ``filled`` maps unit code -> criterion code -> score, or "x" to mark the criterion not applicable.
    """
    (folder / "inbox").mkdir(parents=True)
    (folder / CONFIG_NAME).write_text(toml, encoding="utf-8")
    for form in pipeline.make_forms(folder, folder / "forms"):
        wb = openpyxl.load_workbook(form)
        unit = {str(r[0].value): str(r[1].value) for r in wb[layout.META_SHEET].iter_rows()}[layout.META_UNIT]
        if unit not in filled:
            continue
        ws = wb[layout.FORM_SHEET]
        header = [str(c.value or "") for c in ws[layout.HEADER_ROW]]
        na_col = header.index(layout.HEADER_NA) + 1 if layout.HEADER_NA in header else None
        for row in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
            code = ws.cell(row, 1).value
            value = filled[unit].get(str(code)) if code else None
            if value == "x":
                assert na_col is not None
                ws.cell(row, na_col).value = "x"
            elif value is not None:
                ws.cell(row, layout.COL_SCORE + 1).value = value
        wb.save(folder / "inbox" / form.name)
    return folder


def build(folder: Path) -> tuple[dict[str, Any], str, Path]:
    out = folder.parent / f"{folder.name}-out"
    outcome = pipeline.build(folder, out)
    assert outcome.published, [f.message for f in outcome.report.findings if f.is_error]
    data = json.loads((out / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    return data, (out / pipeline.NAMES.text).read_text(encoding="utf-8"), out


def units(data: dict[str, Any], tier: int = 0) -> dict[str, dict[str, Any]]:
    return {u["code"]: u for u in data["tiers"][tier]["units"]}


FULL = {"1.1": 8, "1.2": 6, "2.1": 5, "2.2": 4}


def test_not_applicable_shrinks_the_units_own_maximum(tmp_path: Path) -> None:
    toml = SMALL_TOML.replace(
        'name = "Một chấm hai"\nmax = 10', 'name = "Một chấm hai"\nmax = 10\nnot_applicable = ["B"]'
    )
    folder = make_campaign(
        tmp_path / "na",
        toml,
        {
            "A": {"1.1": 10, "1.2": 5, "2.1": 4, "2.2": 3},  # 22 of 30 = 73.3 %
            "B": {"1.1": 10, "1.2": "x", "2.1": 4, "2.2": 3},  # 17 of 20 = 85 %: Tốt, first
            "C": FULL,  # 8 + 6 + 9 = 23 of 30 = 76.7 %
            "D": {"1.1": 1, "1.2": 1, "2.1": 1, "2.2": 1},  # 4 of 30
        },
    )
    data, text, _ = build(folder)
    got = units(data)
    assert got["B"]["max"] == 20 and got["B"]["total"] == 17 and got["B"]["percent"] == 85
    assert got["B"]["not_applicable"] == ["1.2"] and "1.2" not in got["B"]["scores"]
    assert [(c, got[c]["rank"], got[c]["band"]) for c in ("B", "C", "A", "D")] == [
        ("B", 1, "Tốt"), ("C", 2, "Khá"), ("A", 3, "Khá"), ("D", 4, "Yếu"),
    ]  # fmt: skip
    assert "Đơn vị B" in text and "không áp dụng" in text.lower()
    # Marking a criterion the unit may not mark is an error that blocks publishing (every unit has the
    # column here because 2.2 may be marked by all).
    toml_all = toml.replace('name = "Hai chấm hai"\nmax = 8', 'name = "Hai chấm hai"\nmax = 8\nnot_applicable = true')
    bad = make_campaign(tmp_path / "na-bad", toml_all, {"A": {**FULL, "1.2": "x"}, "B": FULL, "C": FULL, "D": FULL})
    report = pipeline.check(bad)
    assert [(f.code, f.unit) for f in report.errors] == [("na-not-allowed", "A")]


def test_unranked_units_are_scored_shown_but_not_ranked(tmp_path: Path) -> None:
    toml = SMALL_TOML.replace(
        'name = "Đơn vị A"', 'name = "Đơn vị A"\nranked = false\nunranked_reason = "Cơ quan Trung ương"'
    )
    top = {"1.1": 10, "1.2": 10, "2.1": 5, "2.2": 5}
    folder = make_campaign(tmp_path / "unranked", toml, {"A": top, "B": FULL, "C": {**FULL, "1.1": 2}, "D": FULL})
    data, text, _ = build(folder)
    got = units(data)
    assert got["A"]["rank"] is None and got["A"]["total"] == 30 and got["A"]["unranked_reason"] == "Cơ quan Trung ương"
    assert [(c, got[c]["rank"]) for c in ("B", "D", "C")] == [("B", 1), ("D", 1), ("C", 3)]
    assert "Dẫn đầu là Đơn vị B" in text or "Đơn vị B và Đơn vị D" in text
    assert "Cơ quan Trung ương" in text
    band_line = next(line for line in text.splitlines() if line.startswith("Xếp hạng chung"))
    assert "2 đơn vị xếp loại Khá, 1 đơn vị xếp loại Trung bình" in band_line  # A is not counted


def test_ties_share_a_rank_and_tie_breakers_split_them(tmp_path: Path) -> None:
    scores = {
        "A": {"1.1": 9, "1.2": 9, "2.1": 1, "2.2": 1},  # 20, criterion 2 = 2
        "B": {"1.1": 10, "1.2": 10, "2.1": 4, "2.2": 4},  # 28
        "C": {"1.1": 7, "1.2": 7, "2.1": 3, "2.2": 3},  # 20, criterion 2 = 6
        "D": {"1.1": 5, "1.2": 5, "2.1": 2, "2.2": 2},  # 14
    }
    data, text, _ = build(make_campaign(tmp_path / "ties", SMALL_TOML, scores))
    got = units(data)
    assert [got[c]["rank"] for c in "BACD"] == [1, 2, 2, 4]
    assert got["A"]["shared_rank"] and got["C"]["shared_rank"]
    assert "đồng hạng" in text
    breaker = SMALL_TOML.replace('name = "Khối thử"\n', 'name = "Khối thử"\ntie_breakers = ["2"]\n')
    data, _, out = build(make_campaign(tmp_path / "broken", breaker, scores))
    got = units(data)
    assert [got[c]["rank"] for c in "BCAD"] == [1, 2, 3, 4]
    assert "được phân định theo điểm tiêu chí 2" in got["C"]["tie_note"]
    wb = openpyxl.load_workbook(out / pipeline.NAMES.workbook)
    cells = [c.value for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert sum("được phân định theo điểm tiêu chí 2" in v for v in cells) == 1  # once, not once per unit


def test_three_tiers_with_more_than_a_hundred_communes(tmp_path: Path) -> None:
    from egov_xlsx.config import load_campaign
    from samples.make_inbox import make_inbox, random_scores

    folder = tmp_path / "tinh-mau-2024"
    shutil.copytree(REPO / "samples" / "tinh-mau-2024", folder)
    make_inbox(folder, random_scores(load_campaign(folder), 2024))
    data, text, out = build(folder)
    tiers = {t["id"]: t for t in data["tiers"]}
    assert list(tiers) == ["so-nganh", "cap-huyen", "cap-xa"]
    communes = tiers["cap-xa"]["units"]
    assert len(communes) == 108
    ranks = sorted(u["rank"] for u in communes)
    assert ranks[0] == 1 and all(1 <= r <= 108 for r in ranks)
    # Ranks are 1 + the number of units with a strictly higher total (ties share, the next is skipped).
    for u in communes:
        assert u["rank"] == 1 + sum(v["total"] > u["total"] for v in communes)
    unranked = next(u for u in tiers["so-nganh"]["units"] if u["code"] == "CT")
    assert unranked["rank"] is None
    assert "Ủy ban nhân dân cấp xã" in text
    assert (out / pipeline.NAMES.decision).is_file()
