"""The result cards (phiếu kết quả): one A4 page per unit, in the style of the decision's annex.

Each card says, for one unit: its total, percent, rank in its tier and band; a table of its criteria (its points,
the maximum, the tier's average and best; the top two levels only for sets of 40 criteria or more); its chart
(percent of each criterion's maximum against the tier's average); what the appraisal council changed and why; the
change from last year (with ``--previous``); its three priorities. The figures are those of
:mod:`egov_xlsx.publish.unit_summary`, so a card reads as the decision does.

:func:`build_cards` lays every card out once, in one python-docx document (the one printed); the per-unit files
are cut from its saved XML (:mod:`egov_xlsx.publish.card_files`), so a card costs a few milliseconds. A draft's
cards carry the boxed "DỰ THẢO" of every draft output.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docx.document import _Body
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from lxml import etree  # type: ignore[import-untyped]  # python-docx depends on lxml; no stubs

from egov_xlsx.model import Results
from egov_xlsx.publish import docx_layout as lay
from egov_xlsx.publish import docx_tables
from egov_xlsx.publish.charts import unit_chart
from egov_xlsx.publish.document_texts import annex_reference, results_phrase
from egov_xlsx.publish.docx_chart import add_chart
from egov_xlsx.publish.docx_layout import CENTER, JUSTIFY, LEFT
from egov_xlsx.publish.unit_summary import UnitSummary
from egov_xlsx.style import DRAFT_MARK

CARD_TITLE = "PHIẾU KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG"
#: Column widths (cm) of a card's criteria table: criterion, points, maximum, tier average, tier best.
_WIDTHS = (9.3, 1.7, 1.7, 1.9, 1.9)
_HEADERS = ("Tiêu chí", "Điểm", "Tối đa", "TB khối", "Cao nhất")
_TABLE_PT = 9.5
_TEXT_PT = 12.0
_SMALL_PT = 11.0
_CHART_CM = 4.4
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: The XML comment that starts each card in the printed document: where the per-unit files are cut.
MARKER = "egov-xlsx-card-{}"


@dataclass
class CardDocument:
    """The printed document of every card, laid out; ``markers`` start each card in its saved body."""

    document: Any
    summaries: Sequence[UnitSummary]
    markers: list[str] = field(default_factory=list)


def build_cards(results: Results, summaries: Sequence[UnitSummary]) -> CardDocument:
    """Lay out one page per unit; unit ``n``'s chart is the part ``word/charts/chart<n + 1>.xml``."""
    document = lay.new_document()
    section = document.sections[0]
    if results.draft:
        header = section.header
        header.is_linked_to_previous = False
        lay.add_box(header, DRAFT_MARK, lay.PORTRAIT_TEXT_CM)
    cards = CardDocument(document, summaries)
    rows = _RowTemplates(document)
    reference = annex_reference(results.campaign)
    phrase = results_phrase(results.campaign)
    subtitle = phrase[:1].upper() + phrase[1:]
    end = document.element.body.sectPr
    for index, summary in enumerate(summaries):
        # Each card is laid out in a body of its own, then moved before the section properties: python-docx
        # looks for those past every element of the body at each insert, which grows with every card.
        holder = OxmlElement("w:body")
        document.element.append(holder)  # in the same XML document: moving out of it is cheap
        page = _Page(holder, document)
        first = lay.add_paragraph(page, CARD_TITLE, size=_TEXT_PT, bold=True, align=CENTER)
        if index:
            first.paragraph_format.page_break_before = True
        marker = MARKER.format(index)
        first._p.addprevious(etree.Comment(marker))
        cards.markers.append(marker)
        _card(page, results, summary, rows, subtitle, reference)
        add_chart(
            document,
            lay.add_paragraph(page, align=CENTER),
            unit_chart(summary),
            index + 1,
            width_cm=lay.PORTRAIT_TEXT_CM,
            height_cm=_CHART_CM,
            decimals=summary.percent_decimals,
            titled=False,
        )
        _closing(page, summary)
        for child in list(holder):
            end.addprevious(child)
        document.element.remove(holder)
    return cards


class _Page(_Body):
    """A detached body one card is laid out in (tables take the text's width, as in the document)."""

    def add_table(self, rows: int, cols: int, width: Any = None) -> Any:
        return super().add_table(rows, cols, width if width is not None else Cm(lay.PORTRAIT_TEXT_CM))


def _card(document: Any, results: Results, s: UnitSummary, rows: _RowTemplates, subtitle: str, reference: str) -> None:
    lay.balance_lines(
        lay.add_paragraph(document, subtitle, size=_SMALL_PT, bold=True, align=CENTER),
        lay.text_width_cm(subtitle, _SMALL_PT, bold=True),
        lay.PORTRAIT_TEXT_CM,
    )
    lay.add_paragraph(document, reference, size=_SMALL_PT, italic=True, align=CENTER)
    lay.add_rule(document, 5.0, lay.PORTRAIT_TEXT_CM, before_pt=2, after_pt=4)
    lay.add_paragraph(document, s.name, size=13, bold=True, align=CENTER, after_pt=4)
    facts = [
        ("Tổng điểm: ", f"{s.total_text}/{s.max_text} điểm ({s.own_percent_text} điểm tối đa)"),
        (
            "Xếp hạng: ",
            f"{s.rank_text}, khối {s.tier.tier.name}"
            if s.result.rank is None
            else f"{s.rank_text} đơn vị được xếp hạng trong khối {s.tier.tier.name}",
        ),
        ("Xếp loại: ", s.band_text),
    ]
    if s.not_applicable_text:
        facts.append(("Không áp dụng: ", s.not_applicable_text))
    if s.previous_text:
        facts.append(("So với năm trước: ", s.previous_text))
    for label, text in facts:
        rows.fact(document, label, text)
    lay.add_paragraph(document, "1. Điểm theo tiêu chí", size=_TEXT_PT, bold=True, before_pt=4, after_pt=2)
    table = docx_tables.add_table(document, _WIDTHS, rows=0, borders=True)
    rows.add(table, _HEADERS, "header")
    for line in s.shown_lines:
        points = s.score_text(line.points) if line.applicable else "không áp dụng"
        texts = (
            f"{line.criterion.code}. {line.criterion.name}",
            points,
            s.score_text(line.criterion.max),
            s.average_text(line.average),
            s.score_text(line.best),
        )
        rows.add(table, texts, "top" if line.level == 1 else f"level-{min(line.level, 4)}")
    lay.add_paragraph(
        document, "2. So với trung bình khối (tỷ lệ % điểm tối đa)", size=_TEXT_PT, bold=True, before_pt=4
    )


def _closing(document: Any, s: UnitSummary) -> None:
    if s.changes:
        lay.add_paragraph(document, "3. Kết quả thẩm định", size=_TEXT_PT, bold=True, before_pt=3)
        for c in s.changes:
            if c.declared is not None:
                what = f"đơn vị tự chấm {s.score_text(c.declared)}, thẩm định {s.score_text(c.appraised)} điểm"
            else:
                what = f"{s.score_text(c.appraised)} điểm"
            reason = f". Lý do: {c.reason.rstrip('.')}" if c.reason else ""
            lay.add_paragraph(document, f"- {c.code}. {c.name}: {what}{reason}.", size=_SMALL_PT, align=JUSTIFY)
    number = 4 if s.changes else 3
    lay.add_paragraph(document, f"{number}. Ưu tiên cải thiện", size=_TEXT_PT, bold=True, before_pt=3)
    if not s.priorities:
        lay.add_paragraph(document, "- Đơn vị đạt điểm cao nhất khối ở mọi tiêu chí.", size=_SMALL_PT)
    for p in s.priorities:
        lay.add_paragraph(
            document,
            f"- {p.criterion.code}. {p.criterion.name}: {s.score_text(p.points)}/{s.score_text(p.criterion.max)} "
            f"điểm, kém {s.score_text(p.gap)} điểm so với cao nhất khối ({s.score_text(p.best)}).",
            size=_SMALL_PT,
            align=JUSTIFY,
        )


class _RowTemplates:
    """A card's table rows, copied from one row built by python-docx per style and filled with their texts.

    python-docx takes about a millisecond to build and style a row; a card has tens of rows and a campaign
    thousands of cards. Each style's row is built once (placeholders for its texts), then copied.
    """

    def __init__(self, document: Any) -> None:
        self._document = document
        self._made: dict[str, Any] = {}
        self._fact: Any = None

    def fact(self, page: Any, label: str, text: str) -> None:
        """A paragraph "label text", the label bold (copied from one built by python-docx, as the rows are)."""
        if self._fact is None:
            paragraph = lay.add_paragraph(page, size=_TEXT_PT, align=LEFT)
            lay.add_run(paragraph, "x", _TEXT_PT, bold=True)
            lay.add_run(paragraph, "x", _TEXT_PT)
            self._fact = copy.deepcopy(paragraph._p)
            made = paragraph._p
        else:
            made = copy.deepcopy(self._fact)
            page._element.append(made)
        for node, value in zip(made.iter(qn("w:t")), (label, text), strict=True):
            node.text = value
            if value != value.strip():
                node.set(_XML_SPACE, "preserve")

    def add(self, table: Any, texts: Sequence[str], style: str) -> None:
        template = self._made.get(style)
        if template is None:
            template = self._made[style] = self._build(table, style)
        row = copy.deepcopy(template)
        for node, text in zip(row.iter(qn("w:t")), texts, strict=True):
            node.text = text
        table._tbl.append(row)

    def _build(self, table: Any, style: str) -> Any:
        header = style == "header"
        row = docx_tables.add_row(table, _WIDTHS, header=header)
        bold = header or style == "top"
        indent = 0.0 if not style.startswith("level-") else 0.3 * (int(style[6:]) - 1)
        for col, cell in enumerate(row.cells):
            paragraph = lay.add_paragraph(cell, "x", size=_TABLE_PT, bold=bold, align=CENTER if header or col else LEFT)
            if col == 0 and indent:
                paragraph.paragraph_format.left_indent = Cm(indent)
        if header:
            docx_tables.center_cells(row)
        tr = row._tr
        tr.getparent().remove(tr)
        return tr
