"""The results page ``ket-qua.html``: self-contained, escaped, and right in a real browser (headless Chromium)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

import egov_xlsx
from egov_xlsx.model import Results
from egov_xlsx.publish.results_page import render_page
from egov_xlsx.publish.unit_summary import summarize
from egov_xlsx.rules.scoring import score_tier
from tests.browser import chromium
from tests.conftest import SAMPLE
from tests.factories import SMALL_TOML, campaign_from, submission


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    out = tmp_path_factory.mktemp("page") / "out"
    outcome = egov_xlsx.build(SAMPLE, out)
    assert outcome.results is not None
    return out, outcome.results


def _hostile() -> Results:
    text = SMALL_TOML.replace('name = "Đơn vị A"', 'name = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"')
    text = text.replace('name = "Khối thử"', 'name = "Khối <b>thử</b>"')
    campaign = campaign_from(text)
    tier = campaign.tiers[0]
    subs = {u: submission(tier, u, {"1.1": 5, "1.2": 5, "2.1": 4, "2.2": 4}) for u in ("A", "B")}
    return Results(campaign=campaign, tiers=(score_tier(tier, subs),))


def test_every_config_string_is_escaped() -> None:
    page = render_page(_hostile())
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>thử</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;" in page
    assert "Khối &lt;b&gt;thử&lt;/b&gt;" in page


def test_the_page_is_self_contained_and_reproducible(built: tuple[Path, Results]) -> None:
    out, results = built
    page = (out / "ket-qua.html").read_text(encoding="utf-8")
    # No resource fetched from anywhere: no src, no stylesheet link, no url() in the styles, no import.
    assert not re.search(r"\ssrc=|<link|url\(|@import|https?://(?!www\.w3\.org/2000/svg)", page)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert render_page(results) == page


def test_a_draft_page_says_so(built: tuple[Path, Results]) -> None:
    from dataclasses import replace

    _, results = built
    assert "DỰ THẢO" in render_page(replace(results, draft=True))
    assert "DỰ THẢO" not in render_page(results)


def _total_col(driver: Any, tier: int) -> int:
    labels: list[str] = driver.execute_script(
        f"return Array.from(document.querySelectorAll('#khoi-{tier}-bang thead th')).map(th => th.textContent.trim());"
    )
    return next(i for i, label in enumerate(labels) if label.startswith("Tổng điểm"))


def _rows(driver: Any, tier: int) -> list[list[str]]:
    script = f"""return Array.from(document.querySelectorAll('#khoi-{tier}-bang tbody tr'))
        .map(tr => Array.from(tr.cells).map(c => c.textContent.trim()));"""
    rows: list[list[str]] = driver.execute_script(script)
    return rows


def test_the_page_in_chromium(built: tuple[Path, Results], tmp_path: Path) -> None:
    out, results = built
    summaries = summarize(results)
    with chromium() as driver:
        driver.get((out / "ket-qua.html").as_uri())
        # Every unit's row is rendered, with the total the decision prints.
        for n, tier in enumerate(results.tiers, 1):
            shown = {row[1]: row for row in _rows(driver, n)}
            col = _total_col(driver, n)
            for s in (s for s in summaries if s.tier is tier):
                assert shown[s.name][col] == s.total_text, s.name
        # The charts have a size.
        sizes = driver.execute_script(
            "return Array.from(document.querySelectorAll('svg.chart')).map(s => s.getBoundingClientRect().height);"
        )
        assert len(sizes) == len(results.tiers) + len(summaries)
        first = driver.execute_script("return document.querySelector('#khoi-1 svg.chart').getBoundingClientRect();")
        assert first["width"] > 300 and first["height"] > 200
        # Sorting: by total, ascending then descending.
        total_col = _total_col(driver, 1)
        button = driver.find_elements("css selector", "#khoi-1-bang thead th button")[total_col]
        button.click()
        ascending = [Decimal(r[total_col].replace(".", "").replace(",", ".")) for r in _rows(driver, 1)]
        assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
        button.click()
        assert [Decimal(r[total_col].replace(".", "").replace(",", ".")) for r in _rows(driver, 1)] == sorted(
            ascending, reverse=True
        )
        # Filtering by name, diacritics or not.
        box = driver.find_element("id", "loc-ten")
        box.send_keys("so tu phap")
        visible = driver.execute_script(
            "return Array.from(document.querySelectorAll('table.ranking tbody tr')).filter(r => !r.hidden)"
            ".map(r => r.cells[1].textContent.trim());"
        )
        assert visible == ["Sở Tư pháp"]
        # No console errors; a screenshot and an A4 print.
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        shot = tmp_path / "page.png"
        assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        from selenium.webdriver.common.print_page_options import PrintOptions

        options = PrintOptions()
        options.page_width, options.page_height = 21.0, 29.7
        pdf = tmp_path / "page.pdf"
        pdf.write_bytes(base64.b64decode(driver.print_page(options)))
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout
        assert "Sở Kế hoạch và Đầu tư" in text.decode("utf-8")


def test_a_large_campaign_page_has_its_table_and_no_unit_sections(
    built: tuple[Path, Results], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Above the cards' limit, without the cards, the page is the tiers' tables (10,000 units' sections made a
    104 MB page); with the cards (their summaries given), every unit has its section again."""
    from egov_xlsx.publish import results_page

    _, results = built
    units = [u for t in results.tiers for u in t.units]
    monkeypatch.setattr(results_page, "CARDS_UP_TO", len(units) - 1)
    page = render_page(results)
    assert '<details class="unit"' not in page and "-don-vi" not in page  # no section, no link to one
    assert f"Đợt đánh giá có {len(units)} đơn vị: trang này không kèm phần kết quả chi tiết" in page
    for u in units:  # every unit is still in its tier's table, with its total
        assert re.search(
            rf'<th scope="row" class="name" data-v="[^"]*">{re.escape(str(escape(u.unit.name)))}</th>', page
        )
    with_cards = render_page(results, summarize(results))
    assert (
        with_cards.count('<details class="unit"') == len(units) and "không kèm phần kết quả chi tiết" not in with_cards
    )
    monkeypatch.setattr(results_page, "CARDS_UP_TO", len(units))
    assert render_page(results) == with_cards
    # In the browser: the filter works without sections, and nothing fails.
    path = tmp_path / "ket-qua.html"
    path.write_text(page, encoding="utf-8")
    with chromium() as driver:
        driver.get(path.as_uri())
        assert driver.execute_script("return document.querySelectorAll('svg.chart').length;") == len(results.tiers)
        driver.find_element("id", "loc-ten").send_keys("so tu phap")
        visible = driver.execute_script(
            "return Array.from(document.querySelectorAll('table.ranking tbody tr')).filter(r => !r.hidden)"
            ".map(r => r.cells[1].textContent.trim());"
        )
        assert visible == ["Sở Tư pháp"]
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []


def test_the_page_reads_without_javascript(built: tuple[Path, Results]) -> None:
    out, _ = built
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    with chromium(javascript=False) as driver:
        driver.get((out / "ket-qua.html").as_uri())
        for n, tier in enumerate(data["tiers"], 1):
            names = [row[1] for row in _rows(driver, n)]
            assert names == [u["name"] for u in tier["units"]]
        # The filter needs the script: without it, it stays hidden rather than do nothing.
        assert not driver.find_element("id", "loc").is_displayed()
