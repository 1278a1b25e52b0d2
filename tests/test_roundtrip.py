"""Forms made by `egov-xlsx forms`, filled with openpyxl (no cached values), read back by `build`."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import openpyxl

from egov_xlsx import layout, pipeline
from egov_xlsx.config import CONFIG_NAME
from tests.factories import SMALL_TOML


def test_scores_written_are_the_scores_read(tmp_path: Path) -> None:
    campaign = tmp_path / "thu-2024"
    (campaign / "inbox").mkdir(parents=True)
    (campaign / CONFIG_NAME).write_text(SMALL_TOML, encoding="utf-8")
    forms = pipeline.make_forms(campaign)
    rnd = random.Random(7)
    written: dict[str, dict[str, Decimal]] = {}
    for form in forms:
        wb = openpyxl.load_workbook(form)
        ws = wb[layout.FORM_SHEET]
        unit = str(wb[layout.META_SHEET]["B4"].value)
        scores: dict[str, Decimal] = {}
        for row in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
            code = ws.cell(row, layout.COL_CODE + 1).value
            if code in {"1.1", "1.2", "2.1", "2.2"}:
                top = 10 if code.startswith("1") else 5  # 2.1 + 2.2 stay under the cap of 10
                value = Decimal(rnd.randint(0, top * 100)) / 100
                ws.cell(row, layout.COL_SCORE + 1).value = float(value)
                scores[code] = value
        wb.save(campaign / "inbox" / form.name)
        written[unit] = scores
    outcome = pipeline.build(campaign, tmp_path / "out")
    assert outcome.published, [f.message for f in outcome.report.findings]
    data = json.loads((tmp_path / "out" / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    units = {u["code"]: u for u in data["tiers"][0]["units"]}
    assert set(units) == set(written) == {"A", "B", "C", "D"}
    for code, scores in written.items():
        got = units[code]
        for leaf, value in scores.items():
            assert Decimal(got["scores"][leaf]) == value
        assert Decimal(got["total"]) == sum(scores.values(), Decimal(0))


def test_notes_that_are_numbers_or_blank_are_read_as_typed(tmp_path: Path) -> None:
    """A 0 typed as the evidence note is a note ("0"), not a missing one; an empty note cell is ""."""
    from egov_xlsx.read import form_parser, gate

    campaign = tmp_path / "thu-2024"
    campaign.mkdir()
    (campaign / CONFIG_NAME).write_text(SMALL_TOML, encoding="utf-8")
    form = pipeline.make_forms(campaign)[0]
    wb = openpyxl.load_workbook(form)
    ws = wb[layout.FORM_SHEET]
    notes = {"1.1": 0, "1.2": 12.5, "2.1": "  Báo cáo   số 3  ", "2.2": None}
    for row in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
        code = ws.cell(row, layout.COL_CODE + 1).value
        if code in notes:
            ws.cell(row, layout.COL_NOTE + 1).value = notes[code]
    wb.save(form)
    admitted = gate.admit(form)
    assert admitted.content is not None
    reading, problems = form_parser.read_form(admitted.source, admitted.content)
    assert reading is not None and problems == []
    read = {r.code: r.note for r in reading.rows if r.code in notes}
    assert read == {"1.1": "0", "1.2": "12.5", "2.1": "Báo cáo số 3", "2.2": ""}
