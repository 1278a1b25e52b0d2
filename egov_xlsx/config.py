"""Read and check a campaign's ``egov.toml`` into a :class:`~egov_xlsx.model.Campaign`.

Every problem is collected, each with its key path (``tiers[1].criteria[0].children[2].max``), and raised
at once as a :class:`~egov_xlsx.errors.ConfigError`. Unknown keys are problems too: a misspelt key would
otherwise be silently ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from egov_xlsx.errors import CampaignNotFound, ConfigError, ConfigProblem
from egov_xlsx.model import (
    ZERO,
    Adjustment,
    Band,
    Campaign,
    Criterion,
    Display,
    DocumentInfo,
    Severity,
    Tier,
    Unit,
)
from egov_xlsx.vietnamese import clean, format_number

CONFIG_NAME = "egov.toml"

#: Limits on the numbers a config may hold, checked here so that whatever ``check`` accepts every command
#: (forms, workbook, documents) can lay out and print. A maximum, a bonus/penalty bound: at most
#: ``MAX_POINTS`` in magnitude; every maximum, bound and band: at most ``MAX_DECIMALS`` decimals (scores
#: in the forms obey the same rule); the criteria tree: at most ``MAX_DEPTH`` levels ("1" is level 1,
#: "1.2.3" level 3).
MAX_POINTS = Decimal(100000)
MAX_DECIMALS = 4
MAX_DEPTH = 6

DEFAULT_BANDS = (
    Band("Tốt", Decimal(85)),
    Band("Khá", Decimal(70)),
    Band("Trung bình", Decimal(50)),
    Band("Yếu", Decimal(0)),
)

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

T = TypeVar("T")


def config_path(campaign: Path) -> Path:
    """The config file of a campaign given as its folder or as the file itself."""
    return campaign if campaign.suffix.lower() == ".toml" else campaign / CONFIG_NAME


def load_campaign(campaign: Path | str) -> Campaign:
    """Read ``egov.toml`` of a campaign folder (or the file itself) and check it.

    Raises :class:`CampaignNotFound` when it does not exist and :class:`ConfigError` listing every problem.
    A file saved by Notepad (UTF-8 with a byte-order mark, or UTF-16) loads.
    """
    path = config_path(Path(campaign))
    if not path.is_file():
        raise CampaignNotFound(f"Không tìm thấy tệp cấu hình {path}. Chạy 'egov-xlsx init {path.parent}' để tạo.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, [ConfigProblem("", f"không đọc được tệp: {exc.strerror or exc}")]) from exc
    text = _decode(path, raw)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [ConfigProblem("", f"sai cú pháp TOML: {_toml_message(exc)}")]) from exc
    return parse_campaign(data, path=path, sha256=hashlib.sha256(raw).hexdigest())


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            path,
            [ConfigProblem("", f"dòng {line}: tệp không phải mã UTF-8. Mở bằng Notepad, chọn Lưu thành với mã UTF-8.")],
        ) from exc


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", text)
    where = f"dòng {m.group(1)}, cột {m.group(2)}" if m else ""
    reason = re.sub(r"\s*\(at .*\)$", "", text)
    return f"{where} ({reason})" if where else reason


def parse_campaign(data: Mapping[str, Any], *, path: Path = Path(CONFIG_NAME), sha256: str = "") -> Campaign:
    """Check a parsed TOML document and build the campaign (all problems at once)."""
    r = _Reader()
    root = r.table(data, "", {"campaign", "display", "validation", "document", "tiers"})
    camp = r.table(
        root.get("campaign"),
        "campaign",
        {
            "id",
            "title",
            "province",
            "year",
            "authority",
            "criteria_decision",
            "previous_provinces",
        },
        required=True,
    )
    cid = r.text(camp, "campaign.id", required=True)
    if cid and not _ID.match(cid):
        r.problem(
            "campaign.id",
            "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới (ví dụ hung-yen-2018)",
        )
    year = r.integer(camp, "campaign.year", required=True, low=1990, high=2200)
    title = r.text(camp, "campaign.title", required=True)
    province = r.text(camp, "campaign.province", required=True)
    authority = r.text(camp, "campaign.authority")
    criteria_decision = r.text(camp, "campaign.criteria_decision")
    previous_provinces = r.texts(camp, "campaign.previous_provinces")

    disp = r.table(root.get("display"), "display", {"total_decimals", "percent_decimals"})
    display = Display(
        total_decimals=r.integer(disp, "display.total_decimals", default=2, low=0, high=6),
        percent_decimals=r.integer(disp, "display.percent_decimals", default=0, low=0, high=4),
    )
    val = r.table(root.get("validation"), "validation", {"evidence"})
    evidence = r.choice(
        val,
        "validation.evidence",
        {"off": None, "warning": Severity.WARNING, "error": Severity.ERROR},
        default="off",
    )
    document = _document(r, root.get("document"))

    tiers: list[Tier] = []
    raw_tiers = root.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        r.problem("tiers", "cần ít nhất một khối [[tiers]] (ví dụ khối sở, ban, ngành)")
        raw_tiers = []
    for i, raw in enumerate(raw_tiers):
        tier = _tier(r, raw, f"tiers[{i}]")
        if tier is not None:
            tiers.append(tier)

    seen_tiers: set[str] = set()
    seen_units: dict[str, str] = {}
    for i, tier in enumerate(tiers):
        if tier.id in seen_tiers:
            r.problem(f"tiers[{i}].id", f'mã khối "{tier.id}" bị trùng')
        seen_tiers.add(tier.id)
        for j, unit in enumerate(tier.units):
            if unit.code in seen_units:
                r.problem(
                    f"tiers[{i}].units[{j}].code",
                    f'mã đơn vị "{unit.code}" đã dùng ở khối {seen_units[unit.code]}; mã đơn vị phải duy nhất',
                )
            seen_units.setdefault(unit.code, tier.id)

    if r.problems:
        raise ConfigError(path, r.problems)
    return Campaign(
        id=cid,
        title=title,
        province=province,
        year=year,
        authority=authority,
        criteria_decision=criteria_decision,
        tiers=tuple(tiers),
        display=display,
        evidence_severity=evidence,
        document=document,
        folder=path.parent,
        config_sha256=sha256,
        previous_provinces=previous_provinces,
    )


def _document(r: _Reader, raw: object) -> DocumentInfo:
    keys = {
        "parent_body",
        "issuing_body",
        "number",
        "symbol",
        "place",
        "date",
        "legal_grounds",
        "proposal",
        "signer_authority",
        "signer_deputy",
        "signer_title",
        "signer_name",
        "recipients",
        "articles",
    }
    doc = r.table(raw, "document", keys)
    when = doc.get("date")
    if when is not None and not (isinstance(when, dt.date) and not isinstance(when, dt.datetime)):
        r.problem("document.date", "ghi ngày dạng 2019-03-11 (không có dấu nháy)")
        when = None
    text = {k: r.text(doc, f"document.{k}") for k in keys - {"date", "legal_grounds", "recipients", "articles"}}
    return DocumentInfo(
        parent_body=text["parent_body"],
        issuing_body=text["issuing_body"],
        number=text["number"],
        symbol=text["symbol"] or "QĐ-UBND",
        place=text["place"],
        date=when,
        legal_grounds=r.texts(doc, "document.legal_grounds"),
        proposal=text["proposal"],
        signer_authority=text["signer_authority"],
        signer_deputy=text["signer_deputy"],
        signer_title=text["signer_title"],
        signer_name=text["signer_name"],
        recipients=r.texts(doc, "document.recipients"),
        articles=r.texts(doc, "document.articles"),
    )


def _tier(r: _Reader, raw: object, key: str) -> Tier | None:
    t = r.table(raw, key, {"id", "name", "bands", "criteria", "units", "tie_breakers", "adjustments"}, required=True)
    if not t:
        return None
    tid = r.text(t, f"{key}.id", required=True)
    if tid and not _ID.match(tid):
        r.problem(f"{key}.id", "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới (ví dụ so-nganh)")
    name = r.text(t, f"{key}.name", required=True)
    bands = _bands(r, t.get("bands"), f"{key}.bands")
    units = _units(r, t.get("units"), f"{key}.units")
    criteria: list[Criterion] = []
    raw_criteria = t.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        r.problem(f"{key}.criteria", "cần ít nhất một tiêu chí [[tiers.criteria]]")
        raw_criteria = []
    unit_codes = {u.code for u in units}
    for i, rc in enumerate(raw_criteria):
        c = _criterion(r, rc, f"{key}.criteria[{i}]", unit_codes)
        if c is not None:
            criteria.append(c)
    codes: dict[str, int] = {}
    for c in (n for top in criteria for n in top.walk()):
        codes[c.code] = codes.get(c.code, 0) + 1
    for code, n in codes.items():
        if n > 1:
            r.problem(f"{key}.criteria", f'mã tiêu chí "{code}" bị trùng ({n} lần)')
    breakers = r.texts(t, f"{key}.tie_breakers")
    for i, code in enumerate(breakers):
        if code not in codes:
            r.problem(f"{key}.tie_breakers[{i}]", f'không có tiêu chí mã "{code}" trong khối')
    adjustments = _adjustments(r, t.get("adjustments"), f"{key}.adjustments", set(codes))
    if not tid:
        return None
    return Tier(
        id=tid,
        name=name,
        bands=bands,
        criteria=tuple(criteria),
        units=units,
        tie_breakers=breakers,
        adjustments=adjustments,
    )


def _bands(r: _Reader, raw: object, key: str) -> tuple[Band, ...]:
    if raw is None:
        return DEFAULT_BANDS
    if not isinstance(raw, list) or not raw:
        r.problem(key, 'ghi danh sách mức xếp loại, ví dụ [{ name = "Tốt", min_percent = 85 }, ...]')
        return DEFAULT_BANDS
    bands: list[Band] = []
    for i, rb in enumerate(raw):
        b = r.table(rb, f"{key}[{i}]", {"name", "min_percent"}, required=True)
        name = r.text(b, f"{key}[{i}].name", required=True)
        low = r.decimal(b, f"{key}[{i}].min_percent", required=True)
        if low is not None and not ZERO <= low <= 100:
            r.problem(f"{key}[{i}].min_percent", "phải từ 0 đến 100")
        else:
            _bounded(r, f"{key}[{i}].min_percent", low)
        if name and low is not None:
            bands.append(Band(name, low))
    bands.sort(key=lambda b: b.min_percent, reverse=True)
    names = [b.name for b in bands]
    if len(set(names)) != len(names):
        r.problem(key, "tên mức xếp loại bị trùng")
    if len({b.min_percent for b in bands}) != len(bands):
        r.problem(key, "hai mức xếp loại có cùng min_percent")
    if bands and bands[-1].min_percent != 0:
        r.problem(key, "cần một mức có min_percent = 0 (mức thấp nhất, ví dụ Yếu) để mọi đơn vị đều được xếp loại")
    return tuple(bands)


def _units(r: _Reader, raw: object, key: str) -> tuple[Unit, ...]:
    if not isinstance(raw, list) or not raw:
        r.problem(key, "cần danh sách đơn vị [[tiers.units]] với code và name")
        return ()
    units: list[Unit] = []
    seen: set[str] = set()
    for i, ru in enumerate(raw):
        k = f"{key}[{i}]"
        u = r.table(ru, k, {"code", "name", "contact", "ranked", "unranked_reason", "previous_codes"}, required=True)
        code = r.code(u, f"{k}.code")
        name = r.text(u, f"{k}.name", required=True)
        if code in seen:
            r.problem(f"{k}.code", f'mã đơn vị "{code}" bị trùng')
        seen.add(code)
        ranked = r.boolean(u, f"{k}.ranked", default=True)
        reason = r.text(u, f"{k}.unranked_reason")
        if not ranked and not reason:
            r.problem(f"{k}.unranked_reason", "đơn vị không xếp hạng (ranked = false) cần ghi lý do")
        units.append(
            Unit(
                code=code,
                name=name,
                contact=r.text(u, f"{k}.contact"),
                ranked=ranked,
                unranked_reason=reason,
                previous_codes=r.texts(u, f"{k}.previous_codes"),
            )
        )
    return tuple(units)


def _criterion(r: _Reader, raw: object, key: str, unit_codes: set[str], depth: int = 1) -> Criterion | None:
    c = r.table(raw, key, {"code", "name", "max", "children", "not_applicable"}, required=True)
    if not c:
        return None
    code = r.code(c, f"{key}.code")
    name = r.text(c, f"{key}.name", required=True)
    declared = r.decimal(c, f"{key}.max")
    if declared is not None and declared <= 0:
        r.problem(f"{key}.max", "điểm tối đa phải lớn hơn 0")
    else:
        _bounded(r, f"{key}.max", declared)
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
        child = _criterion(r, rc, f"{key}.children[{i}]", unit_codes, depth + 1)
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
    capped = False
    if children:
        total = sum((ch.max for ch in children), ZERO)
        if declared is None:
            maximum = total
        elif declared > total:
            r.problem(
                f"{key}.max",
                f"điểm tối đa {declared} lớn hơn tổng điểm tối đa các tiêu chí con ({total}); "
                "bỏ max để lấy tổng, hoặc ghi mức trần nhỏ hơn",
            )
            maximum = declared
        else:
            maximum, capped = declared, declared < total
    elif declared is None:
        if not too_deep:
            r.problem(f"{key}.max", "tiêu chí không có tiêu chí con phải có điểm tối đa (max)")
        maximum = ZERO
    else:
        maximum = declared
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
    )


def _adjustments(r: _Reader, raw: object, key: str, criterion_codes: set[str]) -> tuple[Adjustment, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.problem(key, "ghi các dòng điểm cộng/trừ dạng [[tiers.adjustments]]")
        return ()
    out: list[Adjustment] = []
    for i, ra in enumerate(raw):
        k = f"{key}[{i}]"
        a = r.table(ra, k, {"code", "name", "min", "max"}, required=True)
        code = r.code(a, f"{k}.code")
        name = r.text(a, f"{k}.name", required=True)
        low = r.decimal(a, f"{k}.min", default=ZERO)
        high = r.decimal(a, f"{k}.max", default=ZERO)
        _bounded(r, f"{k}.min", low)
        _bounded(r, f"{k}.max", high)
        if code in criterion_codes or code in {x.code for x in out}:
            r.problem(f"{k}.code", f'mã "{code}" đã dùng cho một tiêu chí hoặc dòng khác')
        if low is not None and high is not None and low > high:
            r.problem(k, "min phải nhỏ hơn hoặc bằng max")
        if low is not None and high is not None and low == high == ZERO:
            r.problem(k, "cần max > 0 (điểm cộng) hoặc min < 0 (điểm trừ)")
        if code and name and low is not None and high is not None:
            out.append(Adjustment(code=code, name=name, min=low, max=high))
    return tuple(out)


def _bounded(r: _Reader, key: str, value: Decimal | None) -> None:
    """Record a problem when a number of the config is beyond the limits (``MAX_POINTS``, ``MAX_DECIMALS``)."""
    if value is None:
        return
    if abs(value) > MAX_POINTS:
        r.problem(key, f"không được vượt quá {format_number(MAX_POINTS)} (về giá trị tuyệt đối)")
    elif value != value.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
        r.problem(key, f"chỉ ghi tối đa {MAX_DECIMALS} chữ số thập phân")


class _Reader:
    """Typed access to TOML values that records a problem instead of raising."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ConfigProblem(key, message))

    def table(self, raw: object, key: str, allowed: set[str], *, required: bool = False) -> dict[str, Any]:
        if raw is None:
            if required:
                self.problem(key, "thiếu mục bắt buộc")
            return {}
        if not isinstance(raw, dict):
            self.problem(key, "phải là một bảng (các dòng khóa = giá trị)")
            return {}
        for extra in sorted(set(raw) - allowed):
            where = f"{key}.{extra}" if key else extra
            self.problem(where, f"khóa không được hỗ trợ (các khóa hợp lệ: {', '.join(sorted(allowed))})")
        return raw

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
                self.problem(key, "thiếu khóa bắt buộc")
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
        if value and not _CODE.match(value):
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
                self.problem(key, "thiếu khóa bắt buộc")
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
