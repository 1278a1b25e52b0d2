"""The DTI-style sample campaign (samples/dti-mau-2024, issue 13): every rule in a realistic set, in points
scale, its inbox made by samples/make_inbox.py from facts.csv (two forms re-saved by LibreOffice as .ods and
.xls); it builds with no finding and the points follow from the facts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from egov_xlsx import layout, pipeline
from egov_xlsx.config import load_campaign
from egov_xlsx.model.rule import RULE_KINDS
from tests.conftest import REPO

SAMPLE = REPO / "samples" / "dti-mau-2024"
D = Decimal


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[pipeline.BuildOutcome, dict[str, dict[str, object]]]:
    outcome = pipeline.build(SAMPLE, tmp_path_factory.mktemp("dti") / "out")
    data = json.loads((outcome.folder / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    return outcome, {u["code"]: u for u in data["tiers"][0]["units"]}


def test_the_sample_uses_every_rule_in_points_scale() -> None:
    tier = load_campaign(SAMPLE).tiers[0]
    kinds = {c.rule.kind for c in tier.leaves() if c.rule is not None}
    assert kinds == set(RULE_KINDS)
    assert any(c.rule is None for c in tier.leaves())  # criteria the council scores by hand stay as before
    ratios = [c.rule for c in tier.leaves() if c.rule is not None and c.rule.kind == "ratio"]
    assert any(r.steps for r in ratios) and any(not r.steps for r in ratios) and any(r.decimal for r in ratios)
    assert any(s.above for r in ratios for s in r.steps)
    assert tier.max == 80


def test_the_inbox_holds_office_formats() -> None:
    names = sorted(p.suffix for p in (SAMPLE / layout.INBOX).iterdir())
    assert names.count(".ods") == 1 and names.count(".xls") == 1 and names.count(".xlsx") == 6


def test_the_sample_builds_without_a_finding(built: tuple[pipeline.BuildOutcome, dict[str, dict[str, object]]]) -> None:
    outcome, units = built
    assert outcome.published and outcome.report.findings == ()
    assert [u for u in units] == ["STTTT", "SNV", "SKHDT", "STP", "STC", "SYT", "BQLKKT", "SGDDT"]
    assert units["STTTT"]["total"] == D("79.33") and units["STTTT"]["band"] == "Tốt"


def test_points_follow_the_facts(built: tuple[pipeline.BuildOutcome, dict[str, dict[str, object]]]) -> None:
    _, units = built
    sttt = units["STTTT"]
    facts, scores = sttt["facts"], sttt["scores"]
    assert isinstance(facts, dict) and isinstance(scores, dict)
    assert facts["3.2"]["a"] == 3921 and facts["3.2"]["b"] == 3987  # type: ignore[index]
    assert scores["3.2"] == D("9.83")  # 3921/3987 × 10 = 9,834... -> 9,83 (rounded once, half up)
    assert scores["1.2"] == 5  # 24 × 0,25 = 6, capped at 5
    assert scores["1.3"] == 5  # 52/58 = 89,7 % >= 80 %
    assert scores["2.3"] == 5 and facts["2.3"]["a"] == D("1850.5")  # 8,69 % of the spending >= 5 %
    assert scores["3.3"] == 5 and facts["3.3"]["label"].startswith("Toàn bộ quy trình")  # type: ignore[index]
    bql = units["BQLKKT"]
    assert bql["not_applicable"] == ["3.1"] and bql["max"] == 70
    assert bql["scores"]["1.3"] == 0  # type: ignore[index]  # 0 of 26 trained: not above 0 %


def test_the_long_level_list_is_on_the_tools_list_sheet(tmp_path: Path) -> None:
    import openpyxl

    form = pipeline.make_forms(SAMPLE, tmp_path)[0]
    wb = openpyxl.load_workbook(form)
    assert layout.LIST_SHEET in wb.sheetnames and wb[layout.LIST_SHEET].sheet_state == "hidden"


def test_year_over_year_matches_rule_based_criteria_by_code(
    built: tuple[pipeline.BuildOutcome, dict[str, dict[str, object]]], tmp_path: Path
) -> None:
    """Next year's campaign with the same rule-based criteria reads this year's results.json: every unit and
    criterion matched by code, no criterion added or removed."""
    import tomllib

    from egov_xlsx.config import parse_campaign
    from egov_xlsx.rules.previous import load_previous

    outcome, _ = built
    text = (SAMPLE / "egov.toml").read_text(encoding="utf-8")
    text = text.replace("year = 2024", "year = 2025").replace('id = "dti-mau-2024"', 'id = "dti-mau-2025"')
    campaign = parse_campaign(tomllib.loads(text), path=tmp_path / "egov.toml")
    previous = load_previous(outcome.folder / pipeline.NAMES.json, campaign)
    assert previous.year == 2024 and len(previous.standings["so-nganh"]) == 8
    assert previous.findings == ()
