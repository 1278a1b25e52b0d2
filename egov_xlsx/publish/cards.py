"""The result cards (phiếu kết quả): one A4 page per unit, in the style of the decision's annex.

Each card says, for one unit: its total, percent, rank in its tier and band; a table of its criteria (its points,
the maximum, the tier's average and best; the top two levels only for sets of 40 criteria or more); its chart
(percent of each criterion's maximum against the tier's average); what the appraisal council changed and why; the
change from last year (with ``--previous``); its three priorities. The figures are those of
:mod:`egov_xlsx.publish.unit_summary`, so a card reads as the decision does. A draft's cards carry the boxed
"DỰ THẢO" of every draft output.

A campaign has hundreds or thousands of cards, and python-docx takes about a millisecond to build and style each
paragraph or row. So every kind of paragraph and row a card uses is built once by python-docx (the helpers of
:mod:`egov_xlsx.publish.docx_layout`, as the other documents are) and kept as XML with slots for its texts
(:class:`Fragments`); a card is those pieces with its texts put in. The cards go into the printed document
where its :data:`MARKER` stands, and each into a file of its own, when they are saved
(:mod:`egov_xlsx.publish.card_files`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from docx.document import _Body
from docx.oxml import OxmlElement
from docx.shared import Cm
from lxml import etree  # type: ignore[import-untyped]  # python-docx depends on lxml; no stubs

from egov_xlsx.model import Results
from egov_xlsx.publish import docx_layout as lay
from egov_xlsx.publish import docx_tables
from egov_xlsx.publish.charts import unit_chart
from egov_xlsx.publish.council_notes import council_notes
from egov_xlsx.publish.document_texts import annex_reference, results_phrase
from egov_xlsx.publish.docx_chart import chart_run
from egov_xlsx.publish.docx_layout import CENTER, JUSTIFY, LEFT
from egov_xlsx.publish.unit_summary import UnitSummary
from egov_xlsx.style import DRAFT_MARK, FONT

CARD_TITLE = "PHIẾU KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG"
#: Column widths (cm) of a card's criteria table: criterion, points, maximum, tier average, tier best.
_WIDTHS = (9.3, 1.7, 1.7, 1.9, 1.9)
_HEADERS = ("Tiêu chí", "Điểm", "Tối đa", "TB khối", "Cao nhất")
_TABLE_PT = 9.5
_TEXT_PT = 12.0
_SMALL_PT = 11.0
_CHART_CM = 4.4
_SLOT = "\ue000{}\ue001"
#: The comment in the printed document's body where the cards go (replaced by them).
MARKER = "<!--egov-xlsx-cards-->"
_DEFAULT_FONTS = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" w:eastAsia="{FONT}"/>'
_NS_DECLARATION = re.compile(r' xmlns(?::[A-Za-z0-9_.-]+)?="[^"]*"')
#: Characters XML 1.0 cannot hold (a name pasted with a control character prints without it).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Fragments:
    """Pieces of WordprocessingML built once by python-docx, kept as text with slots for their texts."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._made: dict[str, list[str]] = {}

    def piece(self, key: str, build: Callable[[Any, list[str]], Any], *texts: str) -> str:
        """The piece ``key`` with ``texts`` in its slots; ``build(body, slots)`` makes it the first time."""
        parts = self._made.get(key)
        if parts is None:
            parts = self._made[key] = self._template(build, len(texts))
        out = [parts[0]]
        for text, part in zip(texts, parts[1:], strict=True):
            out.append(_xml_text(text))
            out.append(part)
        return "".join(out)

    def around(self, key: str, build: Callable[[Any, list[str]], Any], comment: str) -> tuple[str, str]:
        """The piece ``key`` cut in two where ``build`` left the XML comment ``comment`` (where rows go)."""
        parts = self._made.get(key)
        if parts is None:
            before, found, after = self._template(build, 0)[0].partition(f"<!--{comment}-->")
            if not found:
                raise ValueError(f"comment {comment!r} missing from a card's piece")
            parts = self._made[key] = [before, after]
        return parts[0], parts[1]

    def _template(self, build: Callable[[Any, list[str]], Any], count: int) -> list[str]:
        holder = OxmlElement("w:body")
        self._document.element.append(holder)
        try:
            slots = [_SLOT.format(i) for i in range(count)]
            build(_Page(holder, self._document), slots)
            # Every run's fonts are the document's defaults (Times New Roman in every slot): said once, there.
            xml = "".join(_fragment(child) for child in holder).replace(_DEFAULT_FONTS, "")
        finally:
            self._document.element.remove(holder)
        parts: list[str] = []
        rest = xml
        for slot in slots:
            before, found, rest = rest.partition(slot)
            if not found:
                raise ValueError(f"slot {slot!r} missing from a card's piece")
            # The text may start or end with a space: Word keeps it only where told.
            parts.append(before.replace("<w:t>", '<w:t xml:space="preserve">'))
        parts.append(rest)
        return parts


@lru_cache(maxsize=16384)  # criteria's names and figures recur on every card
def _xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def _fragment(element: Any) -> str:
    xml: str = etree.tostring(element, encoding="unicode", with_tail=False)
    head, close, body = xml.partition(">")
    return _NS_DECLARATION.sub("", head) + close + body


class _Page(_Body):
    """A scratch body a piece is built in (tables take the text's width, as in the document)."""

    def add_table(self, rows: int, cols: int, width: Any = None) -> Any:
        return super().add_table(rows, cols, width if width is not None else Cm(lay.PORTRAIT_TEXT_CM))


class CardLayout:
    """The printed document of every card and each card's XML (its body's content)."""

    def __init__(self, results: Results, summaries: Sequence[UnitSummary]) -> None:
        self.results = results
        self.summaries = summaries
        self.document = lay.new_document()
        if results.draft:
            header = self.document.sections[0].header
            header.is_linked_to_previous = False
            lay.add_box(header, DRAFT_MARK, lay.PORTRAIT_TEXT_CM)
        self._pieces = Fragments(self.document)
        phrase = results_phrase(results.campaign)
        self._subtitle = phrase[:1].upper() + phrase[1:]
        self._reference = annex_reference(results.campaign)
        self._charts = [
            chart_run(self.document, unit_chart(s), n + 1, width_cm=lay.PORTRAIT_TEXT_CM, height_cm=_CHART_CM,
                      decimals=s.index_decimals if s.index is not None else s.percent_decimals, titled=False)
            for n, s in enumerate(summaries)
        ]  # fmt: skip
        self.document.element.body.sectPr.addprevious(etree.Comment(MARKER[4:-3]))

    def head(self, *, first: bool) -> str:
        """What every card starts with; ``first``: of a document (else on a new page)."""
        return self._pieces.piece("head" if first else "head-break", self._head(page_break=not first))

    def body(self, index: int) -> str:
        """Unit ``index``'s card after its :meth:`head`."""
        s = self.summaries[index]
        p = self._pieces
        out = [p.piece("name", _paragraph(size=13, bold=True, align=CENTER, after_pt=4), s.name)]
        for label, text in _facts(s):
            out.append(p.piece("fact", _fact, label, text))
        table_start, table_end = p.around("table", _table, "rows")
        out.append(table_start)
        for line in s.shown_lines:
            points = s.score_text(line.points) if line.applicable else "không áp dụng"
            texts = (
                f"{line.criterion.code}. {line.criterion.name}",
                points,
                s.score_text(line.criterion.max),
                s.average_text(line.average),
                s.score_text(line.best),
            )
            style = "top" if line.level == 1 else f"level-{min(line.level, 4)}"
            out.append(p.piece(f"row-{style}", _row(style), *texts))
        out.append(table_end)
        heading = _paragraph(size=_TEXT_PT, bold=True, before_pt=4)
        compared = "chỉ số theo tiêu chí" if s.index is not None else "tỷ lệ % điểm tối đa"
        out.append(p.piece("heading", heading, f"2. So với trung bình khối ({compared})"))
        chart, close, rest = p.piece("chart", _paragraph(align=CENTER)).rpartition("</w:p>")
        out.append(chart + self._charts[index] + close + rest)
        item = _paragraph(size=_SMALL_PT, align=JUSTIFY)
        if s.changes:
            out.append(p.piece("heading", heading, "3. Kết quả thẩm định"))
            for c in s.changes:
                if c.declared is not None:
                    what = f"đơn vị tự chấm {s.score_text(c.declared)}, thẩm định {s.score_text(c.appraised)} điểm"
                else:
                    what = f"{s.score_text(c.appraised)} điểm"
                reason = f". Lý do: {c.reason.rstrip('.')}" if c.reason else ""
                by = f" ({c.appraiser} thẩm định)" if c.appraiser else ""
                out.append(p.piece("item", item, f"- {c.code}. {c.name}: {what}{by}{reason}."))
        out.append(p.piece("heading", heading, f"{4 if s.changes else 3}. Ưu tiên cải thiện"))
        if not s.priorities:
            out.append(p.piece("item", item, "- Đơn vị đạt điểm cao nhất khối ở mọi tiêu chí."))
        for pr in s.priorities:
            out.append(
                p.piece(
                    "item",
                    item,
                    f"- {pr.criterion.code}. {pr.criterion.name}: {s.score_text(pr.points)}/"
                    f"{s.score_text(pr.criterion.max)} điểm, kém {s.score_text(pr.gap)} điểm so với cao nhất khối "
                    f"({s.score_text(pr.best)}).",
                )
            )
        return "".join(out)

    def _head(self, *, page_break: bool) -> Callable[[Any, list[str]], None]:
        """The title, the campaign, "(Kèm theo Quyết định số ...)" and a rule: the same on every card."""

        def build(body: Any, slots: list[str]) -> None:
            first = lay.add_paragraph(body, CARD_TITLE, size=_TEXT_PT, bold=True, align=CENTER)
            if page_break:
                first.paragraph_format.page_break_before = True
            lay.balance_lines(
                lay.add_paragraph(body, self._subtitle, size=_SMALL_PT, bold=True, align=CENTER),
                lay.text_width_cm(self._subtitle, _SMALL_PT, bold=True),
                lay.PORTRAIT_TEXT_CM,
            )
            lay.add_paragraph(body, self._reference, size=_SMALL_PT, italic=True, align=CENTER)
            lay.add_rule(body, 5.0, lay.PORTRAIT_TEXT_CM, before_pt=2, after_pt=4)

        return build


def _facts(s: UnitSummary) -> list[tuple[str, str]]:
    tier = s.tier.tier.name
    group = s.tier.tier.group
    rank = (
        f"{s.rank_text}, khối {tier}"
        if s.result.rank is None
        else f"{s.rank_text} đơn vị được xếp hạng trong {group.phrase}, khối {s.tier.tier.tier_name}"
        if group is not None
        else f"{s.rank_text} đơn vị được xếp hạng trong khối {tier}"
    )
    facts = [
        ("Tổng điểm: ", f"{s.total_text}/{s.max_text} điểm ({s.own_percent_text} điểm tối đa)")
        if s.index is None
        else ("Chỉ số: ", f"{s.index_text} (tổng điểm {s.total_text}/{s.max_text} điểm)"),
        ("Xếp hạng: ", rank),
        ("Xếp loại: ", s.band_text),
    ]
    if s.not_applicable_text:
        facts.append(("Không áp dụng: ", s.not_applicable_text))
    facts += [("Nguồn điểm: ", note) for note in council_notes(s.result)]
    if s.previous_text:
        facts.append(("So với năm trước: ", s.previous_text))
    if s.index_note:
        facts.append(("Ghi chú: ", s.index_note))
    return facts


def _paragraph(**style: Any) -> Callable[[Any, list[str]], Any]:
    def build(body: Any, slots: list[str]) -> Any:
        return lay.add_paragraph(body, slots[0] if slots else "", **style)

    return build


def _fact(body: Any, slots: list[str]) -> None:
    paragraph = lay.add_paragraph(body, size=_TEXT_PT, align=LEFT)
    lay.add_run(paragraph, slots[0], _TEXT_PT, bold=True)
    lay.add_run(paragraph, slots[1], _TEXT_PT)


def _table(body: Any, slots: list[str]) -> None:
    """The section heading and the table with its header row; the comment "rows" stands where the rows go."""
    lay.add_paragraph(body, "1. Điểm theo tiêu chí", size=_TEXT_PT, bold=True, before_pt=4, after_pt=2)
    table = docx_tables.add_table(body, _WIDTHS, rows=0, borders=True)
    _row("header")(table, list(_HEADERS))
    table._tbl.append(etree.Comment("rows"))


def _row(style: str) -> Callable[[Any, list[str]], Any]:
    def build(container: Any, slots: list[str]) -> Any:
        table = container if hasattr(container, "add_row") else docx_tables.add_table(container, _WIDTHS, rows=0)
        header = style == "header"
        row = docx_tables.add_row(table, _WIDTHS, header=header)
        bold = header or style == "top"
        indent = 0.3 * (int(style[6:]) - 1) if style.startswith("level-") else 0.0
        for col, (cell, text) in enumerate(zip(row.cells, slots, strict=True)):
            paragraph = lay.add_paragraph(
                cell, text, size=_TABLE_PT, bold=bold, align=CENTER if header or col else LEFT
            )
            if col == 0 and indent:
                paragraph.paragraph_format.left_indent = Cm(indent)
        if header:
            docx_tables.center_cells(row)
        if table is not container:  # a row on its own: keep the row, not the table around it
            tr = row._tr
            table._tbl.addprevious(tr)
            table._tbl.getparent().remove(table._tbl)
        return row

    return build
