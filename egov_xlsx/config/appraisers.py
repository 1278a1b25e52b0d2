"""Several appraising bodies: ``[[appraisers]]`` checked, ``appraised_by`` on a criterion or a bonus/penalty line
read (a criterion's is inherited by its children), and every leaf and line of a tier resolved to a body.

Without ``[[appraisers]]`` nothing changes: one council file, ``appraisal.xlsx``, and ``appraised_by`` is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from egov_xlsx.config.values import ValueReader
from egov_xlsx.model import Adjustment, Appraiser, Criterion

#: Shown when a code is not one of the bodies.
_HOW = '[[appraisers]] với code và name, ví dụ { code = "SNV", name = "Sở Nội vụ" }'


def appraisers(r: ValueReader, raw: object) -> tuple[Appraiser, ...]:
    """The bodies in config order; codes are identifiers, unique even ignoring case (they name files)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        r.problem("appraisers", f"ghi các cơ quan thẩm định dạng {_HOW}")
        return ()
    out: list[Appraiser] = []
    seen: dict[str, int] = {}
    for i, ra in enumerate(raw):
        k = f"appraisers[{i}]"
        a = r.table(ra, k, {"code", "name"}, required=True)
        if not a:
            continue
        code = r.code(a, f"{k}.code")
        name = r.text(a, f"{k}.name", required=True)
        folded = code.casefold()
        if code and folded in seen:
            first = seen[folded]
            r.problem(
                f"{k}.code",
                f'mã cơ quan thẩm định "{code}" bị trùng{r.at(f"appraisers[{first}].code")} '
                "(không phân biệt chữ hoa, chữ thường: mã dùng làm tên tệp)",
            )
            continue
        if code:
            seen[folded] = i
        if code and name:
            out.append(Appraiser(code, name))
    return tuple(out)


def appraised_by(r: ValueReader, t: Mapping[str, Any], key: str, bodies: frozenset[str], inherited: str = "") -> str:
    """The body of a criterion or a line: its own ``appraised_by`` (a known body), else the inherited one."""
    if "appraised_by" not in t:
        return inherited
    code = r.text(t, f"{key}.appraised_by")
    if not code:
        if isinstance(t.get("appraised_by"), str):
            r.problem(f"{key}.appraised_by", "không được để trống")
        return inherited
    if not bodies:
        r.problem(f"{key}.appraised_by", f'chưa khai báo cơ quan thẩm định nào: thêm "{code}" vào {_HOW}')
        return inherited
    if code not in bodies:
        known = ", ".join(sorted(bodies))
        r.problem(f"{key}.appraised_by", f'không có cơ quan thẩm định mã "{code}" trong [[appraisers]] (có: {known})')
        return inherited
    return code


def check_assigned(
    r: ValueReader, key: str, bodies: frozenset[str], criteria: Iterable[Criterion], lines: Iterable[Adjustment]
) -> None:
    """With bodies declared, every leaf criterion and every bonus/penalty line of the tier must have one."""
    if not bodies:
        return
    leaves = [c.code for top in criteria for c in top.walk() if c.is_leaf and not c.appraised_by]
    unassigned = [*leaves, *(a.code for a in lines if not a.appraised_by)]
    if unassigned:
        shown = ", ".join(unassigned[:20]) + (f" và {len(unassigned) - 20} mã khác" if len(unassigned) > 20 else "")
        r.problem(
            key,
            f'chưa có cơ quan thẩm định cho: {shown}; ghi appraised_by = "<mã cơ quan>" ở tiêu chí (tiêu chí con '
            "thừa hưởng) hoặc ở dòng điểm cộng/trừ",
        )
