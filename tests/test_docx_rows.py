"""Streamed table rows (:mod:`egov_xlsx.publish.docx_rows`) give the very bytes python-docx gives.

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
