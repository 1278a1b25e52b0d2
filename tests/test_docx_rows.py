"""Streamed table rows (:mod:`egov_xlsx.publish.docx_rows`) and copied paragraphs (:mod:`egov_xlsx.publish.docx_copies`)
give the very bytes python-docx gives.

The results annex of a national campaign has 10,000 rows; they are copied from XML python-docx wrote for one
row of each layout instead of being built one by one. The same table is made both ways here, with real
python-docx, and the saved documents are compared byte for byte.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from egov_xlsx.publish import docx_layout as lay
from egov_xlsx.publish import docx_tables
from egov_xlsx.publish.docx_rows import StreamedRows
from egov_xlsx.publish.docx_save import save_reproducible

WIDTHS = (1.2, 6.0, 2.0, 2.0)

#: Plain rows, empty cells, text XML escapes, Vietnamese, and texts python-docx writes its own way (a tab, a
#: line break, a carriage return, spaces at either end: those rows are built one by one).
ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("1", "Ủy ban nhân dân huyện Văn Lâm", "105,00", "Khá"),
    ("2", "Sở Kế hoạch & Đầu tư <SKHĐT>", "417,30", ""),
    ("3", "", "–", ""),
    ("4", "Tab\there", "1", "Tốt"),
    ("5", "Hai\ndòng", "2", "Tốt"),
    ("6", "Về\rđầu", "3", ""),
    ("7", " cách đầu", "4", "cách cuối "),
    ("8", "Trang/\u200bCổng", "5", "Xuất sắc"),
    ("9", "Ủy ban nhân dân huyện Văn Lâm", "105,00", "Khá"),
)


def _unit_row(table: Any, texts: Sequence[str]) -> Any:
    row = docx_tables.add_row(table, WIDTHS)
    for col, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
        lay.add_paragraph(cell, text, size=11, bold=col == 2, align=lay.LEFT if col == 1 else lay.CENTER)
    docx_tables.center_cells(row)
    return row


def _document(path: Path, *, streamed: bool) -> bytes:
    document = lay.new_document()
    lay.add_paragraph(document, "Phụ lục", bold=True, align=lay.CENTER)
    table = docx_tables.add_table(document, WIDTHS, rows=0, borders=True)
    _unit_row(table, ("STT", "Đơn vị", "Tổng điểm", "Xếp loại"))
    streams: list[StreamedRows] = []
    if streamed:
        rows = StreamedRows(table, _unit_row)
        for texts in ROWS:
            rows.add(texts)
        streams.append(rows)
    else:
        for texts in ROWS:
            _unit_row(table, texts)
    lay.add_paragraph(document, "Sau bảng.")
    save_reproducible(document, path, when=datetime(2024, 3, 1), title="Phụ lục", rows=streams)
    return path.read_bytes()


def test_streamed_rows_are_the_rows_python_docx_writes(tmp_path: Path) -> None:
    streamed = _document(tmp_path / "streamed.docx", streamed=True)
    plain = _document(tmp_path / "plain.docx", streamed=False)
    with zipfile.ZipFile(tmp_path / "streamed.docx") as a, zipfile.ZipFile(tmp_path / "plain.docx") as b:
        assert a.read("word/document.xml") == b.read("word/document.xml")
        assert a.read("word/document.xml").count(b"<w:tr>") + a.read("word/document.xml").count(b"<w:tr ") == 10
    assert streamed == plain


#: Paragraph texts and styles as the documents use them, repeated (copies after the first of each style).
PARAGRAPHS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("QUYẾT ĐỊNH", {"bold": True, "align": lay.CENTER}),
    ("Về việc công bố kết quả & xếp hạng <năm 2024>", {"bold": True, "align": lay.CENTER}),
    ("Căn cứ Luật Tổ chức chính quyền địa phương;", {"italic": True, "first_line_cm": 1.0}),
    ("Căn cứ Quyết định số 12/QĐ-UBND;", {"italic": True, "first_line_cm": 1.0}),
    ("", {"size": 2}),
    (" cách đầu và cuối ", {}),
    ("Tab\tvà\ndòng mới", {"keep_next": True}),
    ("Điều 1. Công bố kết quả.", {"first_line_cm": 1.0, "before_pt": 6, "after_pt": 6, "line": 1.15}),
    ("Điều 2. Hiệu lực.", {"first_line_cm": 1.0, "before_pt": 6, "after_pt": 6, "line": 1.15}),
)


def _paragraphs(path: Path, *, copied: bool) -> bytes:
    document = lay.new_document()
    table = docx_tables.add_table(document, WIDTHS, rows=1)
    for container in (document, table.rows[0].cells[1], document):
        for text, style in PARAGRAPHS:
            if copied:
                lay.add_paragraph(container, text, **style)
            else:
                lay.style_paragraph(lay._next_paragraph(container), text, **style)
    save_reproducible(document, path, when=datetime(2024, 3, 1), title="Đoạn văn")
    return path.read_bytes()


def test_copied_paragraphs_are_the_paragraphs_python_docx_writes(tmp_path: Path) -> None:
    assert _paragraphs(tmp_path / "copied.docx", copied=True) == _paragraphs(tmp_path / "plain.docx", copied=False)
