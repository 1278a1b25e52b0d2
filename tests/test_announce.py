"""The announcement: sentences rendered from data, campaign overrides, template errors, layout."""

from __future__ import annotations

import gc
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest

from egov_xlsx.config import load_campaign
from egov_xlsx.model import (
    Campaign,
    Criterion,
    PreviousStanding,
    Results,
    SourceFile,
    Submission,
    Tier,
    TierResult,
)
from egov_xlsx.publish import announce
from egov_xlsx.publish.announce import TemplateProblem, make_environment, render_announcement
from egov_xlsx.publish.announce_results_view import TierView
from egov_xlsx.publish.announce_text import escape_markdown
from egov_xlsx.publish.announce_views import ResultView, UnitView
from egov_xlsx.rules.scoring import score_tier

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "hung-yen-2018"
GOLDEN = Path(__file__).resolve().parent / "data" / "announce"

# Top-level criterion scores (1..6 and 1..7) consistent with every fact of the published Hưng Yên 2018 article.
SO_NGANH: dict[str, tuple[str, ...]] = {
    "SKHDT": ("50", "80", "70", "97.8", "69.5", "50"),
    "STTTT": ("50", "80", "80", "60", "90", "50"),
    "STC": ("50", "75", "86.75", "0", "100", "50"),
    "STP": ("50", "95", "70", "0", "90", "45"),
    "SNV": ("50", "75", "80", "0", "100", "50"),
    "SNNPTNT": ("50", "60", "70", "0", "80", "50"),
    "BQLKCN": ("45", "85.5", "75", "50", "60", "50"),
    "SCT": ("48", "70", "93", "0", "98", "45"),
    "SGTVT": ("45", "70", "70", "92", "80", "30"),
    "SGDDT": ("45", "80", "80", "0", "100", "50"),
    "SYT": ("45", "75", "70", "60", "60", "50"),
    "STNMT": ("45", "70", "70", "70", "70", "40"),
    "SXD": ("40", "60", "60", "0", "80", "40"),
    "SLDTBXH": ("40", "60", "60", "0", "70", "40"),
    "SKHCN": ("40", "80", "80", "0", "29", "40"),
    "SVHTTDL": ("40", "60", "56.5", "50", "60", "40"),
    "TTT": ("40", "39.2", "60", "0", "80", "50"),
}
CAP_HUYEN: dict[str, tuple[str, ...]] = {
    "HY": ("26.4", "11", "7", "32", "27.8", "2.22", "0"),
    "VL": ("25", "9.3", "7.5", "30", "27", "5.9", "0.3"),
    "VG": ("24.5", "8", "5", "25", "20", "0", "1"),
    "YM": ("25.8", "8.5", "6.5", "28", "24", "0", "0"),
    "MH": ("25.5", "8.8", "7", "14", "24", "0", "0"),
    "AT": ("24", "7.5", "7.5", "20", "19", "0", "0"),
    "KC": ("24.2", "8", "6", "26", "17.39", "0", "0"),
    "KD": ("24", "7.2", "7.5", "20", "19", "0", "0"),
    "TL": ("25", "8", "7.5", "33", "22", "4.72", "0"),
    "PC": ("23.7", "6.74", "6", "27", "21", "0", "0"),
}
DATA = {"so-nganh": SO_NGANH, "cap-huyen": CAP_HUYEN}


# --------------------------------------------------------------------------- factories


def fill(node: Criterion, score: Decimal, out: dict[str, Decimal]) -> None:
    """Spread a criterion's score over its leaves, filling each up to its maximum in tree order."""
    if node.is_leaf:
        out[node.code] = score
        return
    left = score
    for child in node.children:
        part = min(left, child.max)
        fill(child, part, out)
        left -= part
    assert left == 0, f"{score} does not fit under {node.code}"


def submission(tier: Tier, unit: str, tops: Mapping[str, str], na: frozenset[str] = frozenset()) -> Submission:
    """A valid submission whose top-level criteria (by code) get the given scores."""
    leaves: dict[str, Decimal] = {}
    for top in tier.criteria:
        if top.code in tops:
            fill(top, Decimal(tops[top.code]), leaves)
    for code in na:
        leaves.pop(code, None)
    source = SourceFile(Path(f"{unit}.xlsx"), f"{unit}.xlsx", 0, "", 0.0, "xlsx")
    return Submission(tier.id, unit, source, "1", leaves, not_applicable=na)


def tops_of(tier: Tier, values: tuple[str, ...]) -> dict[str, str]:
    return {c.code: v for c, v in zip(tier.criteria, values, strict=True)}


def score(
    tier: Tier,
    data: Mapping[str, tuple[str, ...]],
    *,
    na: Mapping[str, frozenset[str]] | None = None,
    previous: Mapping[str, PreviousStanding] | None = None,
    excluded: Mapping[str, str] | None = None,
) -> TierResult:
    na = na or {}
    subs = {code: submission(tier, code, tops_of(tier, v), na.get(code, frozenset())) for code, v in data.items()}
    return score_tier(tier, subs, previous=previous, excluded=excluded)


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return load_campaign(SAMPLE)


def hung_yen(campaign: Campaign, *, draft: bool = False, previous_year: int | None = None) -> Results:
    tiers = tuple(score(t, DATA[t.id]) for t in campaign.tiers)
    return Results(campaign=campaign, tiers=tiers, draft=draft, previous_year=previous_year)


def tier_by_id(campaign: Campaign, tier_id: str) -> Tier:
    tier = campaign.tier(tier_id)
    assert tier is not None
    return tier


def one_tier(
    campaign: Campaign,
    tier: Tier,
    data: Mapping[str, tuple[str, ...]],
    *,
    na: Mapping[str, frozenset[str]] | None = None,
    previous: Mapping[str, PreviousStanding] | None = None,
    excluded: Mapping[str, str] | None = None,
) -> Results:
    """Results with one tier; roster units missing from ``data`` are left out (``excluded`` says why)."""
    return Results(campaign=campaign, tiers=(score(tier, data, na=na, previous=previous, excluded=excluded),))


def small_tier(campaign: Campaign, codes: tuple[str, ...], **changes: object) -> Tier:
    """The district tier with only the given units (roster order kept) and any field changed."""
    base = tier_by_id(campaign, "cap-huyen")
    units = tuple(u for u in base.units if u.code in codes)
    return replace(base, units=units, **changes)  # type: ignore[arg-type]


def line_of(text: str, start: str) -> str:
    """The one paragraph (line) starting with ``start``."""
    lines = [line for line in text.splitlines() if line.startswith(start)]
    assert len(lines) == 1, f"{len(lines)} lines start with {start!r}:\n{text}"
    return lines[0]


@pytest.fixture(scope="module")
def text(campaign: Campaign) -> str:
    return render_announcement(hung_yen(campaign))


@pytest.fixture(scope="module")
def markdown(campaign: Campaign) -> str:
    return render_announcement(hung_yen(campaign), fmt="md")


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_rendering_leaves_no_view_for_the_cycle_collector(campaign: Campaign, fmt: Literal["txt", "md"]) -> None:
    """Every view of the results is freed as soon as rendering ends, not at the next full collection.

    The sample's templates import macros (a context and its macros hold each other): were the views reachable
    from that cycle, the build would keep two renderings' views (~100 MB at 10,000 units) at its peak.
    """
    results = hung_yen(campaign)
    gc.collect()
    gc.disable()
    try:
        render_announcement(results, fmt=fmt)
        alive = [o for o in gc.get_objects() if isinstance(o, ResultView | UnitView | TierView)]
    finally:
        gc.enable()
    assert alive == []


# --------------------------------------------------------------------------- the published article's facts


def test_title_and_intro(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == (
        "Kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử trong cơ quan nhà nước tỉnh Hưng Yên năm 2018"
    )
    assert lines[1].startswith("Thực hiện Quyết định số 2749/QĐ-UBND ngày 14/11/2018 của Ủy ban nhân dân tỉnh")
    assert lines[1].endswith(
        ", Ủy ban nhân dân tỉnh Hưng Yên công bố kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử "
        "trong cơ quan nhà nước tỉnh Hưng Yên năm 2018 như sau."
    )
    assert "DỰ THẢO" not in text


def test_tier_intro_lists_the_criteria(text: str) -> None:
    assert line_of(text, "Kết quả đánh giá khối sở, ban, ngành") == (
        "Kết quả đánh giá khối sở, ban, ngành gồm 6 tiêu chí: Hạ tầng kỹ thuật công nghệ thông tin; "
        "Ứng dụng công nghệ thông tin trong hoạt động của cơ quan; Trang/Cổng thông tin điện tử; "
        "Cung cấp dịch vụ công trực tuyến; Cơ chế, chính sách và các quy định cho ứng dụng công nghệ thông tin; "
        "Nhân lực cho ứng dụng công nghệ thông tin. Tổng điểm tối đa là 500 điểm; 17 đơn vị được xếp hạng."
    )
    assert "Kết quả đánh giá khối Ủy ban nhân dân cấp huyện gồm 7 tiêu chí: Hạ tầng công nghệ thông tin;" in text


def test_units_at_maximum(text: str) -> None:
    assert line_of(text, "- Hạ tầng kỹ thuật công nghệ thông tin:") == (
        "- Hạ tầng kỹ thuật công nghệ thông tin: điểm tối đa là 50 điểm, có 6 đơn vị đạt điểm tối đa (50 điểm): "
        "Sở Kế hoạch và Đầu tư, Sở Thông tin và Truyền thông, Sở Tài chính, Sở Tư pháp, Sở Nội vụ và "
        "Sở Nông nghiệp và Phát triển nông thôn. Tiếp đến là Sở Công Thương (48 điểm). "
        "Các đơn vị có điểm thấp nhất (40 điểm) gồm: Sở Xây dựng, Sở Lao động - Thương binh và Xã hội, "
        "Sở Khoa học và Công nghệ, Sở Văn hóa, Thể thao và Du lịch và Thanh tra tỉnh."
    )
    assert line_of(text, "- Nhân lực cho ứng dụng").startswith(
        "- Nhân lực cho ứng dụng công nghệ thông tin: điểm tối đa là 50 điểm, có 9 đơn vị đạt điểm tối đa (50 điểm): "
        "Sở Kế hoạch và Đầu tư, Sở Thông tin và Truyền thông, Sở Tài chính, Sở Nội vụ, "
        "Sở Nông nghiệp và Phát triển nông thôn, Ban Quản lý các khu công nghiệp tỉnh, Sở Giáo dục và Đào tạo, "
        "Sở Y tế và Thanh tra tỉnh."
    )
    assert line_of(text, "- Nhân lực cho ứng dụng").endswith(
        "Đơn vị có điểm thấp nhất là Sở Giao thông vận tải (30 điểm)."
    )


def test_highest_second_lowest_with_decimal_commas(text: str) -> None:
    assert line_of(text, "- Ứng dụng công nghệ thông tin trong hoạt động của cơ quan:") == (
        "- Ứng dụng công nghệ thông tin trong hoạt động của cơ quan: điểm tối đa là 100 điểm, "
        "đơn vị đạt điểm cao nhất là Sở Tư pháp (95 điểm), tiếp đến là Ban Quản lý các khu công nghiệp tỉnh "
        "(85,5 điểm). Đơn vị có điểm thấp nhất là Thanh tra tỉnh (39,2 điểm)."
    )
    assert line_of(text, "- Trang/Cổng thông tin điện tử:") == (
        "- Trang/Cổng thông tin điện tử: điểm tối đa là 100 điểm, đơn vị đạt điểm cao nhất là Sở Công Thương "
        "(93 điểm), tiếp đến là Sở Tài chính (86,75 điểm). "
        "Đơn vị có điểm thấp nhất là Sở Văn hóa, Thể thao và Du lịch (56,5 điểm)."
    )


def test_several_units_share_the_highest(text: str) -> None:
    assert line_of(text, "- Môi trường chính sách:") == (
        "- Môi trường chính sách: điểm tối đa là 8 điểm, các đơn vị đạt điểm cao nhất (7,5 điểm) gồm: "
        "Ủy ban nhân dân huyện Văn Lâm, Ủy ban nhân dân huyện Ân Thi, Ủy ban nhân dân huyện Kim Động và "
        "Ủy ban nhân dân huyện Tiên Lữ. Tiếp đến là các đơn vị Ủy ban nhân dân thành phố Hưng Yên và "
        "Ủy ban nhân dân huyện Mỹ Hào (7 điểm). "
        "Đơn vị có điểm thấp nhất là Ủy ban nhân dân huyện Văn Giang (5 điểm)."
    )


def test_units_at_zero(text: str) -> None:
    assert line_of(text, "- Cung cấp dịch vụ công trực tuyến:") == (
        "- Cung cấp dịch vụ công trực tuyến: điểm tối đa là 100 điểm, đơn vị đạt điểm cao nhất là "
        "Sở Kế hoạch và Đầu tư (97,8 điểm), tiếp đến là Sở Giao thông vận tải (92 điểm). "
        "Có 10 đơn vị đạt 0 điểm: Sở Tài chính, Sở Tư pháp, Sở Nội vụ, Sở Nông nghiệp và Phát triển nông thôn, "
        "Sở Công Thương, Sở Giáo dục và Đào tạo, Sở Xây dựng, Sở Lao động - Thương binh và Xã hội, "
        "Sở Khoa học và Công nghệ và Thanh tra tỉnh."
    )


def test_mostly_zero_reads_naturally(text: str) -> None:
    assert line_of(text, "- Mức độ chuyển đổi:") == (
        "- Mức độ chuyển đổi: điểm tối đa là 5 điểm. Điểm ở tiêu chí này hầu như bằng 0: "
        "đơn vị đạt điểm cao nhất là Ủy ban nhân dân huyện Văn Giang (1 điểm), tiếp đến là "
        "Ủy ban nhân dân huyện Văn Lâm (0,3 điểm). 8 đơn vị còn lại đạt 0 điểm: "
        "Ủy ban nhân dân thành phố Hưng Yên, Ủy ban nhân dân huyện Yên Mỹ, Ủy ban nhân dân huyện Mỹ Hào, "
        "Ủy ban nhân dân huyện Ân Thi, Ủy ban nhân dân huyện Khoái Châu, Ủy ban nhân dân huyện Kim Động, "
        "Ủy ban nhân dân huyện Tiên Lữ và Ủy ban nhân dân huyện Phù Cừ."
    )
    assert line_of(text, "- Mức độ giao dịch:").startswith(
        "- Mức độ giao dịch: điểm tối đa là 20 điểm, đơn vị đạt điểm cao nhất là Ủy ban nhân dân huyện Văn Lâm "
        "(5,9 điểm), tiếp đến là Ủy ban nhân dân huyện Tiên Lữ (4,72 điểm). "
        "Có 7 đơn vị đạt 0 điểm: Ủy ban nhân dân huyện Văn Giang,"
    )


def test_band_counts_include_empty_bands(text: str) -> None:
    assert line_of(text, "Xếp hạng chung khối sở, ban, ngành") == (
        "Xếp hạng chung khối sở, ban, ngành: không có đơn vị xếp loại Tốt, 11 đơn vị xếp loại Khá, "
        "6 đơn vị xếp loại Trung bình và không có đơn vị xếp loại Yếu."
    )


def test_leader_and_runners_up(text: str) -> None:
    assert line_of(text, "Dẫn đầu là Sở Kế hoạch") == (
        "Dẫn đầu là Sở Kế hoạch và Đầu tư đạt tổng điểm 417,30/500 điểm (83%). Vị trí thứ 2 và thứ 3 lần lượt "
        "thuộc về Sở Thông tin và Truyền thông (410,00 điểm) và Sở Giao thông vận tải (387,00 điểm)."
    )
    assert line_of(text, "Dẫn đầu là Ủy ban nhân dân thành phố Hưng Yên") == (
        "Dẫn đầu là Ủy ban nhân dân thành phố Hưng Yên đạt tổng điểm 106,42/150 điểm (70%). Vị trí thứ 2 và "
        "thứ 3 lần lượt thuộc về Ủy ban nhân dân huyện Văn Lâm (105,00 điểm) và "
        "Ủy ban nhân dân huyện Tiên Lữ (100,22 điểm)."
    )


def test_bands_list_units_with_totals_and_shared_ranks(text: str) -> None:
    assert line_of(text, "- 6 đơn vị xếp loại Trung bình: Sở") == (
        "- 6 đơn vị xếp loại Trung bình: Sở Nông nghiệp và Phát triển nông thôn (310,00 điểm), "
        "Sở Văn hóa, Thể thao và Du lịch (306,50 điểm), Sở Xây dựng (280,00 điểm), "
        "Sở Lao động - Thương binh và Xã hội (270,00 điểm), Thanh tra tỉnh (269,20 điểm) và "
        "Sở Khoa học và Công nghệ (269,00 điểm)."
    )
    khá = line_of(text, "- 11 đơn vị xếp loại Khá:")
    assert "Sở Nội vụ (355,00 điểm, đồng hạng 8), Sở Giáo dục và Đào tạo (355,00 điểm, đồng hạng 8)" in khá
    # Exactly 70 % of 150 is Khá (inclusive lower bound).
    assert line_of(text, "- 2 đơn vị xếp loại Khá:") == (
        "- 2 đơn vị xếp loại Khá: Ủy ban nhân dân thành phố Hưng Yên (106,42 điểm) và "
        "Ủy ban nhân dân huyện Văn Lâm (105,00 điểm)."
    )


def test_lowest_gap_and_average(text: str) -> None:
    assert line_of(text, "Đơn vị có tổng điểm thấp nhất là Sở") == (
        "Đơn vị có tổng điểm thấp nhất là Sở Khoa học và Công nghệ (269,00 điểm, đạt 53% điểm tối đa). "
        "Chênh lệch giữa đơn vị có tổng điểm cao nhất và đơn vị có tổng điểm thấp nhất là 148,30 điểm. "
        "Điểm trung bình của khối sở, ban, ngành đạt 340,31 điểm (68% điểm tối đa)."
    )


def test_closing_paragraph_is_last(text: str) -> None:
    assert text.splitlines()[-1].startswith("Căn cứ kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử")


def test_every_top_level_criterion_has_one_line_naming_it(campaign: Campaign, text: str) -> None:
    for tier in campaign.tiers:
        for c in tier.criteria:
            line = line_of(text, f"- {c.name}:")
            assert f"điểm tối đa là {c.max} điểm" in line


# --------------------------------------------------------------------------- ties, N/A, unranked, draft, year over year


def test_shared_first_rank_and_shared_second(campaign: Campaign) -> None:
    tier = small_tier(campaign, ("HY", "VL", "VG", "YM", "MH"))
    data = {
        "HY": CAP_HUYEN["HY"],
        "VL": CAP_HUYEN["HY"],
        "VG": CAP_HUYEN["TL"],
        "YM": CAP_HUYEN["PC"],
        "MH": CAP_HUYEN["PC"],
    }
    out = render_announcement(one_tier(campaign, tier, data))
    assert line_of(out, "Dẫn đầu là") == (
        "Dẫn đầu là Ủy ban nhân dân thành phố Hưng Yên và Ủy ban nhân dân huyện Văn Lâm (đồng hạng nhất), "
        "cùng đạt tổng điểm 106,42/150 điểm (70%). Vị trí thứ 3 thuộc về Ủy ban nhân dân huyện Văn Giang "
        "(100,22 điểm)."
    )
    assert "Ủy ban nhân dân huyện Yên Mỹ và Ủy ban nhân dân huyện Mỹ Hào đồng hạng 4" not in out
    assert line_of(out, "Các đơn vị có tổng điểm thấp nhất") == (
        "Các đơn vị có tổng điểm thấp nhất là Ủy ban nhân dân huyện Yên Mỹ và Ủy ban nhân dân huyện Mỹ Hào "
        "(84,44 điểm, đạt 56% điểm tối đa). Chênh lệch giữa đơn vị có tổng điểm cao nhất và đơn vị có tổng điểm "
        "thấp nhất là 21,98 điểm. Điểm trung bình của khối Ủy ban nhân dân cấp huyện đạt 96,39 điểm "
        "(64% điểm tối đa)."
    )


def test_shared_second_rank(campaign: Campaign) -> None:
    tier = small_tier(campaign, ("HY", "VL", "VG", "YM"))
    data = {"HY": CAP_HUYEN["HY"], "VL": CAP_HUYEN["TL"], "VG": CAP_HUYEN["TL"], "YM": CAP_HUYEN["PC"]}
    out = render_announcement(one_tier(campaign, tier, data))
    assert "Ủy ban nhân dân huyện Văn Lâm và Ủy ban nhân dân huyện Văn Giang đồng hạng 2 (100,22 điểm)." in out
    assert "Vị trí thứ 3" not in out


def test_not_applicable_units_state_their_own_maximum(campaign: Campaign) -> None:
    tier = small_tier(campaign, ("HY", "VL", "VG"))
    tier = replace(
        tier, criteria=tuple(replace(c, na_units=frozenset({"VG"})) if c.code == "6" else c for c in tier.criteria)
    )
    na = {"VG": frozenset({"6.1", "6.2"})}
    data = {"HY": CAP_HUYEN["HY"], "VL": CAP_HUYEN["VL"], "VG": CAP_HUYEN["VG"]}
    results = one_tier(campaign, tier, data, na=na)
    out = render_announcement(results)
    assert line_of(out, "Tiêu chí không áp dụng:") == (
        "Tiêu chí không áp dụng: Ủy ban nhân dân huyện Văn Giang không áp dụng tiêu chí 6 (Mức độ giao dịch) "
        "nên điểm tối đa của đơn vị là 130 điểm. Tỷ lệ điểm, xếp loại và xếp hạng của các đơn vị này được tính "
        "trên điểm tối đa của đơn vị."
    )
    assert line_of(out, "- Mức độ giao dịch:").endswith(
        "Tiêu chí không áp dụng đối với Ủy ban nhân dân huyện Văn Giang."
    )
    assert "Ủy ban nhân dân huyện Văn Giang (83,50/130 điểm)" in out
    md = render_announcement(results, fmt="md")
    assert "| 3 | Ủy ban nhân dân huyện Văn Giang | 83,50/130 | 64% | Trung bình |" in md


def test_unranked_units_are_listed_apart(campaign: Campaign) -> None:
    base = small_tier(campaign, ("HY", "VL", "VG"))
    units = tuple(
        replace(u, ranked=False, unranked_reason="cơ quan ngành dọc") if u.code == "HY" else u for u in base.units
    )
    tier = replace(base, units=units)
    data = {"HY": CAP_HUYEN["HY"], "VL": CAP_HUYEN["VL"], "VG": CAP_HUYEN["VG"]}
    results = one_tier(campaign, tier, data)
    out = render_announcement(results)
    assert line_of(out, "Đơn vị được đánh giá nhưng không tham gia xếp hạng:") == (
        "Đơn vị được đánh giá nhưng không tham gia xếp hạng: Ủy ban nhân dân thành phố Hưng Yên "
        "(106,42 điểm, 70%; cơ quan ngành dọc)."
    )
    assert line_of(out, "Xếp hạng chung").startswith(
        "Xếp hạng chung khối Ủy ban nhân dân cấp huyện: không có đơn vị xếp loại Tốt, 1 đơn vị xếp loại Khá, "
        "1 đơn vị xếp loại Trung bình"
    )
    assert line_of(out, "Dẫn đầu là").startswith("Dẫn đầu là Ủy ban nhân dân huyện Văn Lâm đạt tổng điểm 105,00")
    ranking = [line for line in out.splitlines() if not line.startswith(("Đơn vị được đánh giá", "- "))]
    assert not any("Hưng Yên (" in line for line in ranking)
    md = render_announcement(results, fmt="md")
    assert not any(line.startswith("|") and "Hưng Yên" in line for line in md.splitlines())


def test_draft_marker_and_units_not_yet_ranked(campaign: Campaign) -> None:
    tier = small_tier(campaign, ("HY", "VL", "VG"))
    data = {"HY": CAP_HUYEN["HY"], "VL": CAP_HUYEN["VL"]}
    results = replace(one_tier(campaign, tier, data, excluded={"VG": "biểu có lỗi"}), draft=True)
    out = render_announcement(results)
    assert out.splitlines()[0] == "DỰ THẢO"
    assert "Chưa xếp hạng: Ủy ban nhân dân huyện Văn Giang (biểu có lỗi)." in out.splitlines()
    assert render_announcement(results, fmt="md").startswith("**DỰ THẢO**\n\n# Kết quả đánh giá")


def test_year_over_year(campaign: Campaign) -> None:
    tier = small_tier(campaign, ("HY", "VL", "VG", "YM", "MH"))
    data = {code: CAP_HUYEN[code] for code in ("HY", "VL", "VG", "YM", "MH")}
    # This year: HY 1, VL 2, YM 3, VG 4, MH 5.
    previous = {
        "HY": PreviousStanding(2017, "HY", 1, Decimal("100"), Decimal("66.7")),
        "VL": PreviousStanding(2017, "VL", 5, Decimal("104.5"), Decimal("69.7")),
        "YM": PreviousStanding(2017, "YM", 2, Decimal("95.3"), Decimal("63.5")),
        "VG": PreviousStanding(2017, "VG", None, Decimal("70"), Decimal("46.7")),
    }
    results = replace(one_tier(campaign, tier, data, previous=previous), previous_year=2017)
    out = render_announcement(results)
    assert line_of(out, "Ủy ban nhân dân huyện Văn Lâm tăng 3 bậc") == (
        "Ủy ban nhân dân huyện Văn Lâm tăng 3 bậc so với năm 2017 (từ vị trí thứ 5 lên vị trí thứ 2), "
        "tổng điểm tăng 0,5 điểm. Ủy ban nhân dân huyện Yên Mỹ giảm 1 bậc so với năm 2017 (từ vị trí thứ 2 "
        "xuống vị trí thứ 3), tổng điểm giảm 2,5 điểm. Giữ nguyên thứ hạng so với năm 2017: "
        "Ủy ban nhân dân thành phố Hưng Yên (thứ 1, tổng điểm tăng 6,42 điểm). Năm 2017 chưa được xếp hạng: "
        "Ủy ban nhân dân huyện Văn Giang. Chưa có kết quả năm 2017: Ủy ban nhân dân huyện Mỹ Hào."
    )
    assert "### So với năm 2017" in render_announcement(results, fmt="md")


def test_no_year_over_year_without_previous(text: str) -> None:
    assert "so với năm" not in text


# --------------------------------------------------------------------------- markdown


def test_markdown_has_headings_and_a_table(markdown: str) -> None:
    assert markdown.startswith("# Kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử")
    assert "\n## 1. Sở, ban, ngành\n" in markdown
    assert "\n## 2. Ủy ban nhân dân cấp huyện\n" in markdown
    assert (
        "| Xếp hạng | Đơn vị | Tổng điểm | Tỷ lệ | Xếp loại |\n|---:|---|---:|---:|---|\n"
        "| 1 | Sở Kế hoạch và Đầu tư | 417,30 | 83% | Khá |\n"
    ) in markdown
    assert "| 8 (đồng hạng) | Sở Nội vụ | 355,00 | 71% | Khá |" in markdown
    assert "| 2 | Ủy ban nhân dân huyện Văn Lâm | 105,00 | 70% | Khá |" in markdown
    assert "\n\n\n" not in markdown


def test_markdown_says_what_text_says(text: str, markdown: str) -> None:
    md_paragraphs = set(markdown.rstrip("\n").split("\n\n"))
    for line in text.splitlines():
        if line[:1].isdigit() and ". " in line[:4]:
            continue  # tier headings: "## 1. ..." in Markdown
        assert line in md_paragraphs or f"# {line}" in md_paragraphs, line


def test_markdown_escapes_pipes_in_names(campaign: Campaign) -> None:
    base = small_tier(campaign, ("HY", "VL"))
    units = tuple(replace(u, name="Ủy ban | thử") if u.code == "VL" else u for u in base.units)
    results = one_tier(campaign, replace(base, units=units), {"HY": CAP_HUYEN["HY"], "VL": CAP_HUYEN["VL"]})
    md = render_announcement(results, fmt="md")
    assert "| 2 | Ủy ban \\| thử | 105,00 | 70% | Khá |" in md
    assert "\\\\|" not in md
    assert "Ủy ban | thử" in render_announcement(results)


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_output_is_clean(campaign: Campaign, fmt: str) -> None:
    out = render_announcement(hung_yen(campaign, draft=True, previous_year=2017), fmt="md" if fmt == "md" else "txt")
    assert unicodedata.is_normalized("NFC", out)
    assert out.endswith("\n") and not out.endswith("\n\n")
    for line in out.splitlines():
        assert line == line.strip(), repr(line)
        assert "  " not in line, repr(line)
        assert not re.search(r" [,.;:)]|\( ", line), repr(line)
    if fmt == "txt":
        assert "" not in out.splitlines()


def test_no_hard_wraps_inside_a_paragraph(text: str) -> None:
    for line in text.splitlines():
        assert line[-1] in ".:" or not line.startswith("-"), line
    sentences_end = [line for line in text.splitlines()[1:] if not re.match(r"\d+\. ", line)]
    assert all(line.endswith(".") for line in sentences_end)


def test_layout_joins_lines_and_keeps_tables() -> None:
    raw = "# Tiêu đề\nMột đoạn\n  viết trên ( hai ) dòng .\n\n\n\n| a | b |\n|---|---|\n"
    assert announce.lay_out(raw) == "# Tiêu đề Một đoạn viết trên (hai) dòng.\n| a | b | |---|---|\n"
    assert announce.lay_out(raw, markdown=True) == (
        "# Tiêu đề\n\nMột đoạn viết trên (hai) dòng.\n\n| a | b |\n|---|---|\n"
    )
    decomposed = unicodedata.normalize("NFD", "Sở Tư pháp")
    assert announce.lay_out(decomposed) == "Sở Tư pháp\n"


def test_golden_files(campaign: Campaign, text: str, markdown: str) -> None:
    """The whole announcement for the sample; regenerate with EGOV_UPDATE_GOLDEN=1 after a wording change."""
    outputs = (("hung-yen-2018.txt", text), ("hung-yen-2018.md", markdown))
    if os.environ.get("EGOV_UPDATE_GOLDEN"):
        # Rewriting and then comparing would compare each file with itself: a run that rewrites never passes.
        for name, out in outputs:
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(out, encoding="utf-8", newline="\n")
        pytest.fail("EGOV_UPDATE_GOLDEN is set: the golden files were rewritten; review the diff, then run without it")
    for name, out in outputs:
        path = GOLDEN / name
        assert out == path.read_text(encoding="utf-8"), f"{name} differs; EGOV_UPDATE_GOLDEN=1 rewrites it"


# --------------------------------------------------------------------------- templates: where, override, errors


def test_shipped_templates_dir_is_the_repository_folder() -> None:
    assert announce.shipped_templates_dir() == REPO / "templates"
    assert (announce.shipped_templates_dir() / "thong-bao.txt.j2").is_file()


def test_template_dirs(campaign: Campaign, tmp_path: Path) -> None:
    own = replace(campaign, folder=tmp_path)
    assert announce.template_dirs(own) == [announce.shipped_templates_dir()]
    (tmp_path / "templates").mkdir()
    assert announce.template_dirs(own) == [tmp_path / "templates", announce.shipped_templates_dir()]


def test_campaign_template_overrides_the_shipped_one(campaign: Campaign, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "thong-bao.txt.j2").write_text(
        "{% for tier in tiers %}\n{{ tier.name }}: {{ tier.leaders.first.unit.name }}\n"
        "  ({{ tier.leaders.first.total|tong }} điểm, {{ tier.leaders.first.percent|phantram }})\n\n{% endfor %}",
        encoding="utf-8",
    )
    results = hung_yen(replace(campaign, folder=tmp_path))
    assert render_announcement(results) == (
        "Sở, ban, ngành: Sở Kế hoạch và Đầu tư (417,30 điểm, 83%)\n"
        "Ủy ban nhân dân cấp huyện: Ủy ban nhân dân thành phố Hưng Yên (106,42 điểm, 70%)\n"
    )
    # The Markdown template is not overridden: the shipped one is used.
    assert render_announcement(results, fmt="md").startswith("# Kết quả")


def test_campaign_can_override_the_shared_paragraphs(campaign: Campaign, tmp_path: Path) -> None:
    shipped = (announce.shipped_templates_dir() / "thong-bao-macros.j2").read_text(encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "thong-bao-macros.j2").write_text(
        shipped.replace("Dẫn đầu là", "Đứng đầu là"), encoding="utf-8"
    )
    results = hung_yen(replace(campaign, folder=tmp_path))
    assert "Đứng đầu là Sở Kế hoạch và Đầu tư đạt tổng điểm 417,30/500 điểm (83%)." in render_announcement(results)
    assert "Đứng đầu là Sở Kế hoạch" in render_announcement(results, fmt="md")


def write_template(tmp_path: Path, body: str) -> Results:
    folder = tmp_path / "camp"
    (folder / "templates").mkdir(parents=True)
    (folder / "templates" / "thong-bao.txt.j2").write_text(body, encoding="utf-8")
    return Results(campaign=replace(load_campaign(SAMPLE), folder=folder), tiers=())


def test_undefined_variable_names_file_and_line(tmp_path: Path) -> None:
    results = write_template(tmp_path, "Dòng một\n\n{{ tieu_de_sai }}\n")
    with pytest.raises(TemplateProblem) as info:
        render_announcement(results)
    problem = info.value
    assert problem.template.endswith("thong-bao.txt.j2")
    assert Path(problem.template).parent == tmp_path / "camp" / "templates"
    assert problem.line == 3
    assert str(problem) == f"Lỗi trong mẫu văn bản {problem.template}, dòng 3: biến 'tieu_de_sai' không tồn tại"
    assert isinstance(problem, ValueError)


def test_undefined_attribute(tmp_path: Path) -> None:
    results = write_template(tmp_path, "{{ campaign.ten_sai }}\n")
    with pytest.raises(TemplateProblem, match=r"dòng 1: .*không có thuộc tính 'ten_sai'") as info:
        render_announcement(results)
    # The view is named as templates know it, whichever module holds it.
    assert str(info.value).endswith("dòng 1: 'CampaignView' không có thuộc tính 'ten_sai'")


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    results = write_template(tmp_path, "một\nhai\n{% for x in tiers %}\n{{ x }}\n")
    with pytest.raises(TemplateProblem) as info:
        render_announcement(results)
    assert info.value.template.endswith("thong-bao.txt.j2")
    assert info.value.line is not None
    assert "sai cú pháp" in str(info.value)


def test_bad_filter_input_names_the_line(tmp_path: Path) -> None:
    results = write_template(tmp_path, "\n{{ campaign.title|so }}\n")
    with pytest.raises(TemplateProblem, match=r"dòng 2: bộ lọc 'so' cần một số"):
        render_announcement(results)


def test_printing_none_is_an_error(tmp_path: Path) -> None:
    results = write_template(tmp_path, "{{ previous_year }}\n")
    with pytest.raises(TemplateProblem, match=r"dòng 1: giá trị rỗng"):
        render_announcement(results)


def test_missing_import_is_a_template_problem(tmp_path: Path) -> None:
    results = write_template(tmp_path, '{% import "khong-co.j2" as m %}\n')
    with pytest.raises(TemplateProblem, match=r"không tìm thấy mẫu 'khong-co\.j2'"):
        render_announcement(results)


# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ x|so }}", "85,5"),
        ("{{ x|tong }}", "85,50"),
        ("{{ x|tong(1) }}", "85,5"),
        ("{{ big|so }}", "1.000"),
        ("{{ p|phantram }}", "91%"),  # truncated
        ("{{ p|phantram(1) }}", "91,6%"),
        ("{{ x }}", "85,5"),
        ("{{ ['A', 'B', 'C']|ds }}", "A, B và C"),
        ("{{ ['A', 'B']|ds('hoặc') }}", "A hoặc B"),
        ("{{ units|ten|ds }}", "Sở Tư pháp và Sở Nội vụ"),
        ("{{ 3|bac }} {{ -1|bac }} {{ 0|bac }}", "tăng 3 bậc giảm 1 bậc giữ nguyên"),
        ("{{ 'Sở, ban, ngành'|thuong }}", "sở, ban, ngành"),
        ("{{ 'Ủy ban nhân dân cấp huyện'|thuong }}", "Ủy ban nhân dân cấp huyện"),
        ("{{ 'UBND cấp xã'|thuong }}", "UBND cấp xã"),
        ("{{ year }}", "2018"),
    ],
)
def test_filters(source: str, expected: str) -> None:
    env = make_environment([])
    units = [UnitView("STP", "Sở Tư pháp", "", True, "", ()), UnitView("SNV", "Sở Nội vụ", "", True, "", ())]
    context = {
        "x": Decimal("85.50"),
        "big": Decimal(1000),
        "p": Decimal("91.666"),
        "units": units,
        "year": 2018,
    }
    assert env.from_string(source).render(context) == expected


def test_total_and_percent_decimals_follow_the_campaign_display(campaign: Campaign) -> None:
    display = replace(campaign.display, total_decimals=1, percent_decimals=1)
    results = hung_yen(replace(campaign, display=display))
    out = render_announcement(results)
    assert "Dẫn đầu là Sở Kế hoạch và Đầu tư đạt tổng điểm 417,3/500 điểm (83,4%)." in out


def test_unknown_format_is_refused(campaign: Campaign) -> None:
    with pytest.raises(ValueError, match="định dạng"):
        render_announcement(hung_yen(campaign), fmt="docx")  # type: ignore[arg-type]


def test_templates_are_sandboxed(tmp_path: Path) -> None:
    results = write_template(tmp_path, "{{ campaign.__class__.__init__.__globals__ }}\n")
    with pytest.raises(TemplateProblem, match=r"dòng 1: mẫu văn bản không được phép"):
        render_announcement(results)


def test_tie_broken_by_a_criterion_is_explained(campaign: Campaign) -> None:
    tier = small_tier(campaign, ("HY", "VL", "VG"), tie_breakers=("2",))
    same_total = ("25", "8.3", "7.5", "30", "28", "5.9", "0.3")  # 105, as VL, with more on criterion 2
    data = {"HY": CAP_HUYEN["HY"], "VL": CAP_HUYEN["VL"], "VG": same_total}
    out = render_announcement(one_tier(campaign, tier, data))
    # One sentence for the tie, naming both units once (not one note per unit).
    assert line_of(out, "Ủy ban nhân dân huyện Văn Lâm và Ủy ban nhân dân huyện Văn Giang bằng") == (
        "Ủy ban nhân dân huyện Văn Lâm và Ủy ban nhân dân huyện Văn Giang bằng tổng điểm; thứ hạng được phân định "
        "theo điểm tiêu chí 2 (Nhân lực công nghệ thông tin): Ủy ban nhân dân huyện Văn Lâm 9,3 điểm, "
        "Ủy ban nhân dân huyện Văn Giang 8,3 điểm."
    )
    assert out.count("phân định") == 1
    assert "Vị trí thứ 2 và thứ 3 lần lượt thuộc về Ủy ban nhân dân huyện Văn Lâm (105,00 điểm)" in out


def test_everyone_at_zero_everyone_at_maximum_and_one_at_maximum(campaign: Campaign) -> None:
    tier = small_tier(campaign, ("HY", "VL", "VG"))
    data = {
        "HY": ("30", "12", "8", "40", "20", "0", "0"),
        "VL": ("20", "12", "8", "30", "20", "0", "0"),
        "VG": ("10", "12", "8", "20", "10", "0", "0"),
    }
    out = render_announcement(one_tier(campaign, tier, data))
    assert (
        line_of(out, "- Mức độ chuyển đổi:")
        == "- Mức độ chuyển đổi: điểm tối đa là 5 điểm; cả 3 đơn vị đều đạt 0 điểm."
    )
    assert line_of(out, "- Môi trường chính sách:") == (
        "- Môi trường chính sách: điểm tối đa là 8 điểm; cả 3 đơn vị đều đạt điểm tối đa."
    )
    assert line_of(out, "- Hạ tầng công nghệ thông tin:") == (
        "- Hạ tầng công nghệ thông tin: điểm tối đa là 30 điểm, đơn vị đạt điểm tối đa là "
        "Ủy ban nhân dân thành phố Hưng Yên, tiếp đến là Ủy ban nhân dân huyện Văn Lâm (20 điểm). "
        "Đơn vị có điểm thấp nhất là Ủy ban nhân dân huyện Văn Giang (10 điểm)."
    )
    assert line_of(out, "- Mức độ tương tác:") == (
        "- Mức độ tương tác: điểm tối đa là 35 điểm, các đơn vị đạt điểm cao nhất (20 điểm) gồm: "
        "Ủy ban nhân dân thành phố Hưng Yên và Ủy ban nhân dân huyện Văn Lâm. "
        "Tiếp đến là Ủy ban nhân dân huyện Văn Giang (10 điểm)."
    )


# --------------------------------------------------------------------------- Markdown escaping

HOSTILE_NAMES = {
    "HY": '<a href="javascript:alert(1)">UBND Hưng Yên</a>',
    "VL": "[UBND Văn Lâm](javascript:alert(1))",
    "VG": "**UBND** _Văn_ `Giang` ~~x~~ &lt;b&gt;",
    "YM": "# UBND Yên Mỹ",
    "MH": "UBND Mỹ Hào\n# tiêu đề giả\n- mục giả",
    "AT": "1. UBND Ân Thi <img src=x onerror=alert(1)>",
}


def test_markdown_escapes_every_config_string_and_text_stays_plain(campaign: Campaign) -> None:
    """Roster names with HTML, javascript: links, emphasis, headings and line breaks print as text."""
    from markdown_it import MarkdownIt

    base = small_tier(campaign, tuple(HOSTILE_NAMES))
    units = tuple(replace(u, name=HOSTILE_NAMES[u.code]) for u in base.units)
    data = {code: CAP_HUYEN[code] for code in HOSTILE_NAMES}
    results = one_tier(
        replace(campaign, title="Chỉ số <b>CCHC</b> [x](javascript:1)"), replace(base, units=units), data
    )
    md = render_announcement(results, fmt="md")
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(md)
    assert "<a " not in html and "<img" not in html and "<b>" not in html and 'javascript:alert(1)"' not in html
    assert "<em>" not in html and "<strong>" not in html and "<code>" not in html and "<s>" not in html
    assert html.count("<h1>") == 1 and "tiêu đề giả</h" not in html and "<ol" not in html
    assert "<li>mục giả" not in html
    assert "&lt;a href=&quot;javascript:alert(1)&quot;&gt;UBND Hưng Yên&lt;/a&gt;" in html  # shown as the text it is
    assert "[UBND Văn Lâm](javascript:alert(1))" in html
    assert '| 1 | \\<a href="javascript:alert(1)"\\>UBND Hưng Yên\\</a\\> |' in md
    text = render_announcement(results)
    assert 'Dẫn đầu là <a href="javascript:alert(1)">UBND Hưng Yên</a> đạt' in text  # plain: as typed
    assert "[UBND Văn Lâm](javascript:alert(1))" in text and "\\" not in text
    assert "UBND Mỹ Hào # tiêu đề giả - mục giả" in text  # a line break in a name never starts a paragraph


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Sở Tư pháp", "Sở Tư pháp"),
        ("a|b", "a\\|b"),
        ("# x", "\\# x"),
        ("- x", "\\- x"),
        ("1. x", "1\\. x"),
        ("2018. x", "2018\\. x"),
        ("1.5 điểm", "1.5 điểm"),
        ("a\nb", "a b"),
        ("C:\\x", "C:\\\\x"),
    ],
)
def test_escape_markdown(raw: str, escaped: str) -> None:
    assert escape_markdown(raw) == escaped


def test_figures_at_a_band_threshold_stay_in_the_band(campaign: Campaign) -> None:
    # Maximum 150: Tốt from 127,5 points (85 %), Khá from 105 (70 %), Trung bình from 75 (50 %).
    tier = small_tier(campaign, ("HY", "VL", "VG"))
    data = {
        "HY": ("30", "12", "8", "40", "35", "2.495", "0"),  # 127,495: 84,997 %, Khá
        "VL": ("30", "12", "8", "40", "14.995", "0", "0"),  # 104,995: 69,997 %, Trung bình
        "VG": ("25", "12", "8", "20", "10", "0", "0"),  # exactly 75: 50 %, Trung bình
    }
    out = render_announcement(one_tier(campaign, tier, data), fmt="md")
    assert "| Ủy ban nhân dân thành phố Hưng Yên | 127,495 | 84% | Khá |" in out
    assert "| Ủy ban nhân dân huyện Văn Lâm | 104,995 | 69% | Trung bình |" in out
    assert "| Ủy ban nhân dân huyện Văn Giang | 75,00 | 50% | Trung bình |" in out
    assert "127,50" not in out and "105,00" not in out and "85%" not in out
