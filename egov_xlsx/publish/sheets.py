"""What the output workbooks share (xlsxwriter): the workbook, its cell formats, values as cells take them.

* :func:`open_workbook`: an output workbook with the campaign's document properties (no clock: identical
  inputs give a byte-identical file); closed with :func:`egov_xlsx.workbook_files.close_workbook`.
* :class:`Styles`: every cell format, created once per workbook.
* :func:`number`, :func:`text`, :func:`write_text`: values as cells take them.

The page (row heights, titles, print setup) is :mod:`egov_xlsx.publish.sheet_page`.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from egov_xlsx._version import PROGRAM
from egov_xlsx.model import HUNDRED, Adjustment, Campaign, Display
from egov_xlsx.style import FONT
from egov_xlsx.vietnamese import format_number, shown_figure
from egov_xlsx.workbook_files import new_workbook

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
    """A new output workbook of ``campaign`` at ``path``, created on 1 January after the campaign year.

    ``streaming`` and ``tmpdir``: see :func:`~egov_xlsx.workbook_files.new_workbook`.
    """
    properties = {
        "title": title,
        "subject": campaign.title,
        "author": campaign.authority or PROGRAM,
        "comments": f"{PROGRAM}, đợt đánh giá {campaign.id}",
        # No clock: the same inputs must give the same bytes.
        "created": datetime(campaign.year + 1, 1, 1),
    }
    return new_workbook(path, properties, streaming=streaming, tmpdir=tmpdir)


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


def index_format(decimals: int) -> str:
    """Excel number format of an index: 4 -> "0.0000"."""
    return "0." + "0" * decimals if decimals > 0 else "0"


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

    def index_cell(self, index: Decimal) -> tuple[float, Format]:
        """The value and format of an index cell (``[display] scale = "index"``): the exact index, a number,
        with ``display.index_decimals`` decimals, or more where its band needs them ("0,74996", not "0,7500").

        Excel rounds half up for display, as the texts round an index, so the cell shows what they print.
        """
        places = _places(shown_figure(index, self._display.index_decimals))
        return number(index), self._figure("index", max(places, self._display.index_decimals))

    def _figure(self, kind: str, places: int) -> Format:
        """The bold total format, the percent or the index format with ``places`` decimals (made on first use)."""
        key = (kind, places)
        if key not in self._figures:
            if kind == "total":
                props = {"bold": True, "num_format": total_format(places)}
            elif kind == "index":
                props = {"bold": True, "num_format": index_format(places)}
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
