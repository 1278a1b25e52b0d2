"""The per-criterion sheets of the results workbook: detail, appraisal and statistics (xlsxwriter).

The detail sheet puts units in rows and every criterion (all levels, tree order) in columns: a tier has a
bounded number of criteria but may have thousands of units, and rows are what Excel filters, sorts and prints
over many pages; narrow columns with rotated headers keep a 30-criterion tier on one page width.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from xlsxwriter.worksheet import Worksheet

from egov_xlsx.model import ZERO, Criterion, CriterionFacts, Results, ScoreGroup, Tier, TierResult, Unit, UnitResult
from egov_xlsx.model.rule import fact_text
from egov_xlsx.publish.sheet_page import (
    estimate_lines,
    fit_row,
    set_widths,
    setup_page,
    small,
    write_header_row,
    write_heading,
)
from egov_xlsx.publish.sheets import NOT_APPLICABLE_MARK, Styles, adjustment_bound, number, text, write_text
from egov_xlsx.rules.scoring import band_figures
from egov_xlsx.style import DRAFT_MARK
from egov_xlsx.vietnamese import format_number, join

#: The detail sheet's header of a rule-based criterion's facts column ("2.1. Kết quả thực hiện").
FACTS_LABEL = "Kết quả thực hiện"

#: A names cell lists at most this many units, then "và N đơn vị khác" (a cell holds 32,767 characters).
MAX_NAMES = 50

#: A council-scored criterion without a value yet (a draft): left out of the total and the maximum.
MISSING_MARK = "chưa có"


def _depths(tier: Tier) -> dict[str, int]:
    """Tree level of every criterion: 0 for the top-level ones."""
    depth: dict[str, int] = {}
    for c in tier.walk():
        parent = tier.parent_code(c.code)
        depth[c.code] = 0 if parent is None else depth[parent] + 1
    return depth


def _page(ws: Worksheet, results: Results, tier: Tier, header: tuple[int, int]) -> None:
    right = DRAFT_MARK if results.draft else f"Khối: {tier.name}"
    setup_page(ws, left=results.campaign.title, right=right, repeat=header)


# --------------------------------------------------------------------------- detail


def _rotated_height(labels: Sequence[str], lines: int) -> float:
    """Height (points) a rotated header needs so each label fits in ``lines`` lines across its column."""
    for height in range(60, 400, 10):
        # Bold 11-point text takes about 5 points per character along the rotated line.
        if all(estimate_lines(label, height / 5.0) <= lines for label in labels):
            return height
    return 400


def write_detail_sheet(ws: Worksheet, styles: Styles, results: Results, tr: TierResult) -> None:
    """Xếp hạng | Đơn vị | every criterion in tree order | adjustments | Tổng điểm; a "Điểm tối đa" row first.

    Top-level criteria are shaded and parents bold, so the tree reads across the columns.
    """
    tier = tr.tier
    # Every criterion's score column; a rule-based leaf's facts in the column after it.
    columns: list[tuple[Criterion, bool]] = []
    for c in tier.walk():
        columns.append((c, False))
        if c.rule is not None:
            columns.append((c, True))
    criteria = [c for c, _ in columns]
    depth = _depths(tier)
    total_col = 2 + len(criteria) + len(tier.adjustments)
    widths = [7.0, 34.0, *[16.0 if fact else 7.0 for _, fact in columns], *[7.0] * len(tier.adjustments), 10.0]
    set_widths(ws, widths)
    header = write_heading(
        ws,
        styles,
        last_col=total_col,
        width=sum(widths),
        title=results.campaign.title,
        subtitles=(f"Khối: {tier.name} - điểm chi tiết từng tiêu chí",),
        draft=results.draft,
    )
    labels = [f"{c.code}. {FACTS_LABEL if fact else c.name}" for c, fact in columns] + [
        a.name for a in tier.adjustments
    ]
    for col, label in enumerate(labels, start=2):
        top = col - 2 < len(criteria) and depth[criteria[col - 2].code] == 0
        ws.write_string(header, col, text(label), styles.header_rotated_top if top else styles.header_rotated)
    ws.write_string(header, 0, "Xếp hạng", styles.header)
    ws.write_string(header, 1, "Đơn vị", styles.header)
    ws.write_string(header, total_col, "Tổng điểm", styles.header)
    ws.set_row(header, _rotated_height(labels, 2))

    styles_of = [
        styles.score_top if depth[c.code] == 0 else styles.score if c.is_leaf else styles.score_bold for c in criteria
    ]
    row = header + 1
    for col in range(total_col + 1):
        ws.write_blank(row, col, None, styles.max_score)
    ws.write_string(row, 1, "Điểm tối đa", styles.label)
    for j, (c, fact) in enumerate(columns):
        if not fact:
            ws.write_number(row, 2 + j, number(c.max), styles.max_score)
    for j, adj in enumerate(tier.adjustments):
        ws.write(row, 2 + len(criteria) + j, adjustment_bound(adj), styles.max_score)
    ws.write_number(row, total_col, number(tier.max), styles.max_total)

    # 60 cells a unit, 600,000 for a national tier: the loop's lookups are done once, here.
    cells = [
        (2 + j, c.code, fmt) for j, ((c, fact), fmt) in enumerate(zip(columns, styles_of, strict=True)) if not fact
    ]
    fact_cells = [(2 + j, c) for j, (c, fact) in enumerate(columns) if fact]
    write_number, write_string, not_applicable = ws.write_number, ws.write_string, styles.not_applicable
    for ur in tr.units:
        row += 1
        if ur.rank is None:
            ws.write_blank(row, 0, None, styles.rank)
        else:
            ws.write_number(row, 0, ur.rank, styles.rank)
        write_text(ws, row, 1, ur.unit.name, styles.text)
        score_of = ur.scores.get
        for col, code, fmt in cells:
            score = score_of(code)
            if score is None:  # not applicable, or (a draft) a council value still missing
                write_string(
                    row, col, MISSING_MARK if code in ur.council_missing else NOT_APPLICABLE_MARK, not_applicable
                )
            else:
                write_number(row, col, number(score), fmt)
        for col, c in fact_cells:
            shown = fact_shown(ur, c)
            if shown:
                write_text(ws, row, col, shown, styles.text)
            else:
                ws.write_blank(row, col, None, styles.text)
        for j, adj in enumerate(tier.adjustments):
            ws.write_number(row, 2 + len(criteria) + j, number(ur.adjustments.get(adj.code, ZERO)), styles.score)
        ws.write_number(row, total_col, number(ur.total), styles.total_for(band_figures(tier.bands, ur)[0]))
        fit_row(ws, row, ((ur.unit.name, widths[1]),))
    ws.freeze_panes(header + 2, 2)
    _page(ws, results, tier, (header, header + 1))


def fact_shown(ur: UnitResult, c: Criterion) -> str:
    """A rule-based criterion's facts as the unit's row shows them ("925/1.000 (92,5%)"), the council's first
    when its score came from them; empty without facts."""
    assert c.rule is not None
    facts, council = ur.facts.get(c.code), ur.appraised_facts.get(c.code)
    own = "" if facts is None else fact_text(c.rule, facts)
    if council is None:
        return own
    return f"{fact_text(c.rule, council)} (thẩm định; đơn vị: {own or 'không có'})"


def appraised_how(ur: UnitResult, c: Criterion) -> str:
    """For a rule-based criterion the council appraised, which it changed, before its reason: the facts (the
    score follows from them) or the score itself."""
    if c.rule is None:
        return ""
    council = ur.appraised_facts.get(c.code)
    if council is None:
        return "Hội đồng nhập trực tiếp điểm thẩm định. "
    return f"Theo kết quả thực hiện thẩm định: {fact_text(c.rule, council)}. "


# --------------------------------------------------------------------------- appraisal

_APPRAISAL_HEADERS = (
    "STT",
    "Đơn vị",
    "Mã",
    "Tiêu chí",
    "Điểm tối đa",
    "Tự đánh giá",
    "Thẩm định",
    "Chênh lệch",
    "Lý do",
)
_APPRAISAL_WIDTHS = (5.0, 26.0, 7.0, 36.0, 9.0, 9.0, 9.0, 9.0, 40.0)


def has_appraisal(tr: TierResult) -> bool:
    """Whether the tier has anything the council set: an appraised score, or a bonus/penalty value or reason."""
    return any(
        ur.appraised or any(ur.adjustments.values()) or any(a.code in ur.appraisal_reasons for a in tr.tier.adjustments)
        for ur in tr.units
    )


def write_appraisal_sheet(ws: Worksheet, styles: Styles, results: Results, tr: TierResult) -> None:
    """Every value the council set, with its reason: appraised scores, then bonus/penalty lines, per unit.

    Units in the table order of the summary; for each, the leaves with an appraised score in tree order
    (Chênh lệch = Thẩm định - Tự đánh giá), then every bonus/penalty line that is not 0 or has a reason
    (Chênh lệch = its value). Leaves without an appraised score kept the unit's own score and are not listed.
    """
    tier = tr.tier
    bodies = {a.code: a.name for a in results.campaign.appraisers}
    headers: tuple[str, ...] = _APPRAISAL_HEADERS
    widths: tuple[float, ...] = _APPRAISAL_WIDTHS
    if bodies:  # who appraised each row: a last column
        headers, widths = (*headers, "Cơ quan thẩm định"), (*widths, 26.0)
    set_widths(ws, widths)
    last = len(headers) - 1
    header = write_heading(
        ws,
        styles,
        last_col=last,
        width=sum(widths),
        title="ĐIỂM TỰ ĐÁNH GIÁ, ĐIỂM THẨM ĐỊNH VÀ ĐIỂM CỘNG, ĐIỂM TRỪ",
        subtitles=(results.campaign.title, f"Khối: {tier.name}"),
        draft=results.draft,
        legend=(
            "Liệt kê mọi điểm Hội đồng thẩm định đã chấm lại và mọi điểm cộng, điểm trừ, kèm lý do; các tiêu chí "
            "khác giữ điểm tự đánh giá. Chênh lệch = điểm thẩm định - điểm tự đánh giá (điểm cộng, điểm trừ: "
            "chính giá trị đó)."
        ),
    )
    write_header_row(ws, header, headers, widths, styles.header)
    leaves = [c for c in tier.leaves()]
    row, seq = header + 1, 0
    for ur in tr.units:
        reasons = ur.appraisal_reasons
        for leaf in leaves:
            appraised = ur.appraised.get(leaf.code)
            if appraised is None:
                continue
            seq += 1
            own = ur.self_scores.get(leaf.code)
            reason = appraised_how(ur, leaf) + reasons.get(leaf.code, "")
            ws.write_number(row, 0, seq, styles.center)
            write_text(ws, row, 1, ur.unit.name, styles.text)
            ws.write_string(row, 2, leaf.code, styles.center)
            write_text(ws, row, 3, leaf.name, styles.text)
            ws.write_number(row, 4, number(leaf.max), styles.score)
            ws.write_number(row, 6, number(appraised), styles.score_bold)
            if own is None:
                ws.write_blank(row, 5, None, styles.score)
                ws.write_blank(row, 7, None, styles.score)
            else:
                ws.write_number(row, 5, number(own), styles.score)
                ws.write_number(row, 7, number(appraised - own), styles.score)
            write_text(ws, row, 8, reason, styles.text)
            if bodies:
                write_text(ws, row, 9, bodies.get(leaf.appraised_by, ""), styles.text)
            fit_row(ws, row, ((ur.unit.name, widths[1]), (leaf.name, widths[3]), (reason, widths[8])))
            row += 1
        for adj in tier.adjustments:
            value = ur.adjustments.get(adj.code, ZERO)
            reason = reasons.get(adj.code, "")
            if value == 0 and not reason:
                continue
            seq += 1
            ws.write_number(row, 0, seq, styles.center)
            write_text(ws, row, 1, ur.unit.name, styles.text)
            ws.write_string(row, 2, adj.code, styles.center)
            write_text(ws, row, 3, adj.name, styles.text)
            ws.write(row, 4, adjustment_bound(adj), styles.score)
            ws.write_blank(row, 5, None, styles.score)
            ws.write_number(row, 6, number(value), styles.score_bold)
            ws.write_number(row, 7, number(value), styles.score)
            write_text(ws, row, 8, reason, styles.text)
            if bodies:
                write_text(ws, row, 9, bodies.get(adj.appraised_by, ""), styles.text)
            fit_row(ws, row, ((ur.unit.name, widths[1]), (adj.name, widths[3]), (reason, widths[8])))
            row += 1
    if seq:
        ws.autofilter(header, 0, row - 1, last)
        ws.ignore_errors({"number_stored_as_text": f"C{header + 2}:C{row}"})
    ws.freeze_panes(header + 1, 2)
    _page(ws, results, tier, (header, header))


# --------------------------------------------------------------------------- statistics

_STAT_GROUPS = (
    ("Điểm cao nhất", "Điểm"),
    ("Điểm cao thứ hai", "Điểm"),
    ("Điểm thấp nhất", "Điểm"),
    ("Đạt điểm tối đa", "Số đơn vị"),
    ("Đạt 0 điểm", "Số đơn vị"),
)
_STAT_WIDTHS = (7.0, 32.0, 8.0, 9.0, *[8.0, 24.0] * len(_STAT_GROUPS))


def names(units: Sequence[Unit]) -> str:
    """Unit names joined the Vietnamese way ("A, B và C"); past :data:`MAX_NAMES`, "... và 120 đơn vị khác"."""
    if len(units) <= MAX_NAMES:
        return join(u.name for u in units)
    shown = ", ".join(u.name for u in units[:MAX_NAMES])
    return f"{shown} và {format_number(len(units) - MAX_NAMES)} đơn vị khác"


def write_statistics_sheet(ws: Worksheet, styles: Styles, results: Results, tr: TierResult) -> None:
    """Per criterion (tree order) and for the total: maximum, average, highest, second, lowest, at max, at zero.

    Only ranked units count (as in :attr:`TierResult.facts`); the average is exact and rounded only by the
    cell's number format. "Second" is the next distinct score below the highest.
    """
    tier = tr.tier
    last_col = len(_STAT_WIDTHS) - 1
    set_widths(ws, _STAT_WIDTHS)
    header = write_heading(
        ws,
        styles,
        last_col=last_col,
        width=sum(_STAT_WIDTHS),
        title="THỐNG KÊ ĐIỂM THEO TIÊU CHÍ",
        subtitles=(results.campaign.title, f"Khối: {tier.name}"),
        draft=results.draft,
        legend="Chỉ tính các đơn vị được xếp hạng. Điểm cao thứ hai là mức điểm liền sau điểm cao nhất.",
    )
    # Rows are written strictly in order (the workbook streams rows to disk): the group titles first, each
    # merged over its two columns, then the column labels.
    singles = ("Mã", "Tiêu chí", "Điểm tối đa", "Điểm trung bình")
    ws.set_row(header, 30)
    for col in range(len(singles)):
        ws.write_blank(header, col, None, styles.header)
    for i, (group, _) in enumerate(_STAT_GROUPS):
        ws.merge_range(header, 4 + 2 * i, header, 5 + 2 * i, group, styles.header)
    ws.set_row(header + 1, 30)
    for col, label in enumerate(singles):
        ws.write_string(header + 1, col, label, styles.header)
    for i, (_, first) in enumerate(_STAT_GROUPS):
        ws.write_string(header + 1, 4 + 2 * i, first, styles.header)
        ws.write_string(header + 1, 5 + 2 * i, "Đơn vị", styles.header)
    depth = _depths(tier)
    row = header + 2
    rows = [(f, depth[f.criterion.code]) for f in tr.facts]
    if tr.total_facts is not None:
        rows.append((tr.total_facts, -1))
    totals = {r.unit.code: band_figures(tier.bands, r)[0] for r in tr.ranked}
    for facts, level in rows:
        _write_facts_row(ws, styles, row, facts, level, totals)
        row += 1
    ws.freeze_panes(header + 2, 2)
    ws.ignore_errors({"number_stored_as_text": f"A{header + 3}:A{row}"})
    _page(ws, results, tier, (header, header + 1))


def _write_facts_row(
    ws: Worksheet, styles: Styles, row: int, facts: CriterionFacts, level: int, totals: Mapping[str, Decimal]
) -> None:
    """One statistics row; ``level`` is the tree depth, -1 for the total (``totals``: each unit's, as a Figure)."""
    c = facts.criterion
    bold = level <= 0 or not c.is_leaf
    cells = [(c.name, _STAT_WIDTHS[1] - 2 * max(level, 0))]
    write_text(ws, row, 0, c.code, styles.center)
    write_text(ws, row, 1, c.name, styles.indented(max(level, 0), bold))
    ws.write_number(row, 2, number(c.max), styles.score_bold if bold else styles.score)
    if facts.average is None:
        ws.write_blank(row, 3, None, styles.average)
    else:
        ws.write_number(row, 3, number(facts.average), styles.average)
    groups: Sequence[ScoreGroup | None] = (facts.highest, facts.second, facts.lowest)
    for i, group in enumerate(groups):
        col = 4 + 2 * i
        if group is None:
            ws.write_blank(row, col, None, styles.score)
            ws.write_blank(row, col + 1, None, styles.note)
        else:
            # The total's figures use the total's decimals, as in every text ("417,30"), and stay in the
            # band of every unit holding them.
            fmt = styles.total_for(*(totals[u.code] for u in group.units)) if level < 0 else styles.score
            ws.write_number(row, col, number(group.score), fmt)
            listed = names(group.units)
            write_text(ws, row, col + 1, listed, styles.note)
            cells.append((listed, small(_STAT_WIDTHS[col + 1])))
    for i, units in enumerate((facts.at_max, facts.at_zero)):
        col = 10 + 2 * i
        ws.write_number(row, col, len(units), styles.integer)
        listed = names(units)
        write_text(ws, row, col + 1, listed, styles.note)
        cells.append((listed, small(_STAT_WIDTHS[col + 1])))
    fit_row(ws, row, cells)
