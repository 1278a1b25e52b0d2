"""A criterion's points rule checked: ``rule`` and the keys that go with it (``levels``, ``inputs``,
``input``, ``steps``, ``points_each``, ``number``, ``allow_above``, ``points_decimals``), every problem at its
key path."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egov_xlsx.config.values import MAX_DECIMALS, ValueReader, check_bounds
from egov_xlsx.model.rule import COUNT, LEVELS, RATIO, RULE_KINDS, YES_NO, Level, Rule, Step
from egov_xlsx.vietnamese import clean, format_number

#: The keys of a criterion table that belong to its rule.
RULE_KEYS = frozenset(
    {"rule", "levels", "inputs", "input", "steps", "points_each", "number", "allow_above", "points_decimals"}
)

#: Which rule keys each rule takes (beside ``rule`` itself).
_KEYS_OF = {
    LEVELS: {"levels"},
    RATIO: {"inputs", "steps", "number", "allow_above", "points_decimals"},
    COUNT: {"input", "points_each", "number", "points_decimals"},
    YES_NO: set[str](),
}


def rule_of(r: ValueReader, c: dict[str, Any], key: str, maximum: Decimal | None, has_children: bool) -> Rule | None:
    """The criterion's rule, or ``None`` when it has none (or it cannot work: each problem recorded)."""
    present = sorted(k for k in RULE_KEYS if k in c)
    if "rule" not in c:
        for k in present:
            r.problem(f"{key}.{k}", 'khóa này chỉ dùng cùng rule (ví dụ rule = "levels")')
        return None
    kind = c["rule"]
    if not isinstance(kind, str) or kind not in RULE_KINDS:
        r.problem(f"{key}.rule", f"chỉ nhận một trong: {', '.join(RULE_KINDS)}")
        return None
    if has_children:
        r.problem(f"{key}.rule", "chỉ tiêu chí không có tiêu chí con mới có cách tính điểm (rule)")
        return None
    for k in present:
        if k != "rule" and k not in _KEYS_OF[kind]:
            r.problem(f"{key}.{k}", f'khóa này không dùng với rule = "{kind}"')
    top = maximum if maximum is not None and maximum > 0 else None
    decimal = r.choice(c, f"{key}.number", {"whole": False, "decimal": True}, default="whole")
    points_decimals = r.integer(c, f"{key}.points_decimals", default=2, low=0, high=MAX_DECIMALS)
    allow_above = r.boolean(c, f"{key}.allow_above", default=False)
    if kind == LEVELS:
        return Rule(kind, levels=_levels(r, c, key, top))
    if kind == YES_NO:
        return Rule(kind)
    if kind == COUNT:
        name = r.text(c, f"{key}.input", required=True)
        each = r.decimal(c, f"{key}.points_each", required=True)
        if each is not None and each <= 0:
            r.problem(f"{key}.points_each", "số điểm cho mỗi đơn vị phải lớn hơn 0")
        else:
            check_bounds(r, f"{key}.points_each", each)
        return Rule(
            kind,
            inputs=(name,),
            points_each=each or Decimal(0),
            decimal=decimal,
            points_decimals=points_decimals,
        )
    inputs = c.get("inputs")
    names: tuple[str, ...] = ()
    if not (isinstance(inputs, list) and len(inputs) == 2 and all(isinstance(x, str) and x.strip() for x in inputs)):
        r.problem(f"{key}.inputs", 'tỷ lệ cần đúng hai đầu vào a, b, ví dụ ["Số hồ sơ trực tuyến", "Tổng số hồ sơ"]')
    else:
        names = tuple(clean(x) for x in inputs)
    steps = _steps(r, c, key, top) if "steps" in c else ()
    return Rule(
        RATIO,
        inputs=names,
        steps=steps,
        decimal=decimal,
        allow_above=allow_above,
        points_decimals=points_decimals,
    )


def _points(r: ValueReader, t: dict[str, Any], key: str, top: Decimal | None) -> Decimal | None:
    points = r.decimal(t, f"{key}.points", required=True)
    if points is None:
        return None
    if points < 0:
        r.problem(f"{key}.points", "điểm không được âm")
    elif top is not None and points > top:
        r.problem(f"{key}.points", f"điểm {format_number(points)} lớn hơn điểm tối đa {format_number(top)}")
    else:
        check_bounds(r, f"{key}.points", points)
        return points
    return None


def _levels(r: ValueReader, c: dict[str, Any], key: str, top: Decimal | None) -> tuple[Level, ...]:
    raw = c.get("levels")
    if not isinstance(raw, list) or not raw:
        r.problem(f"{key}.levels", 'ghi các mức dạng [{ label = "…", points = 10 }, …]')
        return ()
    levels: list[Level] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(raw):
        where = f"{key}.levels[{i}]"
        t = r.table(item, where, {"label", "points"}, required=True)
        label = r.text(t, f"{where}.label", required=True)
        points = _points(r, t, where, top)
        if label and label.casefold() in seen:
            r.problem(f"{where}.label", f'mức "{label}" bị trùng{r.at(seen[label.casefold()])}')
        elif label:
            seen[label.casefold()] = f"{where}.label"
        if label and points is not None:
            levels.append(Level(label, points))
    return tuple(levels)


def _steps(r: ValueReader, c: dict[str, Any], key: str, top: Decimal | None) -> tuple[Step, ...]:
    raw = c.get("steps")
    if not isinstance(raw, list) or not raw:
        r.problem(f"{key}.steps", "ghi các bậc dạng [{ min_percent = 90, points = 2 }, …]")
        return ()
    steps: list[Step] = []
    seen: dict[tuple[Decimal, bool], str] = {}
    covers_zero = False
    for i, item in enumerate(raw):
        where = f"{key}.steps[{i}]"
        t = r.table(item, where, {"min_percent", "above_percent", "points"}, required=True)
        points = _points(r, t, where, top)
        if ("min_percent" in t) == ("above_percent" in t):
            r.problem(where, "mỗi bậc ghi đúng một trong min_percent (từ) hoặc above_percent (trên)")
            continue
        above = "above_percent" in t
        name = "above_percent" if above else "min_percent"
        percent = r.decimal(t, f"{where}.{name}", required=True)
        if percent is None:
            continue
        if percent < 0:
            r.problem(f"{where}.{name}", "tỷ lệ không được âm")
            continue
        check_bounds(r, f"{where}.{name}", percent)
        if (percent, above) in seen:
            r.problem(f"{where}.{name}", f"bậc {format_number(percent)}% bị trùng{r.at(seen[(percent, above)])}")
            continue
        seen[(percent, above)] = f"{where}.{name}"
        covers_zero = covers_zero or (percent == 0 and not above)
        if points is not None:
            steps.append(Step(percent, points, above))
    if not covers_zero and len(seen) == len(raw):
        r.problem(f"{key}.steps", "các bậc phải phủ cả tỷ lệ 0%: thêm { min_percent = 0, points = 0 }")
    # From the highest threshold down; at one threshold "trên" (strictly above) comes before "từ".
    return tuple(sorted(steps, key=lambda s: (s.percent, s.above), reverse=True))
