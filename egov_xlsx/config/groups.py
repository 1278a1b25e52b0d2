"""A tier's groups checked (``[[tiers.groups]]``, ``group`` on a unit, ``rank_groups_separately``): units of one
tier scored on fewer criteria, as departments without administrative procedures are (800 points, not 1.000)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from egov_xlsx.config.values import ValueReader
from egov_xlsx.model import Criterion, Group, Unit
from egov_xlsx.model.group import outermost, prune


def groups_of(
    r: ValueReader,
    t: Mapping[str, Any],
    key: str,
    criteria: Sequence[Criterion],
    criterion_codes: Mapping[str, str],
    units: Sequence[Unit],
) -> tuple[tuple[Group, ...], bool]:
    """The tier's groups and whether it ranks them separately (every problem recorded on ``r``).

    A group's ``exclude`` names criteria of any level; excluding everything, an unknown code, a duplicate group
    code, a unit naming an unknown group, or ``group``/``rank_groups_separately`` without groups is a problem.
    With ``rank_groups_separately`` every unit needs a group.
    """
    raw = t.get("groups")
    separate = r.boolean(t, f"{key}.rank_groups_separately", default=False)
    groups: list[Group] = []
    if raw is not None and (not isinstance(raw, list) or not raw):
        r.problem(f"{key}.groups", 'ghi các nhóm dạng [[tiers.groups]] với code, name và exclude = ["mã tiêu chí"]')
        raw = []
    seen: dict[str, int] = {}
    for i, rg in enumerate(raw or []):
        k = f"{key}.groups[{i}]"
        g = r.table(rg, k, {"code", "name", "exclude"}, required=True)
        code = r.code(g, f"{k}.code")
        name = r.text(g, f"{k}.name", required=True)
        if code and code in seen:
            r.problem(f"{k}.code", f'mã nhóm "{code}" bị trùng{r.at(f"{key}.groups[{seen[code]}].code")}')
        seen.setdefault(code, i)
        exclude = r.texts(g, f"{k}.exclude")
        for j, x in enumerate(exclude):
            if x not in criterion_codes:
                r.problem(f"{k}.exclude[{j}]", f'không có tiêu chí mã "{x}" trong khối')
        if criteria and not prune(tuple(criteria), frozenset(exclude)):
            r.problem(f"{k}.exclude", "loại hết mọi tiêu chí của khối: nhóm phải còn ít nhất một tiêu chí để chấm")
        if code and name:
            dropped = frozenset(exclude)
            groups.append(Group(code, name, dropped, outermost(tuple(criteria), dropped)))
    codes = {g.code for g in groups}
    if not raw:
        if separate:
            r.problem(f"{key}.rank_groups_separately", "khối không có nhóm [[tiers.groups]] nào để xếp hạng riêng")
        for i, u in enumerate(units):
            if u.group:
                r.problem(
                    f"{key}.units[{i}].group",
                    f'khối không có nhóm [[tiers.groups]] nào nên không dùng được nhóm "{u.group}"',
                )
        return (), False
    for i, u in enumerate(units):
        if u.group and u.group not in codes and seen:
            r.problem(
                f"{key}.units[{i}].group",
                f'không có nhóm mã "{u.group}" trong khối (các nhóm: {", ".join(sorted(codes))})',
            )
        elif not u.group and separate:
            r.problem(
                f"{key}.units[{i}]",
                "khối xếp hạng riêng theo nhóm (rank_groups_separately = true): mỗi đơn vị cần ghi group",
            )
    used = {u.group for u in units}
    for i, group in enumerate(groups):
        if group.code not in used:
            r.note(
                f"{key}.groups[{i}]", f'nhóm "{group.code}" chưa có đơn vị nào (ghi group = "{group.code}" cho đơn vị)'
            )
    return tuple(groups), separate
