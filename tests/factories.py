"""Small campaigns, readings and submissions built in code for unit tests."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from egov_xlsx import layout
from egov_xlsx.config import parse_campaign
from egov_xlsx.model import Campaign, CellValue, FormRow, Reading, SourceFile, Submission, Tier

SMALL_TOML = """
[campaign]
id = "test-2024"
title = "Đánh giá thử nghiệm năm 2024"
province = "Thử"
year = 2024

[[tiers]]
id = "t"
name = "Khối thử"

[[tiers.criteria]]
code = "1"
name = "Nhóm một"
[[tiers.criteria.children]]
code = "1.1"
name = "Một chấm một"
max = 10
[[tiers.criteria.children]]
code = "1.2"
name = "Một chấm hai"
max = 10

[[tiers.criteria]]
code = "2"
name = "Nhóm hai (không quá 10 điểm)"
max = 10
[[tiers.criteria.children]]
code = "2.1"
name = "Hai chấm một"
max = 8
[[tiers.criteria.children]]
code = "2.2"
name = "Hai chấm hai"
max = 8

[[tiers.units]]
code = "A"
name = "Đơn vị A"
[[tiers.units]]
code = "B"
name = "Đơn vị B"
[[tiers.units]]
code = "C"
name = "Đơn vị C"
[[tiers.units]]
code = "D"
name = "Đơn vị D"
"""


def campaign_from(text: str = SMALL_TOML, folder: Path = Path(".")) -> Campaign:
    return parse_campaign(tomllib.loads(text), path=folder / "egov.toml")


def source(name: str = "a.xlsx", sha256: str = "0" * 64) -> SourceFile:
    return SourceFile(path=Path(name), name=name, size=1, sha256=sha256, mtime=0.0, kind="xlsx")


def submission(tier: Tier, unit: str, scores: Mapping[str, object], **kw: object) -> Submission:
    return Submission(
        tier_id=tier.id,
        unit_code=unit,
        source=source(f"{unit}.xlsx"),
        form_version=layout.FORM_VERSION,
        scores={k: Decimal(str(v)) for k, v in scores.items()},
        **kw,  # type: ignore[arg-type]
    )


def reading(
    campaign: Campaign,
    unit: str,
    scores: Mapping[str, CellValue],
    *,
    file: str | None = None,
    meta: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    total: CellValue = None,
) -> Reading:
    """A reading as ingest would return it for a form of ``unit`` with the given raw score cells."""
    found = campaign.find_unit(unit)
    assert found is not None
    tier, u = found
    rows = []
    for i, c in enumerate(tier.walk()):
        row = layout.FIRST_DATA_ROW + i
        rows.append(
            FormRow(
                row=row,
                code=c.code,
                name=c.name,
                max=float(c.max),
                score=scores.get(c.code),
                note=(notes or {}).get(c.code, ""),
                score_cell=layout.cell_address(row, layout.COL_SCORE),
            )
        )
    base_meta = {
        layout.META_CAMPAIGN: campaign.id,
        layout.META_YEAR: str(campaign.year),
        layout.META_TIER: tier.id,
        layout.META_UNIT: u.code,
        layout.META_UNIT_NAME: u.name,
        layout.META_VERSION: layout.FORM_VERSION,
        layout.META_FINGERPRINT: tier.fingerprint,
    }
    base_meta.update(meta or {})
    total_row = layout.FIRST_DATA_ROW + len(rows)
    return Reading(
        source=source(file or f"{unit}.xlsx"),
        sheet=layout.FORM_SHEET,
        meta=base_meta,
        unit_name=u.name,
        unit_name_cell="B4",
        rows=tuple(rows),
        total=total,
        total_cell=layout.cell_address(total_row, layout.COL_SCORE),
    )


#: A campaign whose criteria use every points rule (issue 13), beside a plain criterion.
RULES_TOML = """
[campaign]
id = "rules-2024"
title = "Đánh giá chuyển đổi số năm 2024"
province = "Thử"
year = 2024

[[tiers]]
id = "t"
name = "Khối thử"

[[tiers.criteria]]
code = "1"
name = "Chỉ đạo, điều hành"
[[tiers.criteria.children]]
code = "1.1"
name = "Ban chỉ đạo chuyển đổi số"
max = 10
rule = "levels"
levels = [
  { label = "Thủ trưởng cơ quan là Trưởng ban", points = 10 },
  { label = "Cấp phó là Trưởng ban", points = 5 },
  { label = "Chưa thành lập", points = 0 },
]
[[tiers.criteria.children]]
code = "1.2"
name = "Văn bản chỉ đạo về chuyển đổi số ban hành trong năm"
max = 2
rule = "count"
input = "Số văn bản"
points_each = 0.5
[[tiers.criteria.children]]
code = "1.3"
name = "Kiến trúc Chính quyền điện tử được phê duyệt"
max = 1
rule = "yes_no"

[[tiers.criteria]]
code = "2"
name = "Dịch vụ công"
[[tiers.criteria.children]]
code = "2.1"
name = "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến"
max = 2
rule = "ratio"
inputs = ["Số hồ sơ xử lý trực tuyến", "Tổng số hồ sơ"]
steps = [ { min_percent = 90, points = 2 }, { min_percent = 70, points = 1.5 },
          { above_percent = 50, points = 1 }, { min_percent = 0, points = 0 } ]
[[tiers.criteria.children]]
code = "2.2"
name = "Tỷ lệ kinh phí chi cho chuyển đổi số"
max = 3
rule = "ratio"
inputs = ["Kinh phí chi cho chuyển đổi số", "Tổng kinh phí chi thường xuyên"]
number = "decimal"
not_applicable = true
[[tiers.criteria.children]]
code = "2.3"
name = "Cổng thông tin điện tử"
max = 5

[[tiers.units]]
code = "A"
name = "Đơn vị A"
[[tiers.units]]
code = "B"
name = "Đơn vị B"
"""
