"""Low-level Word (python-docx) helpers for documents in the format of Nghị định 30/2020/NĐ-CP, Phụ lục I.

A4 paper, Times New Roman (TCVN 6909 Unicode) in black, the page margins of the decree, borderless layout
tables, short solid rules, page numbers in the top margin (tables: :mod:`egov_xlsx.publish.docx_tables`;
the reproducible save: :mod:`egov_xlsx.publish.docx_save`).

python-docx ships no type hints: its objects are ``Any`` here and nowhere else.

"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Sequence
from typing import Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from egov_xlsx.publish.docx_copies import styled_paragraph
from egov_xlsx.publish.docx_tables import _insert
from egov_xlsx.style import FONT

BODY_PT = 14.0
GENERATOR = "egov-xlsx"

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 20
MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM = 30
MARGIN_RIGHT_MM = 15
HEADER_DISTANCE_MM = 10

#: Width of the text area, portrait and landscape, in cm.
PORTRAIT_TEXT_CM = (PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) / 10
LANDSCAPE_TEXT_CM = (PAGE_HEIGHT_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) / 10

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

#: Zip entry timestamp of every part: the earliest a zip can hold, so the bytes never depend on the clock.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

# Advance widths (1/1000 em) of ASCII 32..126 in Times New Roman, from Liberation Serif, its metric twin.
# Used to size rules under a line of text; Vietnamese letters take the width of their base letter.
_WIDTHS_REGULAR = (
    250, 333, 408, 500, 500, 833, 777, 180, 333, 333, 500, 563, 250, 333, 250, 277, 500, 500, 500, 500, 500, 500,
    500, 500, 500, 500, 277, 277, 563, 563, 563, 443, 920, 722, 666, 666, 722, 610, 556, 722, 722, 333, 389, 722,
    610, 889, 722, 722, 556, 722, 666, 556, 610, 722, 722, 943, 722, 722, 610, 333, 277, 333, 469, 500, 333, 443,
    500, 443, 500, 443, 333, 500, 500, 277, 277, 500, 277, 777, 500, 500, 500, 500, 333, 389, 277, 500, 500, 722,
    500, 500, 443, 479, 200, 479, 541,
)  # fmt: skip
_WIDTHS_BOLD = (
    250, 333, 555, 500, 500, 1000, 833, 277, 333, 333, 500, 569, 250, 333, 250, 277, 500, 500, 500, 500, 500, 500,
    500, 500, 500, 500, 333, 333, 569, 569, 569, 500, 930, 722, 666, 722, 722, 666, 610, 777, 777, 389, 500, 777,
    666, 943, 722, 777, 610, 777, 722, 556, 666, 722, 722, 1000, 722, 722, 666, 333, 277, 333, 581, 500, 333, 500,
    556, 443, 556, 443, 333, 500, 556, 277, 333, 556, 277, 833, 556, 500, 556, 556, 443, 389, 333, 556, 500, 722,
    500, 500, 443, 394, 220, 394, 520,
)  # fmt: skip


def text_width_cm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """Estimated printed width of one line of Times New Roman text, in cm."""
    table = _WIDTHS_BOLD if bold else _WIDTHS_REGULAR
    base = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    units = 0
    for ch in base:
        if unicodedata.combining(ch):
            continue
        code = ord(ch)
        units += table[code - 32] if 32 <= code <= 126 else 500
    return units / 1000 * size_pt / 72 * 2.54


# --------------------------------------------------------------------------- document and page


def new_document() -> Any:
    """An empty A4 portrait document with Times New Roman 14 pt black as the base of every style."""
    document = docx.Document()
    _set_defaults(document)
    set_page(document.sections[0], landscape=False)
    return document


def _set_defaults(document: Any) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            set_fonts(rpr)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "vi-VN")
    for name in ("Normal", "Header", "Footer", "Table Grid"):
        try:
            style = document.styles[name]
        except KeyError:
            continue
        style.font.name = FONT
        style.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(style.element.get_or_add_rPr())
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


def set_page(section: Any, *, landscape: bool) -> None:
    """A4 with the decree's margins (top 20, bottom 20, left 30, right 15 mm), portrait or landscape."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    short, long = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(HEADER_DISTANCE_MM)


def add_landscape_section(document: Any) -> Any:
    """Start a new page in a landscape section (margins kept); it inherits the page-number header."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    # The paragraph carrying the break ends the previous page: keep it 1 pt high so that a full page
    # (a table must be followed by a paragraph) does not spill it onto a blank page of its own.
    carrier = document.paragraphs[-1]
    _mark_size(carrier, 1)
    fmt = carrier.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(1)
    set_page(section, landscape=True)
    section.different_first_page_header_footer = False
    return section


def add_page_numbers(section: Any, size_pt: float = 13) -> Any:
    """Arabic page numbers centred in the top margin, none on the first page (decree: 13-14 pt, upright).

    Returns the first page's (empty) header.
    """
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = CENTER
    _field(paragraph, "PAGE", "1", size_pt)
    return first


def _field(paragraph: Any, instruction: str, shown: str, size_pt: float) -> None:
    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        format_run(run, size_pt)
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    format_run(paragraph.add_run(shown), size_pt)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# --------------------------------------------------------------------------- runs and paragraphs


def set_fonts(rpr: Any) -> None:
    """Times New Roman for every script slot (ascii, hAnsi, cs, eastAsia), theme fonts removed."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        _insert(rpr, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{attr}"), FONT)


def format_run(run: Any, size_pt: float, *, bold: bool = False, italic: bool = False) -> Any:
    run.font.name = FONT
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.italic = italic
    set_fonts(run._r.get_or_add_rPr())
    return run


def add_run(paragraph: Any, text: str, size_pt: float, *, bold: bool = False, italic: bool = False) -> Any:
    return format_run(paragraph.add_run(text), size_pt, bold=bold, italic=italic)


def add_paragraph(
    container: Any,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: Any = LEFT,
    first_line_cm: float | None = None,
    before_pt: float = 0,
    after_pt: float = 0,
    line: float = 1.0,
    keep_next: bool = False,
) -> Any:
    """A paragraph in a document, header or table cell (the untouched first paragraph of a cell or header is used).

    Styled as :func:`style_paragraph` does, by copying the XML python-docx made for the first paragraph of the
    same style (:mod:`egov_xlsx.publish.docx_copies`).
    """
    style = (align, size, bold, italic, first_line_cm, before_pt, after_pt, line, keep_next)
    styler = functools.partial(
        style_paragraph,
        size=size,
        bold=bold,
        italic=italic,
        align=align,
        first_line_cm=first_line_cm,
        before_pt=before_pt,
        after_pt=after_pt,
        line=line,
        keep_next=keep_next,
    )
    return styled_paragraph(_next_paragraph(container), text, style, styler)


def style_paragraph(
    paragraph: Any,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: Any = LEFT,
    first_line_cm: float | None = None,
    before_pt: float = 0,
    after_pt: float = 0,
    line: float = 1.0,
    keep_next: bool = False,
) -> Any:
    """Style ``paragraph`` with python-docx itself and put ``text`` in it (what :func:`add_paragraph` copies)."""
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before_pt)
    fmt.space_after = Pt(after_pt)
    fmt.line_spacing = line
    if first_line_cm is not None:
        fmt.first_line_indent = Cm(first_line_cm)
    if keep_next:
        fmt.keep_with_next = True
    _mark_size(paragraph, size)
    if text:
        add_run(paragraph, text, size, bold=bold, italic=italic)
    return paragraph


def _next_paragraph(container: Any) -> Any:
    # A new table cell, header or footer comes with one empty paragraph: use it rather than leave a blank line.
    fresh = hasattr(container, "vertical_alignment") or hasattr(container, "is_linked_to_previous")
    # Only then are the paragraphs listed: listing a document's is linear in its length.
    paragraphs = getattr(container, "paragraphs", []) if fresh else []
    if fresh and len(paragraphs) == 1:
        only = paragraphs[0]
        ppr = only._p.pPr
        if not only.runs and (ppr is None or all(child.tag == qn("w:pStyle") for child in ppr)):
            return only
    return container.add_paragraph()


def _mark_size(paragraph: Any, size_pt: float) -> None:
    # The paragraph mark's size sets the height of an empty line: keep it equal to the text's.
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        _insert(ppr, rpr)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(round(size_pt * 2)))
    fonts = OxmlElement("w:rFonts")
    _insert(rpr, fonts)
    set_fonts(rpr)
    _insert(rpr, sz)


def add_rule(container: Any, width_cm: float, container_cm: float, *, before_pt: float = 0, after_pt: float = 0) -> Any:
    """A short solid rule, centred: an empty thin paragraph whose bottom border spans ``width_cm``."""
    paragraph = add_paragraph(container, size=2, align=CENTER, before_pt=before_pt, after_pt=after_pt)
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    side = max((container_cm - width_cm) / 2, 0)
    fmt.left_indent = Cm(side)
    fmt.right_indent = Cm(side)
    set_paragraph_border(paragraph, ("bottom",), size_eighths=6, space_pt=0)
    return paragraph


def balance_lines(paragraph: Any, text_cm: float, container_cm: float, *, slack_cm: float = 1.2) -> None:
    """Narrow a centred multi-line paragraph (indents) so its lines come out of about equal length."""
    lines = max(math.ceil(text_cm / container_cm), 1)
    if lines == 1:
        return
    target = min(text_cm / lines + slack_cm, container_cm)
    side = Cm((container_cm - target) / 2)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side


def add_box(container: Any, text: str, width_cm: float, *, size: float = BODY_PT) -> Any:
    """A bold boxed label flush right (the "DỰ THẢO" mark of a draft)."""
    box = text_width_cm(text, size, bold=True) + 0.6
    paragraph = add_paragraph(container, text, size=size, bold=True, align=CENTER)
    paragraph.paragraph_format.left_indent = Cm(max(width_cm - box, 0))
    set_paragraph_border(paragraph, ("top", "left", "bottom", "right"), size_eighths=12, space_pt=2)
    return paragraph


def set_paragraph_border(paragraph: Any, sides: Sequence[str], *, size_eighths: int = 6, space_pt: int = 1) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        if side in sides:
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:val"), "single")
            edge.set(qn("w:sz"), str(size_eighths))
            edge.set(qn("w:space"), str(space_pt))
            edge.set(qn("w:color"), "000000")
            borders.append(edge)
    _insert(ppr, borders)
