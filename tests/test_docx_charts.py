"""Native Word charts: the announcement's chart per tier and each card's chart; rebuilds give the same bytes."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

import egov_xlsx
from egov_xlsx.model import Results
from egov_xlsx.publish.charts import band_colours
from egov_xlsx.publish.outputs import CARDS_FOLDER
from egov_xlsx.publish.unit_summary import summarize
from egov_xlsx.rules.scoring import band_figures
from egov_xlsx.vietnamese import shown_figure
from tests.conftest import SAMPLE

C = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    out = tmp_path_factory.mktemp("charts") / "out"
    outcome = egov_xlsx.build(SAMPLE, out)
    assert outcome.results is not None
    return out, outcome.results


def _charts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in sorted(z.namelist()) if n.startswith("word/charts/")}


def _series(chart: etree._Element) -> list[tuple[str, list[str], list[str]]]:
    found = []
    for ser in chart.iterfind(".//c:ser", C):
        name = ser.findtext("c:tx/c:v", namespaces=C)
        cats = [v.text for v in ser.iterfind("c:cat//c:pt/c:v", C)]
        vals = [v.text for v in ser.iterfind("c:val//c:pt/c:v", C)]
        found.append((name, cats, vals))
    return found


def test_the_announcement_has_a_chart_per_tier(built: tuple[Path, Results]) -> None:
    out, results = built
    charts = _charts(out / "thong-bao.docx")
    assert list(charts) == [f"word/charts/chart{n}.xml" for n in range(1, len(results.tiers) + 1)]
    for (_, chart), tier in zip(charts.items(), results.tiers, strict=True):
        bars, *thresholds = _series(chart)
        # Ranked units only, in rank order, each at the percent the texts print.
        assert bars[1] == [r.unit.name for r in tier.ranked]
        decimals = results.campaign.display.percent_decimals
        expected = [shown_figure(band_figures(tier.tier.bands, r)[1], decimals, truncate=True) for r in tier.ranked]
        assert [Decimal(v) for v in bars[2]] == expected
        # The band thresholds, one dashed line each.
        assert [t[0] for t in thresholds] == [f"Ngưỡng {b.name}" for b in tier.tier.bands if b.min_percent > 0]
        assert all(set(t[2]) == {str(b.min_percent)} for t, b in zip(thresholds, tier.tier.bands, strict=False))
        # Bars coloured by band.
        colours = band_colours(tier.tier)
        fills = {
            int(p.find("c:idx", C).get("val")): p.find(".//a:srgbClr", C).get("val")
            for p in chart.iterfind(".//c:dPt", C)
        }
        main = chart.find(".//c:ser/c:spPr//a:srgbClr", C).get("val")
        for i, r in enumerate(tier.ranked):
            assert fills.get(i, main) == colours[r.band or ""][2].lstrip("#").upper()


def test_each_card_has_its_own_chart(built: tuple[Path, Results]) -> None:
    out, results = built
    for s in summarize(results)[:5]:
        card = next((out / CARDS_FOLDER).glob(f"{s.code} - *.docx"))
        charts = _charts(card)
        assert len(charts) == 1
        unit, average = _series(next(iter(charts.values())))
        assert unit[1] == [f"TC {line.criterion.code}" for line in s.top_lines]
        decimals = s.percent_decimals
        assert [Decimal(v) for v in unit[2]] == [
            shown_figure(line.percent, decimals, truncate=True) for line in s.top_lines if line.percent is not None
        ]
        assert average[0] == "Trung bình khối"
    with zipfile.ZipFile(out / "phieu-ket-qua.docx") as z:
        assert len([n for n in z.namelist() if n.startswith("word/charts/chart")]) == len(summarize(results))


def test_rebuilds_are_byte_identical(built: tuple[Path, Results], tmp_path: Path) -> None:
    first, _ = built
    again = tmp_path / "again"
    egov_xlsx.build(SAMPLE, again)
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file() and p.name != ".egov-xlsx.lock")
    assert names == sorted(
        p.relative_to(again) for p in again.rglob("*") if p.is_file() and p.name != ".egov-xlsx.lock"
    )
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name


def test_chart_texts_are_escaped() -> None:
    from egov_xlsx.publish.charts import Bar, BarChart, Threshold
    from egov_xlsx.publish.docx_chart import chart_xml

    hostile = 'Sở <b>"A"</b> & </c:v>'
    chart = BarChart(
        "T <x>",
        "S & s",
        "",
        (Bar(hostile, Decimal("85.5"), "85%", "#70AD47"),),
        (Threshold("Tốt", Decimal(85), "#70AD47"),),
    )
    parsed = etree.fromstring(chart_xml(chart, 0))
    assert _series(parsed)[0][1] == [hostile]
    assert parsed.findtext(".//a:t", namespaces=C) == "T <x>"
