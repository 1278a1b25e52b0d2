"""A :class:`~egov_xlsx.publish.charts.BarChart` as a native Word chart (DrawingML ``c:chartSpace``).

Why native chart XML rather than a picture from a plotting library: Word and LibreOffice draw it themselves
from the values cached in the part, so it prints sharp at any size, can be restyled in Word, adds no dependency
(no matplotlib to install or import) and is plain text we write ourselves, so identical inputs give identical
bytes. The cached values are the figures the texts print (percents truncated, kept inside the unit's band), so
bars and labels read as the decision does. There is no embedded workbook: Word shows and formats the chart, but
its data are edited in the results workbook, not in the chart.

Columns, one per bar of the chart, coloured point by point (by band); each band threshold is a dashed line
series across the chart; the comparison (the tier's average) is a second series of columns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

from egov_xlsx.publish.charts import AVERAGE_COLOUR, BarChart
from egov_xlsx.style import FONT

#: Above this many columns the chart has no data labels and no category names (the table beside it has them).
LABELS_UP_TO = 60
_EMU_PER_CM = 360000
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def add_chart(
    document: Any,
    paragraph: Any,
    chart: BarChart,
    index: int,
    *,
    width_cm: float,
    height_cm: float,
    decimals: int,
    titled: bool = True,
) -> None:
    """Add ``chart`` inline in ``paragraph`` (see :func:`chart_run`)."""
    run = chart_run(document, chart, index, width_cm=width_cm, height_cm=height_cm, decimals=decimals, titled=titled)
    paragraph._p.append(parse_xml(run))


def chart_run(
    document: Any,
    chart: BarChart,
    index: int,
    *,
    width_cm: float,
    height_cm: float,
    decimals: int,
    titled: bool = True,
) -> str:
    """Add ``chart`` to ``document`` as part ``word/charts/chart<index>.xml`` (relationship ``rIdChart<index>``);
    returns the run (``w:r``) that shows it. ``decimals`` are the percents' (the campaign's ``percent_decimals``);
    without ``titled`` the chart shows no title (a heading above it says what it is)."""
    xml = chart_xml(chart, decimals, titled=titled)
    part = Part(PackURI(f"/word/charts/chart{index}.xml"), CT.DML_CHART, xml, document.part.package)
    rid = f"rIdChart{index}"
    document.part.rels.add_relationship(RT.CHART, part, rid)
    cx, cy = round(width_cm * _EMU_PER_CM), round(height_cm * _EMU_PER_CM)
    return (
        f'<w:r xmlns:w="{_W}"><w:drawing><wp:inline xmlns:wp="{_WP}" distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f"<wp:docPr id={quoteattr(str(index))} name={quoteattr(f'Biểu đồ {index}')} "
        f"descr={quoteattr(chart.description)}/><wp:cNvGraphicFramePr/>"
        f'<a:graphic xmlns:a="{_A}"><a:graphicData uri="{_C}">'
        f'<c:chart xmlns:c="{_C}" xmlns:r="{_R}" r:id="{rid}"/></a:graphicData></a:graphic></wp:inline>'
        "</w:drawing></w:r>"
    )


def chart_xml(chart: BarChart, decimals: int, *, titled: bool = True) -> bytes:
    """The chart part's XML (UTF-8): the same chart gives the same bytes."""
    labelled = len(chart.bars) <= LABELS_UP_TO
    categories = _categories([b.short or b.label for b in chart.bars])
    if chart.index:
        decimals = max(decimals, chart.decimals)
    fmt = "0" if decimals <= 0 else "0." + "0" * decimals
    # A percent's labels and axis say "%"; an index's are bare numbers on a 0-1 axis, a grid line every 0.25.
    suffix = "" if chart.index else "&quot;%&quot;"
    axis_format, major = ("0.00", "0.25") if chart.index else ("0&quot;%&quot;", "25")
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{_R}">',
        '<c:date1904 val="0"/><c:lang val="vi-VN"/><c:roundedCorners val="0"/><c:chart>',
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr sz="1100" b="1"/></a:pPr><a:r>{_rpr(1100, True)}'
        f'<a:t>{escape(chart.title)}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>'
        if titled
        else "",
        f'<c:autoTitleDeleted val="{0 if titled else 1}"/><c:plotArea><c:layout/>',
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>',
    ]
    colours = [b.colour for b in chart.bars]
    main = colours[0] if colours else "4472C4"
    points = "".join(
        f'<c:dPt><c:idx val="{i}"/><c:invertIfNegative val="0"/><c:bubble3D val="0"/>{_fill(c)}</c:dPt>'
        for i, c in enumerate(colours)
        if c != main
    )
    labels = _labels(fmt, suffix) if labelled else ""
    parts.append(
        f'<c:ser><c:idx val="0"/><c:order val="0"/><c:tx><c:v>{escape(chart.series)}</c:v></c:tx>{_fill(main)}'
        f'<c:invertIfNegative val="0"/>{points}{labels}{categories}'
        f"{_values([b.value for b in chart.bars], fmt)}</c:ser>"
    )
    if chart.reference_series:
        parts.append(
            f'<c:ser><c:idx val="1"/><c:order val="1"/><c:tx><c:v>{escape(chart.reference_series)}</c:v></c:tx>'
            f'{_fill(AVERAGE_COLOUR)}<c:invertIfNegative val="0"/>{labels}{categories}'
            f"{_values([b.reference for b in chart.bars], fmt)}</c:ser>"
        )
    parts.append('<c:gapWidth val="60"/><c:axId val="5001"/><c:axId val="5002"/></c:barChart>')
    if chart.thresholds:
        parts.append('<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>')
        for n, t in enumerate(chart.thresholds, start=2):
            line = (
                f'<c:spPr><a:ln w="19050"><a:solidFill><a:srgbClr val="{t.colour.lstrip("#").upper()}"/></a:solidFill>'
                '<a:prstDash val="dash"/></a:ln></c:spPr>'
            )
            parts.append(
                f'<c:ser><c:idx val="{n}"/><c:order val="{n}"/><c:tx><c:v>{escape(f"Ngưỡng {t.name}")}</c:v></c:tx>'
                f'{line}<c:marker><c:symbol val="none"/></c:marker>{categories}'
                f'{_values([t.percent] * len(chart.bars), "General")}<c:smooth val="0"/></c:ser>'
            )
        parts.append('<c:marker val="1"/><c:axId val="5001"/><c:axId val="5002"/></c:lineChart>')
    rotated = '<c:txPr><a:bodyPr rot="-2700000" vert="horz"/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800"/></a:pPr><a:endParaRPr lang="vi-VN"/></a:p></c:txPr>'
    parts.append(
        '<c:catAx><c:axId val="5001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="{0 if labelled else 1}"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{rotated if len(chart.bars) > 8 else ""}<c:crossAx val="5002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="5002"/><c:scaling><c:orientation val="minMax"/><c:max val="{_num(chart.scale)}"/>'
        '<c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:majorGridlines><c:spPr><a:ln w="6350">'
        '<a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill></a:ln></c:spPr></c:majorGridlines>'
        f'<c:numFmt formatCode="{axis_format}" sourceLinked="0"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="5001"/><c:crosses val="autoZero"/>'
        f'<c:crossBetween val="between"/><c:majorUnit val="{major}"/></c:valAx></c:plotArea>'
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart>'
        f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="900">{_latin()}</a:defRPr></a:pPr>'
        '<a:endParaRPr lang="vi-VN"/></a:p></c:txPr></c:chartSpace>'
    )
    return "".join(parts).encode("utf-8")


def _latin() -> str:
    return f'<a:latin typeface="{FONT}"/><a:cs typeface="{FONT}"/>'


def _rpr(size: int, bold: bool) -> str:
    return f'<a:rPr lang="vi-VN" sz="{size}" b="{int(bold)}">{_latin()}</a:rPr>'


def _fill(colour: str) -> str:
    return f'<c:spPr><a:solidFill><a:srgbClr val="{colour.lstrip("#").upper()}"/></a:solidFill></c:spPr>'


def _labels(fmt: str, suffix: str = "&quot;%&quot;") -> str:
    return (
        f'<c:dLbls><c:numFmt formatCode="{fmt}{suffix}" sourceLinked="0"/><c:spPr><a:noFill/><a:ln><a:noFill/>'
        '</a:ln></c:spPr><c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="700"/></a:pPr>'
        '<a:endParaRPr lang="vi-VN"/></a:p></c:txPr><c:showLegendKey val="0"/><c:showVal val="1"/>'
        '<c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
    )


def _categories(labels: list[str]) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{escape(label)}</c:v></c:pt>' for i, label in enumerate(labels))
    return f'<c:cat><c:strLit><c:ptCount val="{len(labels)}"/>{points}</c:strLit></c:cat>'


def _values(values: list[Decimal | None], fmt: str) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{_num(v)}</c:v></c:pt>' for i, v in enumerate(values) if v is not None)
    return (
        f'<c:val><c:numLit><c:formatCode>{escape(fmt)}</c:formatCode><c:ptCount val="{len(values)}"/>{points}'
        "</c:numLit></c:val>"
    )


def _num(value: Decimal) -> str:
    """A decimal as chart XML writes numbers: a point, no exponent, no trailing zeros."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text
