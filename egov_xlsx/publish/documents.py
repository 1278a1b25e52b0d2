"""Word documents in the official format (Nghị định 30/2020/NĐ-CP, Phụ lục I).

* :func:`write_decision`: the People's Committee's decision publishing the results ("QUYẾT ĐỊNH Công bố kết
  quả ..."), with its results annex (Phụ lục) in a landscape section.
* :func:`write_announcement`: the plain-text announcement laid out as a .docx.

Both write straight to ``path`` (the caller makes it atomic) and give identical bytes for identical inputs.
Their wording is :mod:`egov_xlsx.publish.document_texts`; every figure goes through :mod:`egov_xlsx.vietnamese`, the one number formatter.

"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from egov_xlsx.findings import make
from egov_xlsx.model import Campaign, Display, Finding, Results, TierResult, UnitResult
from egov_xlsx.publish import docx_layout as lay
from egov_xlsx.publish import docx_rows, docx_save, docx_tables
from egov_xlsx.publish.charts import tier_chart
from egov_xlsx.publish.document_texts import (
    _issuer,
    _stamp,
    annex_notes,
    annex_reference,
    article_texts,
    decision_subject,
    issuing_lines,
    legal_grounds,
    number_text,
    place_date,
    recipient_lines,
    results_phrase,
    short_name,
    signer_titles,
)
from egov_xlsx.publish.docx_chart import add_chart
from egov_xlsx.publish.docx_layout import BODY_PT, CENTER, JUSTIFY, LEFT
from egov_xlsx.rules.index_scale import index_figure
from egov_xlsx.rules.scoring import band_figures
from egov_xlsx.style import DRAFT_MARK
from egov_xlsx.vietnamese import clean, format_number

NO_SIGNER = "document-no-signer"

_INDENT_CM = 1.0
_AFTER_PT = 6.0
_LINE = 1.15
#: A numbered section line of the announcement text ("2. Ủy ban nhân dân cấp huyện").
_SECTION_HEADING = re.compile(r"^\d{1,2}\. \S")

# Header block: left column (issuing body, number), right column (national motto, place and date).
_HEAD_CM = (6.3, lay.PORTRAIT_TEXT_CM - 6.3)
# Signature block: left column (recipients), right column (signer).
_SIGN_CM = (7.5, lay.PORTRAIT_TEXT_CM - 7.5)

#: Below this width a score column's header shows the criterion's code only, names go to a legend.
_NAMED_COLUMN_CM = 1.8
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


# --------------------------------------------------------------------------- public API


def write_decision(results: Results, path: Path) -> list[Finding]:
    """Write the decision publishing ``results``, with its landscape annex, to ``path`` (.docx).

    Returns warnings: ``document-no-signer`` when ``[document] signer_name`` is empty (the name is left blank).
    """
    campaign = results.campaign
    info = campaign.document
    findings: list[Finding] = []
    if not info.signer_name:
        findings.append(make(NO_SIGNER))
    document = lay.new_document()
    first_header = lay.add_page_numbers(document.sections[0])
    if results.draft:
        _draft_mark(first_header, lay.PORTRAIT_TEXT_CM)
    _header_block(document, campaign)
    subject = decision_subject(campaign)
    lay.add_paragraph(document, "QUYẾT ĐỊNH", size=BODY_PT, bold=True, align=CENTER, before_pt=18)
    subject_cm = lay.text_width_cm(subject, BODY_PT, bold=True)
    lay.balance_lines(
        lay.add_paragraph(document, subject, size=BODY_PT, bold=True, align=CENTER), subject_cm, lay.PORTRAIT_TEXT_CM
    )
    rule = min(subject_cm, lay.PORTRAIT_TEXT_CM) / 3
    lay.add_rule(document, min(rule, 5.0), lay.PORTRAIT_TEXT_CM, before_pt=4, after_pt=12)
    lay.add_paragraph(document, _issuer(campaign).upper(), bold=True, align=CENTER, after_pt=_AFTER_PT)
    for ground in legal_grounds(campaign):
        _body(document, ground, italic=True)
    lay.add_paragraph(document, "QUYẾT ĐỊNH:", bold=True, align=CENTER, before_pt=6, after_pt=_AFTER_PT)
    articles = article_texts(results)
    for number, text in enumerate(articles, start=1):
        # The last article stays on the signature's page: a signature never stands alone.
        paragraph = _body(document, "", keep_next=number == len(articles))
        lay.add_run(paragraph, f"Điều {number}. ", BODY_PT, bold=True)
        lay.add_run(paragraph, text, BODY_PT)
    _signature_block(document, campaign)
    rows = _annex(document, results)
    docx_save.save_reproducible(document, path, when=_stamp(campaign), title=f"Quyết định {subject}", rows=rows)
    return findings


def write_announcement(results: Results, text: str, path: Path) -> None:
    """Lay out the plain-text announcement as a .docx.

    ``text`` has one paragraph per line (empty lines only separate); the first non-empty line is the title
    (bold, centred), lines starting "- " are list items; a draft is marked "DỰ THẢO" at the top.
    """
    lines = [clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if results.draft and lines and lines[0].upper() == DRAFT_MARK:
        lines = lines[1:]  # the draft mark has its own box in the header
    document = lay.new_document()
    first_header = lay.add_page_numbers(document.sections[0])
    if results.draft:
        _draft_mark(first_header, lay.PORTRAIT_TEXT_CM)
    title = lines[0] if lines else decision_subject(results.campaign)
    heading = lay.add_paragraph(document, title, size=BODY_PT, bold=True, align=CENTER, after_pt=12, line=_LINE)
    lay.balance_lines(heading, lay.text_width_cm(title, BODY_PT, bold=True), lay.PORTRAIT_TEXT_CM)
    charted = {f"{n}. {clean(t.tier.name)}": t for n, t in enumerate(results.tiers, start=1) if t.ranked}
    for line in lines[1:]:
        if _SECTION_HEADING.match(line):  # "1. Sở, ban, ngành": a section of the announcement
            lay.add_paragraph(
                document, line, bold=True, align=JUSTIFY, before_pt=6, after_pt=_AFTER_PT, line=_LINE, keep_next=True
            )
            if line in charted:  # the tier's chart under its heading
                _tier_chart(document, results, charted.pop(line))
        else:
            _body(document, line)
    for tier in charted.values():  # a campaign's own template without the usual section headings
        _tier_chart(document, results, tier)
    docx_save.save_reproducible(document, path, when=_stamp(results.campaign), title=title)


def _tier_chart(document: Any, results: Results, tier: TierResult) -> None:
    """The tier's chart (:func:`egov_xlsx.publish.charts.tier_chart`) as a native Word chart, full width."""
    index = results.tiers.index(tier) + 1
    height = 8.0 if len(tier.ranked) <= 12 else 10.0
    paragraph = lay.add_paragraph(document, align=CENTER, after_pt=_AFTER_PT)
    decimals = results.campaign.display.percent_decimals
    add_chart(
        document, paragraph, tier_chart(results, tier), index, width_cm=lay.PORTRAIT_TEXT_CM, height_cm=height,
        decimals=decimals,
    )  # fmt: skip


# --------------------------------------------------------------------------- decision layout


def _body(document: Any, text: str, *, italic: bool = False, keep_next: bool = False) -> Any:
    return lay.add_paragraph(
        document,
        text,
        italic=italic,
        align=JUSTIFY,
        first_line_cm=_INDENT_CM,
        after_pt=_AFTER_PT,
        line=_LINE,
        keep_next=keep_next,
    )


def _draft_mark(container: Any, width_cm: float) -> None:
    """ "DỰ THẢO" boxed at the top right: in the first page's header (it takes no room from the text)."""
    lay.add_box(container, DRAFT_MARK, width_cm)


def _header_block(document: Any, campaign: Campaign) -> None:
    info = campaign.document
    table = docx_tables.add_table(document, _HEAD_CM, rows=2)
    left, right = table.rows[0].cells
    for text, bold in issuing_lines(campaign):
        lay.add_paragraph(left, text, size=13, bold=bold, align=CENTER)
    issuing = max((t for t, bold in issuing_lines(campaign) if bold), key=len, default="")
    issuing_cm = min(lay.text_width_cm(issuing, 13, bold=True), _HEAD_CM[0])
    lay.add_rule(left, max(issuing_cm / 2, 1.5), _HEAD_CM[0], before_pt=3)
    lay.add_paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=CENTER)
    motto = "Độc lập - Tự do - Hạnh phúc"
    lay.add_paragraph(right, motto, size=13, bold=True, align=CENTER)
    lay.add_rule(right, lay.text_width_cm(motto, 13, bold=True), _HEAD_CM[1], before_pt=3)
    number_cell, date_cell = table.rows[1].cells
    lay.add_paragraph(number_cell, number_text(info), size=13, align=CENTER, before_pt=6)
    lay.add_paragraph(date_cell, place_date(campaign), size=BODY_PT, italic=True, align=CENTER, before_pt=6)


def _signature_block(document: Any, campaign: Campaign) -> None:
    info = campaign.document
    table = docx_tables.add_table(document, _SIGN_CM, rows=1)
    docx_tables.mark_row(table.rows[0])
    left, right = table.rows[0].cells
    lay.add_paragraph(left, "Nơi nhận:", size=12, bold=True, italic=True, before_pt=6)
    for line in recipient_lines(info):
        lay.add_paragraph(left, line, size=11)
    for n, title in enumerate(signer_titles(campaign)):
        lay.add_paragraph(right, title, bold=True, align=CENTER, before_pt=0 if n else 6)
    for _ in range(3):  # room for the signature and the seal
        lay.add_paragraph(right, "", align=CENTER)
    lay.add_paragraph(right, clean(info.signer_name), bold=True, align=CENTER)


# --------------------------------------------------------------------------- annex


def _annex(document: Any, results: Results) -> list[docx_rows.StreamedRows]:
    """The landscape annex: one results table per tier; returns the tables' unit rows, written on save."""
    campaign = results.campaign
    streams: list[docx_rows.StreamedRows] = []
    lay.add_landscape_section(document)
    if results.draft:
        _draft_mark(document, lay.LANDSCAPE_TEXT_CM)
    lay.add_paragraph(document, "Phụ lục", size=14, bold=True, align=CENTER)
    title = results_phrase(campaign).upper()
    lay.balance_lines(
        lay.add_paragraph(document, title, size=BODY_PT, bold=True, align=CENTER),
        lay.text_width_cm(title, BODY_PT, bold=True),
        lay.LANDSCAPE_TEXT_CM,
    )
    reference = annex_reference(campaign)
    lay.add_paragraph(document, reference, size=BODY_PT, italic=True, align=CENTER)
    width = min(lay.text_width_cm(reference, BODY_PT), lay.LANDSCAPE_TEXT_CM) / 3
    lay.add_rule(document, min(width, 5.0), lay.LANDSCAPE_TEXT_CM, before_pt=4, after_pt=6)
    for index, tier in enumerate(results.tiers):
        roman = _ROMAN[index] if index < len(_ROMAN) else str(index + 1)
        heading = f"{roman}. {clean(tier.tier.name).upper()}"
        lay.add_paragraph(document, heading, size=13, bold=True, before_pt=12, after_pt=6, keep_next=True)
        legend = _results_table(document, tier, campaign.display, streams)
        notes = ([legend] if legend else []) + annex_notes(tier, draft=results.draft, display=campaign.display)
        if notes:
            lay.add_paragraph(document, "Ghi chú:", size=12, bold=True, italic=True, before_pt=6, keep_next=True)
        for note in notes:
            lay.add_paragraph(document, f"- {note}", size=12, italic=True, align=JUSTIFY)
    return streams


def _column_widths(n_scores: int, *, index: bool = False) -> list[float]:
    fixed = {"stt": 1.0, "total": 1.9, "rank": 1.6, "band": 2.1}
    if index:  # the Chỉ số column, between the total and the rank
        fixed = {"stt": 1.0, "total": 1.9, "index": 1.9, "rank": 1.6, "band": 2.1}
    name = 6.0
    rest = lay.LANDSCAPE_TEXT_CM - sum(fixed.values()) - name
    each = rest / n_scores if n_scores else 0.0
    if n_scores and each < 1.5:
        name = 4.5
        each = (rest + 1.5) / n_scores
    figures = [fixed["total"], fixed["index"]] if index else [fixed["total"]]
    return [fixed["stt"], name, *([each] * n_scores), *figures, fixed["rank"], fixed["band"]]


def _results_table(document: Any, tier: TierResult, display: Display, streams: list[docx_rows.StreamedRows]) -> str:
    """The tier's results table; returns a legend of the score columns when they are too narrow for names.

    An index campaign's table has a Chỉ số column after the total (the index, as the texts print it).
    """
    criteria = tier.tier.criteria
    adjustments = tier.tier.adjustments
    index = display.index
    widths = _column_widths(len(criteria) + len(adjustments), index=index)
    compact = len(widths) > 5 and widths[2] < _NAMED_COLUMN_CM
    table = docx_tables.add_table(document, widths, rows=0, borders=True)
    header = docx_tables.add_row(table, widths, header=True)
    if compact:
        criterion_labels = [f"TC {c.code}" for c in criteria]
        adjustment_labels = [clean(a.code) for a in adjustments]
    else:
        # A zero-width space after "/" lets "Trang/Cổng" wrap there rather than inside a word.
        criterion_labels = [f"{c.code}. {short_name(c.name)}".replace("/", "/\u200b") for c in criteria]
        adjustment_labels = [clean(a.name) for a in adjustments]
    labels = [
        ("STT", ""),
        ("Đơn vị", ""),
        *((label, f"({format_number(c.max)})") for label, c in zip(criterion_labels, criteria, strict=True)),
        *((label, "") for label in adjustment_labels),
        ("Tổng điểm", f"({format_number(tier.tier.max)})"),
        *((("Chỉ số", ""),) if index else ()),
        ("Xếp hạng", ""),
        ("Xếp loại", ""),
    ]
    for cell, (label, sub) in zip(header.cells, labels, strict=True):
        lay.add_paragraph(cell, label, size=10, bold=True, align=CENTER)
        if sub:
            lay.add_paragraph(cell, sub, size=10, bold=True, align=CENTER)
    docx_tables.center_cells(header)
    maxima = docx_tables.add_row(table, widths, header=True)
    max_texts = [
        "",
        "Điểm tối đa",
        *(format_number(c.max) for c in criteria),
        *("" for _ in adjustments),
        format_number(tier.tier.max),
        *(("1",) if index else ()),
        "",
        "",
    ]
    for col, (cell, text) in enumerate(zip(maxima.cells, max_texts, strict=True)):
        lay.add_paragraph(cell, text, size=11, bold=True, italic=col == 1, align=LEFT if col == 1 else CENTER)
    docx_tables.center_cells(maxima)

    def unit_row(table: Any, texts: Sequence[str]) -> Any:
        row = docx_tables.add_row(table, widths)
        for col, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            lay.add_paragraph(cell, text, size=11, bold=col == len(widths) - 3, align=LEFT if col == 1 else CENTER)
        docx_tables.center_cells(row)
        return row

    rows = docx_rows.StreamedRows(table, unit_row)
    for number, result in enumerate(tier.units, start=1):
        rows.add(_row_texts(number, result, tier, display))
    streams.append(rows)
    if not compact:
        return ""
    legend = [f"TC {c.code}: {clean(c.name)}" for c in criteria] + [
        f"{clean(a.code)}: {clean(a.name)}" for a in adjustments
    ]
    return "Các cột điểm: " + "; ".join(legend) + "."


def _row_texts(number: int, result: UnitResult, tier: TierResult, display: Display) -> list[str]:
    scores = [result.scores.get(c.code) for c in tier.tier.criteria]
    index = (format_number(index_figure(tier.tier.bands, result), display.index_decimals),) if display.index else ()
    return [
        format_number(number),
        clean(result.unit.name),
        *(format_number(s) if s is not None else "–" for s in scores),
        *(format_number(result.adjustments.get(a.code, 0)) for a in tier.tier.adjustments),
        format_number(band_figures(tier.tier.bands, result)[0], display.total_decimals),
        *index,
        format_number(result.rank) if result.rank is not None else "–",
        result.band or "",
    ]
