"""The results page for the provincial portal, ``ket-qua.html``: one self-contained file.

Per tier: the band counts, the chart (inline SVG), the ranked table with the top-level criteria's scores and, with
``--previous``, the change from last year; then a section for each unit, which its result card summarises, where
the cards are written (up to :data:`~egov_xlsx.publish.outputs.CARDS_UP_TO` units, or all with ``--cards``):
above that the table is the page, and a note says why (10,000 units' sections made a 104 MB page). Read
without JavaScript; a little script sorts a table by a column and filters units by name. No network access
(no external style, script, font or image), Vietnamese (``lang="vi"``), prints on A4.

Rendered by Jinja from the package's own template (``results_page.html.j2``, autoescaped): every string from the
config or a form is escaped. Figures come from :mod:`egov_xlsx.publish.unit_summary` and so read as the decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from egov_xlsx.model import Results, TierResult
from egov_xlsx.publish.chart_svg import render_svg
from egov_xlsx.publish.charts import band_colours, tier_chart, unit_chart
from egov_xlsx.publish.council_notes import council_notes
from egov_xlsx.publish.document_texts import results_phrase
from egov_xlsx.publish.outputs import CARDS_UP_TO
from egov_xlsx.publish.unit_summary import NONE_TEXT, UnitSummary, summarize_unit, tier_index_notes
from egov_xlsx.style import DRAFT_MARK, FONT
from egov_xlsx.vietnamese import ascii_fold, clean, format_number, format_rank_change

TEMPLATE = "results_page.html.j2"


@dataclass(frozen=True)
class Cell:
    """A table cell: its text and the value a sort compares (a number as text, or the folded text)."""

    text: str
    sort: str


@dataclass(frozen=True)
class Row:
    anchor: str
    name: str
    folded: str
    cells: tuple[Cell, ...]
    band: str
    band_style: str
    note: str


@dataclass(frozen=True)
class TierSection:
    ident: str
    name: str
    max_text: str
    chart: Markup
    bands: tuple[tuple[str, str, str], ...]
    headers: tuple[tuple[str, str], ...]
    #: The column of the band (coloured).
    band_col: int
    #: Each row's HTML (:func:`row_html`), made as the page renders them (read once).
    rows: Iterator[Markup]
    excluded: tuple[str, ...]
    #: Each unit's anchor, summary, chart and criteria table rows (:func:`lines_html`), made as the page renders
    #: them; nothing when the page has no unit sections.
    units: Iterator[tuple[str, UnitSummary, Markup, Markup]]


def render_page(results: Results, summaries: tuple[UnitSummary, ...] | None = None) -> str:
    """The page's HTML. ``summaries``: every unit's, when the cards are written (the page then has a section for
    each unit); without them, the summaries are made as the page renders, and the units have sections only in a
    campaign of up to :data:`CARDS_UP_TO` units."""
    return "".join(_page(results, summaries))


def write_page(results: Results, path: Path, summaries: tuple[UnitSummary, ...] | None = None) -> None:
    """Write the page to ``path`` (UTF-8) as it is rendered: a campaign of 10,000 units is a large page."""
    with path.open("wb") as out:
        batch: list[str] = []
        for piece in _page(results, summaries):
            batch.append(piece)
            if len(batch) >= 4096:
                out.write("".join(batch).encode("utf-8"))
                batch = []
        out.write("".join(batch).encode("utf-8"))


def _page(results: Results, summaries: tuple[UnitSummary, ...] | None) -> Iterator[str]:
    by_tier: dict[str, list[UnitSummary]] = {}
    for s in summaries or ():
        by_tier.setdefault(s.tier.tier.key, []).append(s)
    count = sum(len(t.units) for t in results.tiers)
    sections = summaries is not None or count <= CARDS_UP_TO

    def units(tier: TierResult) -> Callable[[], Iterable[UnitSummary]]:
        if summaries is not None:
            return lambda: by_tier.get(tier.tier.key, [])
        ranked, notes = len(tier.ranked), tier_index_notes(results, tier)
        # Made again for the table and for the sections rather than all held: 10,000 units' summaries are large.
        return lambda: (summarize_unit(results, tier, r, ranked, notes) for r in tier.units)

    tiers = tuple(_tier_section(results, n, tier, units(tier), sections) for n, tier in enumerate(results.tiers, 1))
    campaign = results.campaign
    return _template().generate(
        title=clean(campaign.title),
        heading=results_phrase(campaign)[:1].upper() + results_phrase(campaign)[1:],
        authority=clean(campaign.authority),
        draft=results.draft,
        draft_mark=DRAFT_MARK,
        previous_year=results.previous_year,
        font=FONT,
        tiers=tiers,
        sections=sections,
        unit_count=format_number(count),
        index=campaign.display.index,
        generator=results.tool_version,
    )


@cache
def _template() -> jinja2.Template:
    text = resources.files(__package__).joinpath(TEMPLATE).read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(text)


def _tier_section(
    results: Results, index: int, tier: TierResult, summaries: Callable[[], Iterable[UnitSummary]], sections: bool
) -> TierSection:
    ident = f"khoi-{index}"
    as_index = results.campaign.display.index
    colours = band_colours(tier.tier)
    criteria = tier.tier.criteria
    adjustments = tier.tier.adjustments
    headers = [
        ("Hạng", "Thứ hạng trong khối"),
        ("Đơn vị", "Tên đơn vị"),
        *((f"TC {c.code} ({format_number(c.max)})", clean(c.name)) for c in criteria),
        *((clean(a.code), clean(a.name)) for a in adjustments),
        (f"Tổng điểm ({format_number(tier.tier.max)})", "Tổng điểm"),
        ("Chỉ số", "Tổng điểm chia cho điểm tối đa của đơn vị")
        if as_index
        else ("Tỷ lệ", "Tỷ lệ điểm đạt được so với điểm tối đa của đơn vị"),
        ("Xếp loại", "Xếp loại"),
    ]
    if results.previous_year is not None:
        headers.append((f"So với năm {results.previous_year}", "Thay đổi thứ hạng so với năm trước"))
    headers.append(("Ghi chú", "Ghi chú"))
    band_col = 2 + len(criteria) + len(adjustments) + 2

    def row(n: int, s: UnitSummary) -> Row:
        anchor = f"{ident}-don-vi-{n}"
        r = s.result
        scores = [r.scores.get(c.code) for c in criteria]
        cells = [
            Cell(
                format_number(r.rank) if r.rank is not None else NONE_TEXT, str(r.rank if r.rank is not None else 10**9)
            ),
            Cell(s.name, ascii_fold(s.name).casefold()),
            *(Cell(s.score_text(v), str(v if v is not None else -1)) for v in scores),
            *(
                Cell(format_number(r.adjustments.get(a.code, 0)), str(r.adjustments.get(a.code, 0)))
                for a in adjustments
            ),
            Cell(s.total_text, str(r.total)),
            Cell(s.index_text, str(s.index)) if s.index is not None else Cell(s.own_percent_text, str(r.percent)),
            Cell(s.band_text, s.band_text),
        ]
        if results.previous_year is not None:
            change = s.previous.rank_change if s.previous is not None else None
            if s.previous is None:
                cells.append(Cell("mới", "-100000"))
            else:
                cells.append(Cell(NONE_TEXT if change is None else format_rank_change(change), str(change or 0)))
        fill, font, _ = colours.get(r.band or "", ("#ffffff", "#000000", ""))
        return Row(
            anchor=anchor if sections else "",
            name=s.name,
            folded=ascii_fold(s.name).casefold(),
            cells=tuple(cells),
            band=s.band_text,
            band_style=f"background:{fill};color:{font}",
            note=_note(s),
        )

    def chart(n: int, s: UnitSummary) -> Markup:
        return render_svg(unit_chart(s), f"{ident}-don-vi-{n}-bieu-do")

    # Rows and sections are made as the page renders them, not held for the whole tier.
    return TierSection(
        ident=ident,
        name=clean(tier.tier.name),
        max_text=format_number(tier.tier.max),
        chart=render_svg(tier_chart(results, tier), f"{ident}-bieu-do"),
        bands=tuple(
            (b.band, format_number(len(b.units)), f"background:{colours[b.band][0]};color:{colours[b.band][1]}")
            for b in tier.bands
        ),
        headers=tuple(headers),
        band_col=band_col,
        rows=(row_html(row(n, s), band_col) for n, s in enumerate(summaries(), 1)),
        excluded=tuple(f"{clean(u.name)} ({clean(why)})" if why else clean(u.name) for u, why in tier.excluded),
        units=(
            ((f"{ident}-don-vi-{n}", s, chart(n, s), lines_html(s)) for n, s in enumerate(summaries(), 1))
            if sections
            else iter(())
        ),
    )


# The ranked table's rows and a unit's criteria rows are the page's bulk (a row per unit, a line per criterion
# and unit): written here, each text escaped, rather than by the template cell by cell.


def row_html(row: Row, band_col: int) -> Markup:
    """A ranked table's row: the unit's name (a link to its section, if it has one) in a row header, the band's
    cell coloured."""
    out = [f'<tr data-ten="{escape(row.folded)}">\n']
    for col, c in enumerate(row.cells):
        if col == 1:
            name = f'<a href="#{escape(row.anchor)}">{escape(c.text)}</a>' if row.anchor else escape(c.text)
            out.append(f'<th scope="row" class="name" data-v="{escape(c.sort)}">{name}</th>\n')
        elif col == band_col:
            out.append(f'<td data-v="{escape(c.sort)}" style="{escape(row.band_style)}">{escape(c.text)}</td>\n')
        else:
            out.append(f'<td class="n" data-v="{escape(c.sort)}">{escape(c.text)}</td>\n')
    out.append(f'<td class="name">{escape(row.note)}</td>\n</tr>\n')
    return Markup("".join(out))


def lines_html(s: UnitSummary) -> Markup:
    """A unit's criteria table rows: its points, the maximum, the tier's average and best."""
    out = []
    for line in s.shown_lines:
        c = line.criterion
        points = s.score_text(line.points) if line.applicable else "không áp dụng"
        out.append(
            f'<tr class="level-{line.level}"><td class="name">{_html(c.code)}. {_html(c.name)}</td>'
            f'<td class="n">{_html(points)}</td><td class="n">{_html(s.score_text(c.max))}</td>'
            f'<td class="n">{_html(s.average_text(line.average))}</td>'
            f'<td class="n">{_html(s.score_text(line.best))}</td></tr>\n'
        )
    return Markup("".join(out))


@lru_cache(maxsize=16384)  # criteria's names and figures recur in every unit's section
def _html(text: str) -> str:
    return str(escape(text))


def _note(s: UnitSummary) -> str:
    notes = []
    if s.result.rank is None:
        notes.append(s.rank_text)
    elif s.result.shares_rank:
        notes.append("Đồng hạng")
    if s.not_applicable_text:
        notes.append(s.not_applicable_text)
    notes += council_notes(s.result)
    if s.result.tie_note:
        notes.append(clean(s.result.tie_note))
    if s.index_note:
        notes.append(clean(s.index_note))
    return " ".join(notes)
