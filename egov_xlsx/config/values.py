"""Typed access to a TOML document's values that records a problem instead of raising, and the limits every
number of the config obeys."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from egov_xlsx.config import tomlpos
from egov_xlsx.config.locate import Locator, located
from egov_xlsx.errors import ConfigProblem
from egov_xlsx.vietnamese import clean, format_number

#: Limits on the numbers a config may hold, checked here so that whatever ``check`` accepts every command
#: (forms, workbook, documents) can lay out and print. A maximum, a bonus/penalty bound: at most
#: ``MAX_POINTS`` in magnitude; every maximum, bound and band: at most ``MAX_DECIMALS`` decimals (scores
#: in the forms obey the same rule); the criteria tree: at most ``MAX_DEPTH`` levels ("1" is level 1,
#: "1.2.3" level 3).
MAX_POINTS = Decimal(100000)
MAX_DECIMALS = 4
MAX_DEPTH = 6


#: An identifier a clerk writes: a campaign or tier id, a unit or criterion code (letters without diacritics,
#: digits, ".", "-", "_").
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

T = TypeVar("T")


def check_bounds(r: ValueReader, key: str, value: Decimal | None) -> None:
    """Record a problem when a number of the config is beyond the limits (``MAX_POINTS``, ``MAX_DECIMALS``)."""
    if value is None:
        return
    if abs(value) > MAX_POINTS:
        r.problem(key, f"không được vượt quá {format_number(MAX_POINTS)} (về giá trị tuyệt đối)")
    elif value != value.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
        r.problem(key, f"chỉ ghi tối đa {MAX_DECIMALS} chữ số thập phân")


class ValueReader:
    """Typed access to TOML values that records a problem instead of raising."""

    def __init__(self, locator: Locator) -> None:
        self.problems: list[ConfigProblem] = []
        self.notes: list[str] = []
        self.locator = locator
        #: id() of a table -> its allowed keys that a misspelt key in it seems to mean.
        self.misspelt: dict[int, set[str]] = {}
        #: Empty tables handed out for missing or malformed ones (kept alive, compared by identity).
        self.stand_ins: list[dict[str, Any]] = []

    def problem(self, key: str, message: str) -> None:
        """Record a problem at a key path (its line and place are found from the path when shown)."""
        self.problems.append(ConfigProblem(key, message))

    def note(self, key: str, message: str) -> None:
        """Record a note: accepted as written, but the clerk should know (shown by ``check``)."""
        self.notes.append(str(located([ConfigProblem(key, message)], self.locator)[0]))

    def at(self, key: str) -> str:
        """Where the first of two duplicates is (" (đã dùng ở dòng 12)"), when the text is known."""
        line = self.locator.line(key)
        return f" (đã dùng ở dòng {line})" if line is not None else ""

    def table(self, raw: object, key: str, allowed: set[str], *, required: bool = False) -> dict[str, Any]:
        if raw is None:
            if required:
                self.problem(key, "thiếu mục bắt buộc")
                return self._stand_in()
            return {}
        if not isinstance(raw, dict):
            self.problem(key, "phải là một bảng (các dòng khóa = giá trị)")
            return self._stand_in()
        for extra in sorted(set(raw) - allowed):
            where = f"{key}.{tomlpos.key_part(extra)}" if key else tomlpos.key_part(extra)
            guess = difflib.get_close_matches(extra, sorted(allowed - set(raw)), n=1, cutoff=0.75)
            if guess:
                # One mistake, one message: the misspelt key's, not also "missing" for the key it meant.
                self.misspelt.setdefault(id(raw), set()).add(guess[0])
                self.problem(where, f"khóa không được hỗ trợ; có phải là {guess[0]}?")
            else:
                self.problem(where, f"khóa không được hỗ trợ (các khóa hợp lệ: {', '.join(sorted(allowed))})")
        return raw

    def _stand_in(self) -> dict[str, Any]:
        """An empty table standing for a missing or malformed one (already told): its keys are not missing too."""
        empty: dict[str, Any] = {}
        self.stand_ins.append(empty)
        return empty

    def missing(self, t: Mapping[str, Any], key: str) -> None:
        """A required key is absent: a problem, unless its table's absence or a misspelling of it was told."""
        if any(t is x for x in self.stand_ins):
            return
        if key.rsplit(".", 1)[-1] not in self.misspelt.get(id(t), set()):
            self.problem(key, "thiếu khóa bắt buộc")

    def _get(
        self,
        t: Mapping[str, Any],
        key: str,
        kind: Callable[[object], T | None],
        expected: str,
        required: bool,
        default: T,
    ) -> T:
        name = key.rsplit(".", 1)[-1]
        if name not in t:
            if required:
                self.missing(t, key)
            return default
        value = kind(t[name])
        if value is None:
            self.problem(key, f"phải là {expected}")
            return default
        return value

    def text(self, t: Mapping[str, Any], key: str, *, required: bool = False) -> str:
        value = self._get(
            t, key, lambda v: clean(v) if isinstance(v, str) else None, "chuỗi trong dấu nháy", required, ""
        )
        if required and not value and key.rsplit(".", 1)[-1] in t:
            self.problem(key, "không được để trống")
        return value

    def code(self, t: Mapping[str, Any], key: str) -> str:
        def conv(v: object) -> str | None:
            if isinstance(v, bool):
                return None
            if isinstance(v, int):
                return str(v)
            return clean(v) if isinstance(v, str) else None

        value = self._get(t, key, conv, 'mã dạng chuỗi, ví dụ "1.2" (có dấu nháy)', True, "")
        if value and not IDENTIFIER.match(value):
            self.problem(key, f'mã "{value}" chỉ được dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới')
        return value

    def texts(self, t: Mapping[str, Any], key: str) -> tuple[str, ...]:
        def conv(v: object) -> tuple[str, ...] | None:
            if isinstance(v, list) and all(isinstance(x, str) for x in v):
                return tuple(clean(x) for x in v)
            return None

        return self._get(t, key, conv, 'danh sách chuỗi, ví dụ ["a", "b"]', False, ())

    def integer(
        self, t: Mapping[str, Any], key: str, *, required: bool = False, default: int = 0, low: int, high: int
    ) -> int:
        value = self._get(
            t,
            key,
            lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None,
            "số nguyên",
            required,
            default,
        )
        raw = t.get(key.rsplit(".", 1)[-1])
        if isinstance(raw, int) and not isinstance(raw, bool) and not low <= value <= high:
            self.problem(key, f"phải từ {low} đến {high}")
        return value

    def decimal(
        self, t: Mapping[str, Any], key: str, *, required: bool = False, default: Decimal | None = None
    ) -> Decimal | None:
        def conv(v: object) -> Decimal | None:
            if isinstance(v, bool):
                return None
            if isinstance(v, int | float):
                try:
                    d = Decimal(repr(v))
                except InvalidOperation:
                    return None
                return d if d.is_finite() else None
            return None

        name = key.rsplit(".", 1)[-1]
        if name not in t:
            if required:
                self.missing(t, key)
            return default
        value = conv(t[name])
        if value is None:
            self.problem(key, "phải là một số (ví dụ 20 hoặc 7.5, không có dấu nháy)")
        return value

    def boolean(self, t: Mapping[str, Any], key: str, *, default: bool) -> bool:
        return self._get(t, key, lambda v: v if isinstance(v, bool) else None, "true hoặc false", False, default)

    def choice(self, t: Mapping[str, Any], key: str, choices: Mapping[str, T], *, default: str) -> T:
        raw = self._get(t, key, lambda v: v if isinstance(v, str) else None, "chuỗi", False, default)
        if raw not in choices:
            self.problem(key, f"chỉ nhận một trong: {', '.join(choices)}")
            return choices[default]
        return choices[raw]
