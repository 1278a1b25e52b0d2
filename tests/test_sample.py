"""The Hưng Yên 2018 sample reproduces the published article (shared/reference/000_49827ba0b9b5a223.txt).

Each fact below was curated by hand from the article: it must appear in the announcement built from the
sample's forms, in the paragraph of the right criterion.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from egov_xlsx import pipeline
from tests.conftest import SAMPLE

DEPARTMENT_CRITERIA = {
    "1": "Hạ tầng kỹ thuật công nghệ thông tin",
    "2": "Ứng dụng công nghệ thông tin trong hoạt động của cơ quan",
    "3": "Trang/Cổng thông tin điện tử",
    "4": "Cung cấp dịch vụ công trực tuyến",
    "5": "Cơ chế, chính sách và các quy định cho ứng dụng công nghệ thông tin",
    "6": "Nhân lực cho ứng dụng công nghệ thông tin",
}
DISTRICT_CRITERIA = {
    "1": "Hạ tầng công nghệ thông tin",
    "2": "Nhân lực công nghệ thông tin",
    "3": "Môi trường chính sách",
    "4": "Mức độ hiện diện",
    "5": "Mức độ tương tác",
    "6": "Mức độ giao dịch",
    "7": "Mức độ chuyển đổi",
}

# (criterion name, figures and names that the article states for it)
ARTICLE_FACTS: list[tuple[str, list[str]]] = [
    (
        DEPARTMENT_CRITERIA["1"],
        ["có 6 đơn vị đạt điểm tối đa (50 điểm)", "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông",
         "Sở Tài chính", "Sở Tư pháp", "Sở Nội vụ", "Sở Nông nghiệp và Phát triển nông thôn"],
    ),
    (
        DEPARTMENT_CRITERIA["2"],
        ["điểm tối đa là 100 điểm", "cao nhất là Sở Tư pháp (95 điểm)",
         "tiếp đến là Ban Quản lý các khu công nghiệp tỉnh (85,5 điểm)", "thấp nhất là Thanh tra tỉnh (39,2 điểm)"],
    ),
    (
        DEPARTMENT_CRITERIA["3"],
        ["điểm tối đa là 100 điểm", "cao nhất là Sở Công Thương (93 điểm)", "tiếp đến là Sở Tài chính (86,75 điểm)",
         "thấp nhất là Sở Văn hóa, Thể thao và Du lịch (56,5 điểm)"],
    ),
    (
        DEPARTMENT_CRITERIA["4"],
        ["điểm tối đa là 100 điểm", "cao nhất là Sở Kế hoạch và Đầu tư (97,8 điểm)",
         "tiếp đến là Sở Giao thông vận tải (92 điểm)", "10 đơn vị đạt 0 điểm", "Sở Tài chính",
         "Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Sở Nội vụ", "Sở Công Thương", "Sở Xây dựng",
         "Sở Nông nghiệp và Phát triển nông thôn", "Sở Lao động - Thương binh và Xã hội", "Sở Khoa học và Công nghệ",
         "Thanh tra tỉnh"],
    ),
    (
        DEPARTMENT_CRITERIA["5"],
        ["điểm tối đa là 100 điểm", "đạt điểm tối đa", "Sở Tài chính", "Sở Giáo dục và Đào tạo", "Sở Nội vụ",
         "thấp nhất là Sở Khoa học và Công nghệ (29 điểm)"],
    ),
    (
        DEPARTMENT_CRITERIA["6"],
        ["có 9 đơn vị đạt điểm tối đa (50 điểm)", "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông",
         "Ban Quản lý các khu công nghiệp tỉnh", "Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Nội vụ",
         "Sở Nông nghiệp và Phát triển nông thôn", "Thanh tra tỉnh", "thấp nhất là Sở Giao thông vận tải (30 điểm)"],
    ),
    (
        DISTRICT_CRITERIA["1"],
        ["điểm tối đa là 30 điểm", "cao nhất là Ủy ban nhân dân thành phố Hưng Yên (26,4 điểm)",
         "tiếp đến là Ủy ban nhân dân huyện Yên Mỹ (25,8 điểm)", "thấp nhất là Ủy ban nhân dân huyện Phù Cừ (23,7 điểm)"],
    ),
    (
        DISTRICT_CRITERIA["2"],
        ["điểm tối đa là 12 điểm", "cao nhất là Ủy ban nhân dân thành phố Hưng Yên (11 điểm)",
         "tiếp đến là Ủy ban nhân dân huyện Văn Lâm (9,3 điểm)",
         "thấp nhất là Ủy ban nhân dân huyện Phù Cừ (6,74 điểm)"],
    ),
    (
        DISTRICT_CRITERIA["3"],
        ["điểm tối đa là 8 điểm", "điểm cao nhất", "Ủy ban nhân dân huyện Văn Lâm", "Ủy ban nhân dân huyện Tiên Lữ",
         "Ủy ban nhân dân huyện Ân Thi", "Ủy ban nhân dân huyện Kim Động",
         "thấp nhất là Ủy ban nhân dân huyện Văn Giang (5 điểm)"],
    ),
    (
        DISTRICT_CRITERIA["4"],
        ["điểm tối đa là 40 điểm", "cao nhất là Ủy ban nhân dân huyện Tiên Lữ (33 điểm)",
         "tiếp đến là Ủy ban nhân dân thành phố Hưng Yên (32 điểm)",
         "thấp nhất là Ủy ban nhân dân huyện Mỹ Hào (14 điểm)"],
    ),
    (
        DISTRICT_CRITERIA["5"],
        ["điểm tối đa là 35 điểm", "cao nhất là Ủy ban nhân dân thành phố Hưng Yên (27,8 điểm)",
         "tiếp đến là Ủy ban nhân dân huyện Văn Lâm (27 điểm)",
         "thấp nhất là Ủy ban nhân dân huyện Khoái Châu (17,39 điểm)"],
    ),
    (
        DISTRICT_CRITERIA["6"],
        ["điểm tối đa là 20 điểm", "cao nhất là Ủy ban nhân dân huyện Văn Lâm (5,9 điểm)",
         "tiếp đến là Ủy ban nhân dân huyện Tiên Lữ (4,72 điểm)"],
    ),
    (
        DISTRICT_CRITERIA["7"],
        ["điểm tối đa là 5 điểm", "hầu như bằng 0", "Ủy ban nhân dân huyện Văn Giang (1 điểm)",
         "Ủy ban nhân dân huyện Văn Lâm (0,3 điểm)"],
    ),
]  # fmt: skip

RANKING_FACTS = [
    # departments: no Tốt, 11 Khá with the top at 417,30, 6 Trung bình named
    "không có đơn vị xếp loại Tốt, 11 đơn vị xếp loại Khá, 6 đơn vị xếp loại Trung bình",
    "Sở Kế hoạch và Đầu tư đạt tổng điểm 417,30",
    # districts: 2 Khá (106,42 and 105), 8 Trung bình
    "2 đơn vị xếp loại Khá: Ủy ban nhân dân thành phố Hưng Yên (106,42 điểm) và Ủy ban nhân dân huyện Văn Lâm (105,00 điểm)",
    "8 đơn vị xếp loại Trung bình",
]
DEPARTMENTS_AVERAGE = [
    "Sở Xây dựng",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Thanh tra tỉnh",
]
DISTRICTS_AVERAGE = ["Tiên Lữ", "Yên Mỹ", "Phù Cừ", "Văn Giang", "Khoái Châu", "Mỹ Hào", "Ân Thi", "Kim Động"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hung-yen-2018")
    outcome = pipeline.build(SAMPLE, out)
    assert outcome.published, [f.message for f in outcome.report.findings]
    assert outcome.report.findings == ()
    return out


@pytest.fixture(scope="module")
def lines(built: Path) -> list[str]:
    return (built / pipeline.NAMES.text).read_text(encoding="utf-8").splitlines()


def paragraph(lines: list[str], criterion: str, after: str | None = None) -> str:
    """The one paragraph that starts with the criterion's name (after the tier heading ``after``)."""
    start = lines.index(next(line for line in lines if line.startswith(after))) if after else 0
    found = [line for line in lines[start:] if line.startswith(f"- {criterion}:")]
    assert found, f"no paragraph for {criterion}"
    return found[0]


@pytest.mark.parametrize(("criterion", "facts"), ARTICLE_FACTS, ids=[c for c, _ in ARTICLE_FACTS])
def test_article_facts_in_the_right_paragraph(lines: list[str], criterion: str, facts: list[str]) -> None:
    after = "2. " if criterion in DISTRICT_CRITERIA.values() and criterion not in DEPARTMENT_CRITERIA.values() else None
    text = paragraph(lines, criterion, after)
    for fact in facts:
        assert fact in text, f"{fact!r} missing from: {text}"


def test_ranking_facts(lines: list[str]) -> None:
    text = "\n".join(lines)
    for fact in RANKING_FACTS:
        assert fact in text
    departments = next(line for line in lines if line.startswith("- 6 đơn vị xếp loại Trung bình"))
    for name in DEPARTMENTS_AVERAGE:
        assert name in departments
    districts = next(line for line in lines if line.startswith("- 8 đơn vị xếp loại Trung bình"))
    for name in DISTRICTS_AVERAGE:
        assert name in districts


def test_results_json_matches_the_article(built: Path) -> None:
    data = json.loads((built / pipeline.NAMES.json).read_text(encoding="utf-8"), parse_float=Decimal)
    tiers = {t["id"]: t for t in data["tiers"]}
    depts = {u["code"]: u for u in tiers["so-nganh"]["units"]}
    districts = {u["code"]: u for u in tiers["cap-huyen"]["units"]}
    assert depts["SKHDT"]["total"] == Decimal("417.3") and depts["SKHDT"]["rank"] == 1
    assert len(depts) == 17 and len(districts) == 10
    assert sum(u["band"] == "Khá" for u in depts.values()) == 11
    assert sum(u["band"] == "Trung bình" for u in depts.values()) == 6
    assert depts["STNMT"]["band"] == "Khá"
    # Văn Lâm: 105 of 150 is exactly 70 %: Khá, only exact arithmetic gets this right.
    assert districts["VL"]["total"] == 105 and districts["VL"]["percent"] == 70 and districts["VL"]["band"] == "Khá"
    assert districts["HY"]["total"] == Decimal("106.42") and districts["HY"]["rank"] == 1
    assert districts["TL"]["scores"]["6"] == Decimal("4.72")
    assert all(u["band"] != "Tốt" for t in tiers.values() for u in t["units"])


def test_sample_inbox_has_real_office_formats() -> None:
    kinds = sorted({p.suffix for p in (SAMPLE / "inbox").iterdir()})
    assert kinds == [".ods", ".xls", ".xlsx"]
