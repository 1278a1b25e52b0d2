"""The result cards: the printed document and one file per unit, their figures, drafts and stale cards."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

import egov_xlsx
from egov_xlsx.model import Results
from egov_xlsx.publish import card_output
from egov_xlsx.publish.card_files import make_cards
from egov_xlsx.publish.outputs import CARDS_FOLDER, CARDS_MANIFEST
from egov_xlsx.publish.unit_summary import FULL_TREE_LIMIT, summarize, summarize_unit
from egov_xlsx.rules.scoring import score_tier
from tests.conftest import SAMPLE
from tests.factories import SMALL_TOML, campaign_from, submission


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    out = tmp_path_factory.mktemp("cards") / "out"
    outcome = egov_xlsx.build(SAMPLE, out)
    assert outcome.results is not None
    return out, outcome.results


def _text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _cells(path: Path) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in docx.Document(str(path)).tables for row in t.rows]


def test_a_card_per_unit_named_ascii_safe(built: tuple[Path, Results]) -> None:
    out, results = built
    files = sorted(p.name for p in (out / CARDS_FOLDER).glob("*.docx"))
    summaries = summarize(results)
    assert len(files) == len(summaries) == 27
    assert "SKHDT - So Ke hoach va Dau tu.docx" in files
    assert all(name.isascii() for name in files)
    assert (out / CARDS_FOLDER / CARDS_MANIFEST).is_file()
    assert (out / "phieu-ket-qua.docx").is_file()


def test_each_card_holds_its_units_figures(built: tuple[Path, Results]) -> None:
    out, results = built
    for s in summarize(results):
        name = next((out / CARDS_FOLDER).glob(f"{s.code} - *.docx"))
        text = _text(name)
        assert s.name in text and f"{s.total_text}/{s.max_text} điểm ({s.own_percent_text}" in text
        assert s.rank_text in text and f"Xếp loại: {s.band_text}" in text
        rows = {row[0]: row for row in _cells(name)}
        for line in s.shown_lines:
            row = rows[f"{line.criterion.code}. {line.criterion.name}"]
            assert row[1:] == [
                s.score_text(line.points),
                s.score_text(line.criterion.max),
                s.average_text(line.average),
                s.score_text(line.best),
            ]
        for p in s.priorities:
            assert f"- {p.criterion.code}. {p.criterion.name}: " in text
        # The unit's file holds its card only.
        assert text.count("PHIẾU KẾT QUẢ") == 1


def test_cards_convert_with_libreoffice_one_page_each(built: tuple[Path, Results], tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext (poppler) is not installed")
    out, results = built
    one = next((out / CARDS_FOLDER).glob("SKHDT - *.docx"))
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out / "phieu-ket-qua.docx"), str(one)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    summaries = summarize(results)
    pages = (
        subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "phieu-ket-qua.pdf"), "-"], capture_output=True, check=True
        )
        .stdout.decode("utf-8")
        .split("\f")
    )
    pages = [p for p in pages if p.strip()]
    assert len(pages) == len(summaries)  # one A4 page a unit
    for page, s in zip(pages, summaries, strict=True):
        flat = re.sub(r"\s+", " ", page)
        assert s.name in flat and f"{s.total_text}/{s.max_text} điểm" in flat, s.name
        assert f"Xếp loại: {s.band_text}" in flat
    single = subprocess.run(
        ["pdftotext", str(tmp_path / f"{one.stem}.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert single.count("\f") <= 1 and "417,30/500 điểm" in single
    assert "Trung bình khối" in single and "TC 1" in single  # the chart, drawn by LibreOffice


def test_draft_cards_say_so_and_give_way_to_the_final_ones(sample_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    egov_xlsx.build(sample_copy, out, draft=True)
    drafts = sorted((out / CARDS_FOLDER).glob("*.docx"))
    assert drafts and all(p.stem.endswith("-du-thao") for p in drafts)
    with zipfile.ZipFile(drafts[0]) as z:
        assert any("DỰ THẢO" in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/header"))
    edited = drafts[1]
    edited.write_bytes(edited.read_bytes() + b"\0")  # the clerk changed this one: never deleted
    keep = out / CARDS_FOLDER / "ghi chu.txt"
    keep.write_text("của cán bộ", encoding="utf-8")
    egov_xlsx.build(sample_copy, out)
    left = sorted(p.name for p in (out / CARDS_FOLDER).iterdir() if p.name != CARDS_MANIFEST)
    assert edited.name in left and keep.name in left
    assert not [n for n in left if n.endswith("-du-thao.docx") and n != edited.name]
    assert len([n for n in left if not n.endswith("-du-thao.docx") and n.endswith(".docx")]) == 27


def test_large_campaigns_need_the_cards_option(
    sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(card_output, "CARDS_UP_TO", 20)  # the sample's 27 units stand for a large campaign
    out = tmp_path / "out"
    egov_xlsx.build(sample_copy, out)
    assert not (out / CARDS_FOLDER).exists() and not (out / "phieu-ket-qua.docx").exists()
    egov_xlsx.build(sample_copy, out, cards=True)
    assert len(list((out / CARDS_FOLDER).glob("*.docx"))) == 27


def test_big_criteria_sets_print_two_levels(tmp_path: Path) -> None:
    children = "".join(
        f'[[tiers.criteria.children.children]]\ncode = "1.1.{i}"\nname = "Lá {i}"\nmax = 1\n'
        for i in range(1, FULL_TREE_LIMIT)
    )
    text = SMALL_TOML.replace(
        'code = "1.1"\nname = "Một chấm một"\nmax = 10\n', 'code = "1.1"\nname = "Một chấm một"\n' + children
    )
    campaign = campaign_from(text)
    tier = campaign.tiers[0]
    scored = score_tier(tier, {"A": submission(tier, "A", {c.code: 1 for c in tier.leaves()})})
    results = Results(campaign=campaign, tiers=(scored,))
    summary = summarize_unit(results, scored, scored.units[0])
    made = make_cards(results, [summary], tmp_path / "cards.docx")
    rows = _cells(tmp_path / "cards.docx")
    assert [name for name, _ in made.unit_files()] == ["A - Don vi A.docx"]
    assert len(rows) == 1 + len(summary.shown_lines) < len(summary.lines)
    assert not any(r[0].startswith("1.1.1.") for r in rows)


def test_last_year_on_the_cards_and_the_page(built: tuple[Path, Results], tmp_path: Path) -> None:
    last_year, _ = built
    out = tmp_path / "out"
    outcome = egov_xlsx.build(SAMPLE.parent / "hung-yen-2019", out, previous=last_year)
    assert outcome.results is not None
    summaries = summarize(outcome.results)
    assert all(s.previous is not None for s in summaries)
    for s in summaries[:4]:
        card = next((out / CARDS_FOLDER).glob(f"{s.code} - *.docx"))
        assert f"So với năm trước: {s.previous_text}" in _text(card)
        assert s.previous_text.startswith("Năm 2018: hạng ")
    page = (out / "ket-qua.html").read_text(encoding="utf-8")
    assert "So với năm 2018" in page and summaries[0].previous_text in page


def test_cards_rebuilt_are_byte_identical_and_every_file_is_sound(tmp_path: Path) -> None:
    outcome = egov_xlsx.build(SAMPLE, tmp_path / "one")
    assert outcome.results is not None
    egov_xlsx.build(SAMPLE, tmp_path / "two")
    first = [*sorted((tmp_path / "one" / CARDS_FOLDER).glob("*.docx")), tmp_path / "one" / "phieu-ket-qua.docx"]
    assert len(first) == 28
    for path in first:
        twin = tmp_path / "two" / path.relative_to(tmp_path / "one")
        assert path.read_bytes() == twin.read_bytes(), path.name
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None, path.name  # every entry's CRC-32 and size check out
            body = z.read("word/document.xml").decode("utf-8")
        assert body.startswith("<?xml") and body.endswith("</w:document>"), path.name
        assert "egov-xlsx-cards" not in body  # the marker gave way to the cards
    # A unit's file holds the printed document's card of that unit, as python-docx reads both.
    printed = _text(tmp_path / "one" / "phieu-ket-qua.docx")
    for path in first[:-1]:
        assert _text(path) in printed
