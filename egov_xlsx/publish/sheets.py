"""Workbook primitives shared by the results workbook and the findings report (xlsxwriter).

* :func:`open_workbook` / :func:`close_workbook`: options that keep user text as text, fixed document
  properties (no clock: identical inputs give a byte-identical file), errors wrapped as ``OutputError``.
* :class:`SheetNames`: safe, unique sheet names.
* :class:`Styles`: every cell format, created once per workbook.
* :func:`setup_page`, :func:`write_title`, :func:`estimate_lines`: print layout.
"""

from __future__ import annotations

import contextlib
import math
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.chartsheet import Chartsheet
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from egov_xlsx.atomic import explain
from egov_xlsx.errors import OutputError
from egov_xlsx.model import HUNDRED, Adjustment, Campaign, Display
from egov_xlsx.style import DRAFT_MARK, FONT, WORKBOOK_OPTIONS
from egov_xlsx.vietnamese import format_number, shown_figure

#: Excel's limit on the characters of one cell.
MAX_CELL_TEXT = 32767
NOTE_FONT_SIZE = 10

#: Shown in a score cell for a criterion not applicable to the unit (the summary's Ghi chú says which).
NOT_APPLICABLE_MARK = "–"

#: Band colours (cell fill, cell font, chart bar); other band names get the neutral palette in turn.
BAND_COLOURS: dict[str, tuple[str, str, str]] = {
    "xuất sắc": ("#A9D08E", "#274E13", "#38761D"),
    "tốt": ("#C6EFCE", "#006100", "#70AD47"),
    "khá": ("#DDEBF7", "#1F4E78", "#4472C4"),
    "trung bình": ("#FFEB9C", "#9C5700", "#FFC000"),
    "yếu": ("#FFC7CE", "#9C0006", "#C00000"),
    "kém": ("#F4B6B6", "#660000", "#7F0000"),
}
NEUTRAL_COLOURS: tuple[tuple[str, str, str], ...] = (
    ("#E4DFEC", "#403151", "#8064A2"),
    ("#DAEEF3", "#215967", "#4BACC6"),
    ("#FDE9D9", "#974706", "#F79646"),
    ("#EBF1DE", "#4F6228", "#9BBB59"),
    ("#F2F2F2", "#262626", "#7F7F7F"),
    ("#DCE6F1", "#17375E", "#1F497D"),
)


def open_workbook(
    path: Path, campaign: Campaign, *, title: str, streaming: bool = False, tmpdir: Path | None = None
) -> Workbook:
    """A new xlsxwriter workbook at ``path`` with fixed properties (created on 1 January after the campaign year).

    ``streaming`` writes each row to a temporary file as soon as the next one starts (xlsxwriter's
    ``constant_memory``), so a 10,000-unit annex does not hold every cell in memory; rows must then be
    written strictly in order. Its parts are stamped with xlsxwriter's fixed 1980 date: still reproducible.
    """
    options = {**WORKBOOK_OPTIONS, "in_memory": False, "constant_memory": True} if streaming else WORKBOOK_OPTIONS
    if tmpdir is not None:  # where xlsxwriter puts its temporary files (default: the system's)
        options = {**options, "tmpdir": str(tmpdir)}
    wb = Workbook(str(path), options)
    wb.set_properties(
        {
            "title": title,
            "subject": campaign.title,
            "author": campaign.authority or "egov-xlsx",
            "comments": f"egov-xlsx, đợt đánh giá {campaign.id}",
            # No clock: the same inputs must give the same bytes.
            "created": datetime(campaign.year + 1, 1, 1),
        }
    )
    return wb


def close_workbook(wb: Workbook, path: Path) -> None:
    """Write the workbook to disk; a file that cannot be created becomes an :class:`OutputError`."""
    try:
        wb.close()
    except (FileCreateError, OSError) as exc:
        discard_workbook(wb)
        raise (
            explain(path, exc) if isinstance(exc, OSError) else OutputError(f"Không ghi được {path}: {exc}.")
        ) from exc
    discard_workbook(wb)  # a streaming chart sheet's row file is left open and never removed by xlsxwriter


def discard_workbook(wb: Workbook) -> None:
    """Close and remove the row files of a streaming workbook that will not be closed normally.

    Also closes the part a failed ``close`` was writing (a full disk), so its file can be removed at once.
    """
    for part in (wb, *wb.worksheets()):
        writer = getattr(part, "fh", None)
        if writer is not None and hasattr(writer, "closed") and not writer.closed:
            with contextlib.suppress(OSError):
                writer.close()
    for ws in wb.worksheets():
        handle = getattr(ws, "row_data_fh", None)
        if handle is not None and not handle.closed:
            with contextlib.suppress(OSError):
                handle.close()
        name = getattr(ws, "row_data_filename", None)
        if name:
            Path(name).unlink(missing_ok=True)


def number(value: Decimal | int) -> float:
    """The float written to a cell: Decimal leaves the exact world only here, at the write boundary."""
    return float(value)


def text(value: str) -> str:
    """User text made safe for a cell: NFC, cut to Excel's 32,767 characters."""
    s = unicodedata.normalize("NFC", value)
    return s if len(s) <= MAX_CELL_TEXT else s[: MAX_CELL_TEXT - 1] + "…"


def adjustment_bound(adj: Adjustment) -> float | str:
    """What a "Điểm tối đa" row shows for a bonus/penalty line: a bonus's maximum, a penalty's limit in words
    ("Trừ tối đa 3": never a negative "maximum"), or the range when two-sided."""
    if adj.min >= 0:
        return number(adj.max)
    if adj.max <= 0:
        return f"Trừ tối đa {format_number(-adj.min)}"
    return f"{format_number(adj.min)} đến +{format_number(adj.max)}"


def write_text(ws: Worksheet, row: int, col: int, value: str, fmt: Format) -> None:
    """User text as a string cell (never a formula, URL or number); an empty one as a formatted blank."""
    if value:
        ws.write_string(row, col, text(value), fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def _places(shown: Decimal) -> int:
    exponent = shown.as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def total_format(decimals: int) -> str:
    """Excel number format with exactly ``decimals`` decimals: 2 -> "#,##0.00"."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def percent_format(decimals: int) -> str:
    """Excel percent format: 0 -> "0%", 1 -> "0.0%"."""
    return "0" + ("." + "0" * decimals if decimals > 0 else "") + "%"


class Styles:
    """Every cell format of one workbook, created once (a format per cell would bloat styles.xml and slow Excel)."""

    def __init__(self, wb: Workbook, display: Display) -> None:
        self._wb = wb
        base: dict[str, Any] = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        cell = {**base, "border": 1}
        head = {**cell, "bold": True, "text_wrap": True, "align": "center", "bg_color": "#D9E1F2"}
        total_fmt = total_format(display.total_decimals)

        def fmt(parent: dict[str, Any], **props: Any) -> Format:
            return wb.add_format({**parent, **props})

        self.title = fmt(base, bold=True, font_size=14, align="center", text_wrap=True)
        self.subtitle = fmt(base, bold=True, font_size=12, align="center", text_wrap=True)
        self.draft = fmt(base, bold=True, font_size=16, align="center", font_color="#C00000")
        self.legend = fmt(base, font_size=10, italic=True, align="center", text_wrap=True)
        self.plain = fmt(base)
        self.plain_bold = fmt(base, bold=True)
        self.header = fmt(head)
        self.header_rotated = fmt(head, rotation=90)
        self.header_rotated_top = fmt(head, bg_color="#B4C6E7", rotation=90)
        self.label = fmt(cell, bold=True, text_wrap=True)
        self.max_score = fmt(cell, bold=True, italic=True, align="center")
        self.max_total = fmt(cell, bold=True, italic=True, align="center", num_format=total_fmt)
        self.text = fmt(cell, text_wrap=True)
        self.text_bold = fmt(cell, text_wrap=True, bold=True)
        self.center = fmt(cell, align="center")
        self.score = fmt(cell, num_format="General")
        self.score_bold = fmt(cell, num_format="General", bold=True)
        self.score_top = fmt(cell, num_format="General", bold=True, bg_color="#EEF3FA")
        self.not_applicable = fmt(cell, align="center", font_color="#7F7F7F")
        self.total = fmt(cell, bold=True, num_format=total_fmt)
        self.average = fmt(cell, num_format=total_fmt)
        self.percent = fmt(cell, num_format=percent_format(display.percent_decimals))
        self.rank = fmt(cell, align="center", num_format="0")
        self.integer = fmt(cell, align="center", num_format="#,##0")
        self.band_cell = fmt(cell, align="center")
        self.note = fmt(cell, font_size=NOTE_FONT_SIZE, text_wrap=True)
        self.mono = fmt(cell, font_name="Courier New", font_size=9)
        self.severity = {
            key: fmt(cell, bold=True, align="center", bg_color=fill, font_color=font)
            for key, (fill, font) in {
                "error": ("#FFC7CE", "#9C0006"),
                "warning": ("#FFEB9C", "#9C5700"),
                "info": ("#F2F2F2", "#404040"),
                "ok": ("#C6EFCE", "#006100"),
            }.items()
        }
        self._display = display
        # The usual total and percent formats are the ones figures with no extra decimal get.
        self._figures: dict[tuple[str, int], Format] = {
            ("total", display.total_decimals): self.total,
            ("percent", display.percent_decimals): self.percent,
        }
        self._indents: dict[tuple[int, bool], Format] = {}
        self._bands: dict[str, tuple[Format, str]] = {}
        self._neutral = 0
        self._cell = cell

    def total_for(self, *totals: Decimal) -> Format:
        """The format of a cell holding the exact total(s) given: ``display.total_decimals`` decimals, or more.

        Excel shows a number rounded half up to its format's decimals; where that would show a unit's total on
        a band threshold it did not reach (424,995 as "425,00"), the format gets one more decimal, as every
        text does (:func:`~egov_xlsx.vietnamese.shown_figure`; a :class:`~egov_xlsx.vietnamese.Figure` brings
        its band). Several totals in one cell (units sharing it) get the decimals the most demanding needs.
        """
        places = max((_places(shown_figure(t, self._display.total_decimals)) for t in totals), default=0)
        return self._figure("total", max(places, self._display.total_decimals))

    def percent_cell(self, percent: Decimal) -> tuple[float, Format]:
        """The value and format of a percent cell: the percent every text prints, as Excel's fraction of 1.

        The cell holds the published figure (truncated, with one more decimal where a band needs it), not the
        exact quotient, so the workbook shows what the announcement and the decision say; the exact percent
        is in results.json and is the total divided by the maximum.
        """
        shown = shown_figure(percent, self._display.percent_decimals, truncate=True)
        return number(shown / HUNDRED), self._figure("percent", _places(shown))

    def _figure(self, kind: str, places: int) -> Format:
        """The bold total format or the percent format with ``places`` decimals (made on first use)."""
        key = (kind, places)
        if key not in self._figures:
            if kind == "total":
                props = {"bold": True, "num_format": total_format(places)}
            else:
                props = {"num_format": percent_format(places)}
            self._figures[key] = self._wb.add_format({**self._cell, **props})
        return self._figures[key]

    def indented(self, level: int, bold: bool) -> Format:
        """A wrapped text cell indented by tree level (one format per level, made on first use)."""
        key = (level, bold)
        if key not in self._indents:
            self._indents[key] = self._wb.add_format({**self._cell, "text_wrap": True, "indent": level, "bold": bold})
        return self._indents[key]

    def band(self, name: str) -> tuple[Format, str]:
        """The conditional format (fill and font) and the chart bar colour of a band, by its name."""
        if name not in self._bands:
            named = BAND_COLOURS.get(" ".join(name.casefold().split()))
            if named is None:
                named = NEUTRAL_COLOURS[self._neutral % len(NEUTRAL_COLOURS)]
                self._neutral += 1
            fill, font, bar = named
            self._bands[name] = (self._wb.add_format({"bg_color": fill, "font_color": font, "bold": True}), bar)
        return self._bands[name]


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
