"""Where a config problem is: the line of its key path and the tier, unit or criterion it is in, as a clerk with
Notepad finds it ("dòng 57 (khối so-nganh, đơn vị thứ 2 – STP, khóa code): ...")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from egov_xlsx.config import tomlpos
from egov_xlsx.errors import ConfigProblem
from egov_xlsx.vietnamese import clean


@dataclass(frozen=True)
class LocatedProblem(ConfigProblem):
    """A config problem with where a clerk finds it in ``egov.toml``: its line (and column) and what it is in.

    ``str()`` reads "dòng 57 (khối so-nganh, đơn vị thứ 2 – STP, khóa code): mã đơn vị ... bị trùng"; the key
    path stays in :attr:`key` for programs.
    """

    line: int | None = None
    column: int | None = None
    where: str = ""

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.where}: {self.message}" if self.where else super().__str__()
        column = f", cột {self.column}" if self.column else ""
        where = f" ({self.where})" if self.where else ""
        return f"dòng {self.line}{column}{where}: {self.message}"


class Locator:
    """Turns a key path into its line and a description a clerk recognises (tier, unit, criterion)."""

    def __init__(self, text: str | None, data: Mapping[str, Any]) -> None:
        self.lines = tomlpos.key_lines(text) if text is not None else None
        self.data = data

    def line(self, key: str) -> int | None:
        if self.lines is None:
            return None
        return tomlpos.line_of(self.lines, tomlpos.parse_key_path(key))

    def place(self, key: str) -> str:
        path = tomlpos.parse_key_path(key)
        parts: list[str] = []
        node: object = self.data
        i = 0
        while i < len(path):
            part = path[i]
            index = path[i + 1] if i + 1 < len(path) and isinstance(path[i + 1], int) else None
            child = _child(node, part)
            item = _child(child, index) if index is not None else None
            if i == 0 and isinstance(part, str) and index is None and part != "tiers":
                parts.append(f"[{part}]")
            elif index is not None and isinstance(index, int):
                if part == "children" and parts and parts[-1].startswith("tiêu chí"):
                    parts.pop()  # the innermost criterion names the place ("tiêu chí 1.2.3")
                parts.append(_describe(str(part), index, item, node))
                node, i = item, i + 2
                continue
            elif i == len(path) - 1 and isinstance(part, str):
                parts.append(f"khóa {part}")
            node = child
            i += 1
        return ", ".join(p for p in parts if p)


def _child(node: object, part: str | int | None) -> object:
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _label(item: object, key: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if isinstance(value, bool):
        return ""
    return clean(str(value)) if isinstance(value, str | int) else ""


def _describe(array: str, index: int, item: object, parent: object) -> str:
    """``("units", 1, {"code": "STP"})`` -> "đơn vị thứ 2 – STP"."""
    n = index + 1
    if array == "tiers":
        tid = _label(item, "id")
        return f"khối {tid}" if tid else f"khối thứ {n}"
    if array in ("criteria", "children"):
        code = _label(item, "code")
        if code:
            return f"tiêu chí {code}"
        owner = _label(parent, "code") if array == "children" else ""
        return f"tiêu chí con thứ {n} của {owner}" if owner else f"tiêu chí thứ {n}"
    names = {
        "units": ("đơn vị", "code"),
        "bands": ("mức xếp loại", "name"),
        "adjustments": ("dòng cộng/trừ", "code"),
        "appraisers": ("cơ quan thẩm định", "code"),
        "groups": ("nhóm", "code"),
    }
    if array in names:
        what, label_key = names[array]
        label = _label(item, label_key)
        return f"{what} thứ {n} – {label}" if label else f"{what} thứ {n}"
    return f"khóa {array}, mục thứ {n}"


def located(problems: Sequence[ConfigProblem], locator: Locator) -> list[ConfigProblem]:
    """Every problem with its line and place, sorted by line (file-wide ones first), each mistake once."""
    out: list[LocatedProblem] = []
    seen: set[tuple[int | None, str, str]] = set()
    for p in problems:
        if isinstance(p, LocatedProblem):
            located = p
        else:
            line = locator.line(p.key) if p.key else None
            where = locator.place(p.key) if p.key and line is not None else ""
            located = LocatedProblem(p.key, p.message, line=line, where=where)
        if (located.line, located.where, located.message) in seen:
            continue
        seen.add((located.line, located.where, located.message))
        out.append(located)
    out.sort(key=lambda p: (p.line is not None, p.line or 0))
    return list(out)
