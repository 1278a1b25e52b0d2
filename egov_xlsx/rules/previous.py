"""Year over year: an earlier year's ``results.json`` matched to this year's units and criteria.

Units are matched by code, or through ``previous_codes`` in the roster for renamed or merged units (the
first listed code found wins). Criteria are matched by code; a criterion present in only one year is a
warning, since its scores cannot be compared.

The file is the user's, so it is checked strictly before anything in it is used: every key read has its
type, every number is bounded, and any problem is a :class:`PreviousResultsError` naming the file and the
JSON path (``tiers[0].units[3].rank``), never an exception from deep inside. Results of the same year, a
later year or another province are refused, except a province the config names in
``[campaign] previous_provinces`` (provinces merged in 2025): their units are matched through
``previous_codes`` only. Draft results are used with a warning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from egov_xlsx import findings
from egov_xlsx.errors import EgovError
from egov_xlsx.model import Campaign, Finding, PreviousStanding, Tier
from egov_xlsx.vietnamese import clean

RESULTS_NAME = "results.json"
#: What a draft build writes instead (``build --draft``).
DRAFT_RESULTS_NAME = "results-du-thao.json"
#: No results.json of a province comes near this (10,000 units take a few MB).
MAX_BYTES = 200 * 1024 * 1024
#: Bounds of the numbers read: a rank, a total (maxima are at most 100,000 per criterion) and a percent.
MAX_RANK = 1_000_000
MAX_TOTAL = Decimal(10) ** 12
MAX_PERCENT = Decimal(10) ** 6
#: Significant digits of a number read (results.json holds exact decimals: a percent has up to 28).
MAX_DIGITS = 40

_HINT = "--previous nhận thư mục kết quả của năm trước (ví dụ output/tinh-x-2024, nơi có results.json) hoặc chính tệp results.json đó"


class PreviousResultsError(EgovError, ValueError):
    """The earlier year's results cannot be used."""


@dataclass(frozen=True)
class PreviousYear:
    """Standings of an earlier year keyed by this year's tier id and unit code."""

    year: int
    standings: Mapping[str, Mapping[str, PreviousStanding]]
    findings: tuple[Finding, ...]


def results_file(path: Path) -> Path:
    """``path`` itself when it is a file, else the ``results.json`` inside the folder (a draft's if only it is)."""
    if path.is_file():
        return path
    final, draft = path / RESULTS_NAME, path / DRAFT_RESULTS_NAME
    return draft if not final.exists() and draft.is_file() else final


def load_previous(path: Path, campaign: Campaign) -> PreviousYear:
    """Read an earlier year's ``results.json`` (or the output folder holding it) and match it to ``campaign``.

    Raises :class:`PreviousResultsError` with one line saying what is wrong and what to point at.
    """
    if not path.exists():
        raise PreviousResultsError(f"Không tìm thấy kết quả năm trước {path}. {_HINT}.")
    if path.is_dir() and not results_file(path).is_file():
        if (path / "egov.toml").is_file():
            raise PreviousResultsError(
                f"Thư mục {path} là thư mục đợt đánh giá, không phải thư mục kết quả. Trỏ --previous vào thư mục kết quả "
                f"của năm đó (ví dụ output/{path.resolve().name}) hoặc tệp results.json trong đó."
            )
        raise PreviousResultsError(f"Thư mục {path} không có tệp {RESULTS_NAME} của kết quả năm trước. {_HINT}.")
    file = results_file(path)
    data = _read(file)
    try:
        return match_previous(data, campaign)
    except _Invalid as exc:
        where = f" (mục {exc.where})" if exc.where else ""
        raise PreviousResultsError(
            f"Kết quả năm trước {file}{where}: {exc.why}. Tệp này không phải results.json hợp lệ do egov-xlsx ghi; "
            f"{_HINT}."
        ) from None
    except _Refused as exc:
        raise PreviousResultsError(f"Kết quả năm trước {file}: {exc}") from None


def _read(file: Path) -> Any:
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise PreviousResultsError(
                f"Tệp kết quả năm trước {file} quá lớn ({size} byte) để là results.json. {_HINT}."
            )
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PreviousResultsError(f"Không đọc được kết quả năm trước {file}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError:
        raise PreviousResultsError(
            f"Không đọc được kết quả năm trước {file}: tệp không phải văn bản UTF-8. {_HINT}."
        ) from None
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_no_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except RecursionError:
        raise PreviousResultsError(
            f"Không đọc được kết quả năm trước {file}: dữ liệu lồng nhau quá sâu. {_HINT}."
        ) from None
    except (json.JSONDecodeError, _Invalid) as exc:
        why = exc.why if isinstance(exc, _Invalid) else f"sai cú pháp JSON ở dòng {exc.lineno}, cột {exc.colno}"
        raise PreviousResultsError(f"Không đọc được kết quả năm trước {file}: {why}. {_HINT}.") from None


class _Invalid(PreviousResultsError):
    """A value of the file is not what results.json holds there (``where`` is its JSON path)."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"{where}: {why}" if where else why)
        self.where, self.why = where, why


class _Refused(PreviousResultsError):
    """A valid results.json that cannot be compared with this campaign (year, province)."""


def _no_constant(name: str) -> Any:
    raise _Invalid("", f"có giá trị {name}, không phải là số")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Invalid("", f'khóa "{clean(key)[:40]}" xuất hiện hai lần trong một đối tượng')
        out[key] = value
    return out


# --------------------------------------------------------------------------- typed access with JSON paths


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(where, "phải là một đối tượng JSON ({...})")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Invalid(where, "phải là một danh sách JSON ([...])")
    return value


def _key(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise _Invalid(_join(where, key), "thiếu khóa bắt buộc")
    return obj[key]


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _required_text(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = _key(obj, key, where)
    if not isinstance(value, str) or not value.strip() or len(value) > 500:
        raise _Invalid(_join(where, key), "phải là một chuỗi không rỗng, tối đa 500 ký tự")
    return clean(value)


def _number(obj: Mapping[str, Any], key: str, where: str, bound: Decimal, *, integer: bool = False) -> Decimal:
    value = _key(obj, key, where)
    path = _join(where, key)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise _Invalid(path, "phải là một số")
    digits = value.as_tuple()
    if len(digits.digits) > MAX_DIGITS or not isinstance(digits.exponent, int) or digits.exponent < -MAX_DIGITS:
        raise _Invalid(path, f"số có quá nhiều chữ số (tối đa {MAX_DIGITS})")
    if abs(value) > bound:
        raise _Invalid(path, "số vượt quá giới hạn hợp lý")
    if integer and value != value.to_integral_value():
        raise _Invalid(path, "phải là số nguyên")
    return value


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _OldUnit:
    code: str
    rank: int | None
    total: Decimal
    percent: Decimal


@dataclass(frozen=True)
class _Parsed:
    year: int
    province: str
    draft: bool
    criteria: dict[str, set[str]]
    units: dict[str, _OldUnit]


def _parse(data: Any) -> _Parsed:
    """Every key this module reads, checked (type, bounds, unique unit codes)."""
    root = _object(data, "")
    camp = _object(_key(root, "campaign", ""), "campaign")
    year = int(_number(camp, "year", "campaign", Decimal(9999), integer=True))
    if year < 1990:
        raise _Invalid("campaign.year", "năm không hợp lệ")
    province = _required_text(camp, "province", "campaign")
    draft = root.get("draft", False)
    if not isinstance(draft, bool):
        raise _Invalid("draft", "phải là true hoặc false")
    criteria: dict[str, set[str]] = {}
    units: dict[str, _OldUnit] = {}
    for i, raw_tier in enumerate(_list(_key(root, "tiers", ""), "tiers")):
        where = f"tiers[{i}]"
        tier = _object(raw_tier, where)
        tier_id = _required_text(tier, "id", where)
        # A tier ranking its groups apart is published as one block per group, each with the tier's id.
        if tier_id in criteria and "group" not in tier:
            raise _Invalid(f"{where}.id", f'khối "{tier_id}" xuất hiện hai lần')
        codes: set[str] = criteria.get(tier_id, set())
        for j, raw_c in enumerate(_list(_key(tier, "criteria", where), f"{where}.criteria")):
            codes.add(_required_text(_object(raw_c, f"{where}.criteria[{j}]"), "code", f"{where}.criteria[{j}]"))
        criteria[tier_id] = codes
        for j, raw_u in enumerate(_list(_key(tier, "units", where), f"{where}.units")):
            at = f"{where}.units[{j}]"
            unit = _object(raw_u, at)
            code = _required_text(unit, "code", at)
            if code in units:
                raise _Invalid(f"{at}.code", f'đơn vị "{code}" xuất hiện hai lần')
            rank = _key(unit, "rank", at)
            if rank is not None:
                rank = int(_number(unit, "rank", at, Decimal(MAX_RANK), integer=True))
                if rank < 1:
                    raise _Invalid(f"{at}.rank", "thứ hạng phải từ 1 trở lên")
            units[code] = _OldUnit(
                code=code,
                rank=rank,
                total=_number(unit, "total", at, MAX_TOTAL),
                percent=_number(unit, "percent", at, MAX_PERCENT),
            )
    return _Parsed(year, province, draft, criteria, units)


def _same_province(a: str, b: str) -> bool:
    return clean(a).casefold() == clean(b).casefold()


def match_previous(data: Mapping[str, Any], campaign: Campaign) -> PreviousYear:
    """Match a parsed ``results.json`` (numbers as Decimal) to this campaign's tiers and units (pure).

    Raises :class:`PreviousResultsError` for a key or value results.json cannot have (with its JSON path),
    or for results of the same or a later year, or of another province not in ``previous_provinces``.
    """
    parsed = _parse(data)
    year = parsed.year
    if year >= campaign.year:
        raise _Refused(
            f"đây là kết quả năm {year}, không phải của một năm trước năm {campaign.year}. "
            "Trỏ --previous vào kết quả của năm trước."
        )
    own = _same_province(parsed.province, campaign.province)
    predecessor = any(_same_province(parsed.province, p) for p in campaign.previous_provinces)
    if not own and not predecessor:
        raise _Refused(
            f"đây là kết quả của {parsed.province}, không phải của {campaign.province}. Nếu {parsed.province} "
            f'đã hợp nhất vào {campaign.province}, ghi previous_provinces = ["{parsed.province}"] trong mục '
            "[campaign] của egov.toml và previous_codes cho các đơn vị."
        )
    standings: dict[str, dict[str, PreviousStanding]] = {}
    problems: list[Finding] = []
    if parsed.draft:
        problems.append(findings.make("previous-draft", year=year))
    for tier in campaign.tiers:
        matched: dict[str, PreviousStanding] = {}
        for unit in tier.units:
            # A predecessor province's codes are another province's: only previous_codes say which is whose.
            candidates = (unit.code, *unit.previous_codes) if own else unit.previous_codes
            for code in candidates:
                old = parsed.units.get(code)
                if old is not None:
                    matched[unit.code] = PreviousStanding(
                        year=year, code=code, rank=old.rank, total=old.total, percent=old.percent
                    )
                    break
        standings[tier.id] = matched
        problems.extend(_criteria_changes(tier, parsed.criteria.get(tier.id), year))
    return PreviousYear(year, standings, tuple(problems))


def _criteria_changes(tier: Tier, old: set[str] | None, year: int) -> list[Finding]:
    if old is None:
        return []
    now = {c.code for c in tier.walk()}
    out = [
        findings.make("previous-criterion-added", tier=tier.id, criterion=code, year=year)
        for code in sorted(now - old, key=_code_key)
    ]
    out += [
        findings.make("previous-criterion-removed", tier=tier.id, criterion=code, year=year)
        for code in sorted(old - now, key=_code_key)
    ]
    return out


def _code_key(code: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in code.split("."))
