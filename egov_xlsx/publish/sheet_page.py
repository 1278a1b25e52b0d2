"""The page of a sheet (xlsxwriter): rows tall enough for their wrapped text, title blocks, header rows, print setup.

LibreOffice does not fit row heights when it opens an xlsx file, and no program fits merged cells: every
height here is estimated from the text and the column width.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from xlsxwriter.chartsheet import Chartsheet
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from egov_xlsx.publish.sheets import NOTE_FONT_SIZE, Styles, text
from egov_xlsx.style import DRAFT_MARK, FONT


def estimate_lines(value: str, width: float) -> int:
    """Lines ``value`` wraps to in a cell ``width`` characters wide (greedy by words, as Excel wraps)."""
    room = max(width, 1.0)
    if len(value) <= room and "\n" not in value:
        return 1  # fits on one line whatever its words (the common case: a short name)
    lines = 0
    for para in value.split("\n"):
        count, used = 1, 0.0
        for word in para.split():
            size = float(len(word))
            if used and used + 1 + size > room:
                count, used = count + 1, size
            else:
                used += (1 if used else 0) + size
            while used > room:  # a word longer than the cell breaks anywhere
                count, used = count + 1, used - room
        lines += count
    return max(lines, 1)


def row_height(lines: int, font_size: float = 11) -> float:
    """Row height in points for ``lines`` lines of text."""
    return math.ceil(lines * font_size * 1.3 + 4)


def chars(width: float, font_size: float = 11, *, bold: bool = False) -> float:
    """Characters of ``font_size`` text that fit in a column ``width`` units wide (a little under, to be safe).

    LibreOffice fits about 1.3 characters of 11-point Times New Roman per width unit; Excel on Windows a
    little fewer. Bold runs wider.
    """
    return width * 1.2 * 11 / font_size * (0.9 if bold else 1.0)


def small(width: float) -> float:
    """The width to give :func:`fit_row` for a column of 10-point text (notes, messages, name lists)."""
    return width * 11 / NOTE_FONT_SIZE


def fit_row(ws: Worksheet, row: int, cells: Iterable[tuple[str, float]]) -> None:
    """Make a row tall enough for its wrapped cells, given as (text, column width) pairs.

    LibreOffice does not fit row heights when it opens an xlsx file (Excel does), so the printed annex
    would clip a long unit name; rows of one line keep the default height.
    """
    lines = max((estimate_lines(value, chars(width)) for value, width in cells if value), default=1)
    if lines > 1:
        ws.set_row(row, row_height(lines))


def write_title(
    ws: Worksheet, row: int, last_col: int, value: str, fmt: Format, *, width: float, font_size: float
) -> int:
    """Write a title line merged across columns 0..last_col, tall enough for its wrapped text; return the next row.

    The height is set here because Excel does not fit the height of merged cells by itself.
    """
    if last_col > 0:
        ws.merge_range(row, 0, row, last_col, "", fmt)
    ws.write_string(row, 0, text(value), fmt)
    ws.set_row(row, row_height(estimate_lines(value, chars(width, font_size, bold=True)), font_size))
    return row + 1


def write_heading(
    ws: Worksheet,
    styles: Styles,
    *,
    last_col: int,
    width: float,
    title: str,
    subtitles: Sequence[str] = (),
    draft: bool = False,
    legend: str = "",
) -> int:
    """The title block above a table: title, subtitles, "DỰ THẢO" in a draft, an italic legend, a blank row.

    Returns the row where the table's header goes.
    """
    row = write_title(ws, 0, last_col, title, styles.title, width=width, font_size=14)
    for line in subtitles:
        row = write_title(ws, row, last_col, line, styles.subtitle, width=width, font_size=12)
    if draft:
        row = write_title(ws, row, last_col, DRAFT_MARK, styles.draft, width=width, font_size=16)
    if legend:
        row = write_title(ws, row, last_col, legend, styles.legend, width=width, font_size=10)
    return row + 1


def write_header_row(ws: Worksheet, row: int, labels: Sequence[str], widths: Sequence[float], fmt: Format) -> None:
    """A table's header row, tall enough for its longest wrapped label."""
    lines = 1
    for col, label in enumerate(labels):
        ws.write_string(row, col, text(label), fmt)
        lines = max(lines, estimate_lines(label, chars(widths[col], bold=True)))
    ws.set_row(row, row_height(lines))


def header_escape(value: str) -> str:
    """Text for a page header or footer: "&" doubled (Excel reads "&" as a control code)."""
    return value.replace("&", "&&")


def _header_part(value: str, limit: int) -> str:
    escaped = header_escape(value)
    while len(escaped) > limit:  # cut before escaping, so a doubled "&" is never split
        value = value[:-1]
        escaped = header_escape(value)
    return escaped


def set_page_texts(sheet: Worksheet | Chartsheet, *, left: str, right: str) -> None:
    """A4 landscape; ``left`` and ``right`` (bold) in the page header, "Trang x/y" centred in the footer."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    # Excel caps a header at 255 characters, control codes included.
    left_text, right_text = _header_part(left, 140), _header_part(right, 50)
    sheet.set_header(f'&L&"{FONT},Regular"&9{left_text}&R&"{FONT},Bold"&9{right_text}')
    sheet.set_footer(f'&C&"{FONT},Regular"&9Trang &P/&N')


def setup_page(ws: Worksheet, *, left: str, right: str, repeat: tuple[int, int] | None = None) -> None:
    """Print setup of a table: as :func:`set_page_texts`, fitted to one page wide, header rows repeated."""
    set_page_texts(ws, left=left, right=right)
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)
    if repeat is not None:
        ws.repeat_rows(*repeat)


def set_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    """Column widths in characters, from column A."""
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
