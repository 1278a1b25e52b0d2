"""Word tables in the decree's layout (borderless or ruled, fixed widths), and the XML insertion they share
with paragraphs. python-docx ships no type hints: its objects are ``Any`` here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

# --------------------------------------------------------------------------- tables


def add_table(container: Any, widths_cm: Sequence[float], *, rows: int = 1, borders: bool = False) -> Any:
    """A fixed-layout table with the given column widths, borderless (layout) or with single-line grid."""
    table = container.add_table(rows=rows, cols=len(widths_cm))
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        _insert(tbl_pr, tbl_w)
    tbl_w.set(qn("w:w"), str(_twips(sum(widths_cm))))
    tbl_w.set(qn("w:type"), "dxa")
    edges = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if borders else "nil")
        if borders:
            edge.set(qn("w:sz"), "4")
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        edges.append(edge)
    _insert(tbl_pr, edges)
    margins = OxmlElement("w:tblCellMar")
    for side, cm in (("left", 0.1 if borders else 0.0), ("right", 0.1 if borders else 0.0)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(_twips(cm)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    _insert(tbl_pr, margins)
    for gridcol, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm, strict=True):
        gridcol.w = Cm(width)
    for row in table.rows:
        set_row_widths(row, widths_cm)
    return table


def set_row_widths(row: Any, widths_cm: Sequence[float]) -> None:
    for cell, width in zip(row.cells, widths_cm, strict=True):
        cell.width = Cm(width)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def add_row(table: Any, widths_cm: Sequence[float], *, header: bool = False) -> Any:
    """A row that never splits across pages; a header row repeats at the top of every page."""
    row = table.add_row()
    set_row_widths(row, widths_cm)
    mark_row(row, header=header)
    return row


def mark_row(row: Any, *, header: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    _insert(tr_pr, OxmlElement("w:cantSplit"))
    if header:
        _insert(tr_pr, OxmlElement("w:tblHeader"))


def center_cells(row: Any) -> None:
    for cell in row.cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _twips(cm: float) -> int:
    return round(cm / 2.54 * 1440)


# Schema order of the property elements this module writes (python-docx keeps its own lists private).
_ORDER = {
    "pPr": (
        "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
        "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
        "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
        "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ),
    "rPr": (
        "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
        "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl "
        "cs em lang eastAsianLayout specVanish oMath"
    ),
    "tblPr": (
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
        "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange"
    ),
    "trPr": "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden",
}
_SEQUENCES = {qn(f"w:{parent}"): [qn(f"w:{t}") for t in tags.split()] for parent, tags in _ORDER.items()}


def _insert(parent: Any, child: Any) -> None:
    """Insert or replace ``child`` at its schema position (Word rejects out-of-order properties)."""
    existing = parent.find(child.tag)
    if existing is not None:
        parent.replace(existing, child)
        return
    sequence = _SEQUENCES.get(parent.tag, [])
    if child.tag not in sequence:
        parent.append(child)
        return
    later = set(sequence[sequence.index(child.tag) + 1 :])
    successor = next((el for el in parent if el.tag in later), None)
    if successor is None:
        parent.append(child)
    else:
        successor.addprevious(child)
