"""A criterion of the tree checked: its code, maximum (declared, or the sum of its children, or a cap below it),
its children to ``MAX_DEPTH`` levels, and which units may mark it not applicable."""

from __future__ import annotations

from egov_xlsx.config.appraisers import appraised_by
from egov_xlsx.config.rules import RULE_KEYS, rule_of
from egov_xlsx.config.values import MAX_DEPTH, ValueReader, check_bounds
from egov_xlsx.model import ZERO, Criterion
from egov_xlsx.vietnamese import clean, format_number

#: Who scores a criterion (``source``): the unit on its form (the default), or the council.
SOURCES = ("unit", "council")


def criterion(
    r: ValueReader,
    raw: object,
    key: str,
    unit_codes: set[str],
    codes: dict[str, str],
    depth: int = 1,
    *,
    bodies: frozenset[str] = frozenset(),
    inherited: str = "",
    council: bool = False,
) -> Criterion | None:
    """``bodies``: the ``[[appraisers]]`` codes; ``inherited``: the parent's appraising body; ``council``:
    whether the parent is scored by the council (``source = "council"``)."""
    keys = {"code", "name", "max", "children", "not_applicable", "appraised_by", "source"} | RULE_KEYS
    c = r.table(raw, key, keys, required=True)
    if not c:
        return None
    body = appraised_by(r, c, key, bodies, inherited)
    council = _source(r, c, key, council)
    code = r.code(c, f"{key}.code")
    if code and code in codes:
        r.problem(f"{key}.code", f'mã tiêu chí "{code}" bị trùng{r.at(f"{codes[code]}.code")}')
    elif code:
        codes[code] = key
    name = r.text(c, f"{key}.name", required=True)
    declared = r.decimal(c, f"{key}.max")
    if declared is not None and declared <= 0:
        r.problem(f"{key}.max", "điểm tối đa phải lớn hơn 0")
    else:
        check_bounds(r, f"{key}.max", declared)
    children: list[Criterion] = []
    raw_children = c.get("children", [])
    if not isinstance(raw_children, list):
        r.problem(f"{key}.children", "ghi các tiêu chí con dạng [[...children]]")
        raw_children = []
    too_deep = bool(raw_children) and depth >= MAX_DEPTH
    if too_deep:
        # Not read further: a tree of any depth would otherwise recurse until Python gives up.
        r.problem(f"{key}.children", f"bộ tiêu chí chỉ được tối đa {MAX_DEPTH} cấp (tiêu chí {code} đã ở cấp {depth})")
        raw_children = []
    for i, rc in enumerate(raw_children):
        child = criterion(
            r, rc, f"{key}.children[{i}]", unit_codes, codes, depth + 1, bodies=bodies, inherited=body, council=council
        )
        if child is not None:
            children.append(child)
    na_allowed, na_units = False, frozenset[str]()
    na = c.get("not_applicable", False)
    if isinstance(na, bool):
        na_allowed = na
    elif isinstance(na, list) and all(isinstance(x, str) for x in na):
        na_units = frozenset(clean(x) for x in na)
        for x in sorted(na_units - unit_codes):
            r.problem(f"{key}.not_applicable", f'không có đơn vị mã "{x}" trong khối')
    else:
        r.problem(f"{key}.not_applicable", 'ghi true (mọi đơn vị) hoặc danh sách mã đơn vị, ví dụ ["STP"]')
    if council and "not_applicable" in c:
        r.problem(
            f"{key}.not_applicable",
            'tiêu chí do Hội đồng chấm (source = "council") không có trên biểu của đơn vị nên đơn vị không '
            'đánh dấu "không áp dụng" được; bỏ khóa not_applicable',
        )
    capped = False
    if children:
        total = sum((ch.max for ch in children), ZERO)
        if declared is None:
            maximum = total
        elif declared > total:
            r.problem(
                f"{key}.max",
                f"điểm tối đa {format_number(declared)} lớn hơn tổng điểm tối đa các tiêu chí con "
                f"({format_number(total)}); "
                "bỏ max để lấy tổng, hoặc ghi mức trần nhỏ hơn",
            )
            maximum = declared
        else:
            maximum, capped = declared, declared < total
    elif declared is None:
        if not too_deep and "max" not in c:  # an invalid max is told by r.decimal
            r.problem(f"{key}.max", "tiêu chí không có tiêu chí con phải có điểm tối đa (max)")
        maximum = ZERO
    else:
        maximum = declared
    rule = rule_of(r, c, key, declared, bool(raw_children))
    if not code or not name:
        return None
    return Criterion(
        code=code,
        name=name,
        max=maximum,
        children=tuple(children),
        capped=capped,
        na_allowed=na_allowed,
        na_units=na_units,
        rule=rule,
        appraised_by=body,
        council=council,
    )


def _source(r: ValueReader, c: dict[str, object], key: str, inherited: bool) -> bool:
    """Whether the council scores the criterion: its own ``source``, or its parent's (inherited)."""
    if "source" not in c:
        return inherited
    raw = c["source"]
    if raw not in SOURCES:
        shown = f'"{raw[:40]}"' if isinstance(raw, str) else "giá trị này"
        r.problem(f"{key}.source", f'{shown} không hợp lệ: ghi "unit" (đơn vị tự chấm) hoặc "council" (Hội đồng chấm)')
        return inherited
    if inherited and raw == "unit":
        r.problem(
            f"{key}.source",
            'tiêu chí cha do Hội đồng chấm (source = "council") nên các tiêu chí con cũng do Hội đồng chấm; '
            'bỏ source = "unit"',
        )
        return True
    return raw == "council"
