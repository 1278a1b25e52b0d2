"""Read and check a campaign's ``egov.toml`` into a :class:`~egov_xlsx.model.Campaign`.

Every problem is collected, each with its key path (``tiers[1].criteria[0].children[2].max``), and raised
at once as a :class:`~egov_xlsx.errors.ConfigError`. Unknown keys are problems too: a misspelt key would
otherwise be silently ignored.

A problem is shown the way a clerk with Notepad finds it: the line of ``egov.toml`` (found from the key
path by :mod:`egov_xlsx.tomlpos`, so every ``problem(key, ...)`` call gets one) and the tier, unit or
criterion it is in, "dòng 57 (khối so-nganh, đơn vị thứ 2 – STP, khóa code): ...", sorted by line, one
message per mistake. TOML syntax errors and unreadable encodings are told in Vietnamese with their line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from egov_xlsx import tomlpos
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
    data = _parse_toml(path, text)
    return parse_campaign(data, path=path, sha256=hashlib.sha256(raw).hexdigest(), text=text)


# --------------------------------------------------------------------------- encodings and TOML syntax

_UTF8_ADVICE = "Mở bằng Notepad, chọn Lưu thành (Save As) với mã UTF-8."


def _decode(path: Path, raw: bytes) -> str:
    """The text of the file: UTF-8 (with or without a byte-order mark) or UTF-16 with one (Notepad's "Unicode")."""

    def fail(line: int | None, message: str) -> ConfigError:
        return ConfigError(path, [LocatedProblem("", f"{message} {_UTF8_ADVICE}", line=line)])

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if raw.startswith(b"\xff\xfe") else "utf-16-be"
        body = raw[2:]
        try:
            return body.decode(codec)
        except UnicodeDecodeError as exc:
            line = body[: exc.start - exc.start % 2].decode(codec, errors="replace").count("\n") + 1
            if exc.end >= len(body) and len(body) % 2:
                raise fail(
                    line, "tệp UTF-16 bị cắt cụt (số byte lẻ), có thể do sao chép hoặc tải về chưa xong."
                ) from exc
            raise fail(line, "tệp UTF-16 có ký tự hỏng (nửa cặp mã UTF-16 đứng riêng).") from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise fail(line, "tệp có ký tự NUL: có thể là UTF-16 không có dấu BOM.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(line, "tệp không phải mã UTF-8.") from exc


_CURLY_QUOTES = "“”‘’„‟‚‛″"

#: tomllib's English messages (their start) -> the Vietnamese a clerk reads.
_TOML_MESSAGES: tuple[tuple[str, str], ...] = (
    ("Unterminated string", 'chuỗi chưa có dấu nháy đóng: thêm " ở cuối chuỗi (chuỗi phải nằm trên một dòng)'),
    (
        "Invalid value",
        'giá trị không hợp lệ: chuỗi ghi trong dấu nháy thẳng "...", số không có dấu nháy (7.5), '
        "ngày dạng 2019-03-11, true hoặc false",
    ),
    ("Expected '=' after a key", "thiếu dấu = sau tên khóa (mỗi dòng ghi khóa = giá trị)"),
    ("Cannot declare", "bảng này đã được khai báo ở trên (trùng tên bảng [...])"),
    ("Cannot overwrite a value", "khóa này đã được ghi ở trên (trùng khóa)"),
    ("Duplicate inline table key", "khóa bị trùng trong { ... }"),
    ("Cannot mutate immutable namespace", "không thể bổ sung vào bảng đã ghi trọn trong { } hoặc [ ] ở trên"),
    ("Cannot redefine namespace", "không thể khai báo lại bảng đã ghi ở trên"),
    ("Unescaped '\\' in a string", "dấu \\ trong chuỗi phải viết \\\\ (hoặc dùng dấu nháy đơn '...')"),
    ("Invalid hex value", "mã \\u... hoặc \\U... trong chuỗi không hợp lệ"),
    ("Escaped character is not a Unicode scalar value", "mã \\u... trong chuỗi không phải ký tự hợp lệ"),
    ("Illegal character", "chuỗi có ký tự điều khiển không được phép (ví dụ tab hay xuống dòng giữa chuỗi)"),
    ("Unclosed array", "danh sách [ ... ] mở ở trên chưa có dấu ] đóng"),
    ("Unclosed inline table", "bảng { ... } chưa có dấu } đóng (bảng trong { } phải ghi trên một dòng)"),
    ("Expected ']' at the end of a table declaration", "thiếu dấu ] ở cuối tên bảng"),
    ("Expected ']]' at the end of an array declaration", "thiếu ]] ở cuối tên khối [[...]]"),
    (
        "Invalid initial character for a key part",
        "tên khóa không hợp lệ (chỉ dùng chữ không dấu, số, _ và -, hoặc đặt trong dấu nháy)",
    ),
    (
        "Invalid statement",
        "dòng không hợp lệ: mỗi dòng là khóa = giá trị, [bảng], [[khối]] hoặc chú thích bắt đầu bằng #",
    ),
    (
        "Expected newline or end of document after a statement",
        "thừa nội dung sau giá trị (mỗi khóa một dòng; chú thích bắt đầu bằng #)",
    ),
    ("Invalid date or datetime", "ngày giờ không hợp lệ (ghi dạng 2019-03-11)"),
    ("Found invalid character", "ký tự không hợp lệ ở đây"),
    ("Expected", "thiếu dấu phân cách ở đây"),
)


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    """``tomllib.loads`` with every failure a located, Vietnamese :class:`ConfigError` (never tomllib's English)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = _syntax_problem(text, str(exc))
    except RecursionError:
        line = tomlpos.nesting_line(text)
        problem = LocatedProblem(
            "", f"các dấu [ ] hoặc {{ }} lồng nhau quá sâu (quá {tomlpos.MAX_NESTING} cấp)", line=line
        )
    except ValueError:  # an integer beyond Python's digit limit
        m = re.search(r"[0-9_]{1000,}", text)
        line = text[: m.start()].count("\n") + 1 if m else None
        problem = LocatedProblem("", "số quá dài", line=line)
    raise ConfigError(path, [problem])


def _syntax_problem(text: str, english: str) -> LocatedProblem:
    m = re.search(r"\(at line (\d+), column (\d+)\)\s*$", english)
    if m:
        line, column = int(m.group(1)), int(m.group(2))
    else:
        line, column = text.count("\n") + 1, 0  # "(at end of document)"
    lines = text.split("\n")
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if any(q in here for q in _CURLY_QUOTES):
        message = 'dùng dấu nháy thẳng " thay cho dấu nháy cong “ ” (thường do chép từ Word)'
        return LocatedProblem("", message, line=line, where="sai cú pháp TOML")
    reason = next((vi for en, vi in _TOML_MESSAGES if english.startswith(en)), "sai cú pháp")
    if english.startswith("Expected '='") and "=" in here[column:]:  # "tên đợt = ...": the key, not the "="
        reason = "tên khóa chỉ dùng chữ không dấu, số, _ và - (không dấu cách), hoặc đặt trong dấu nháy"
    return LocatedProblem("", reason, line=line, column=column or None, where="sai cú pháp TOML")


# --------------------------------------------------------------------------- locating problems


class _Locator:
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
    names = {"units": ("đơn vị", "code"), "bands": ("mức xếp loại", "name"), "adjustments": ("dòng cộng/trừ", "code")}
    if array in names:
        what, label_key = names[array]
        label = _label(item, label_key)
        return f"{what} thứ {n} – {label}" if label else f"{what} thứ {n}"
    return f"khóa {array}, mục thứ {n}"


def _located(problems: Sequence[ConfigProblem], locator: _Locator) -> list[ConfigProblem]:
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


def parse_campaign(
    data: Mapping[str, Any], *, path: Path = Path(CONFIG_NAME), sha256: str = "", text: str | None = None
) -> Campaign:
    """Check a parsed TOML document and build the campaign (all problems at once).

    With the document's ``text`` every problem carries its line (:class:`LocatedProblem`); without, its key path.
    """
    r = _Reader(_Locator(text, data))
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

    seen_tiers: dict[str, int] = {}
    seen_units: dict[str, tuple[int, int]] = {}
    for i, raw in enumerate(raw_tiers):
        tid = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(tid, str) and tid:
            if tid in seen_tiers:
                r.problem(f"tiers[{i}].id", f'mã khối "{tid}" bị trùng{r.at(f"tiers[{seen_tiers[tid]}].id")}')
            seen_tiers.setdefault(tid, i)
        raw_units = raw.get("units") if isinstance(raw, dict) else None
        for j, ru in enumerate(raw_units if isinstance(raw_units, list) else []):
            code = _unit_code(ru)
            first = seen_units.setdefault(code, (i, j)) if code else (i, j)
            if first[0] != i:  # a duplicate inside one tier is told by _units
                r.problem(
                    f"tiers[{i}].units[{j}].code",
                    f'mã đơn vị "{code}" đã dùng ở khối khác{r.at(f"tiers[{first[0]}].units[{first[1]}].code")}; '
                    "mã đơn vị phải duy nhất",
                )

    if r.problems:
        raise ConfigError(path, _located(r.problems, r.locator))
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
        notes=tuple(r.notes),
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
    codes: dict[str, str] = {}  # criterion code -> the key path of its first criterion
    for i, rc in enumerate(raw_criteria):
        c = _criterion(r, rc, f"{key}.criteria[{i}]", unit_codes, codes)
        if c is not None:
            criteria.append(c)
    breakers = r.texts(t, f"{key}.tie_breakers")
    for i, code in enumerate(breakers):
        if code not in codes:
            r.problem(f"{key}.tie_breakers[{i}]", f'không có tiêu chí mã "{code}" trong khối')
    adjustments = _adjustments(r, t.get("adjustments"), f"{key}.adjustments", codes)
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
    start = len(r.problems)
    written: list[tuple[int, Band]] = []
    for i, rb in enumerate(raw):
        b = r.table(rb, f"{key}[{i}]", {"name", "min_percent"}, required=True)
        name = r.text(b, f"{key}[{i}].name", required=True)
        low = r.decimal(b, f"{key}[{i}].min_percent", required=True)
        if low is not None and not ZERO <= low <= 100:
            r.problem(f"{key}[{i}].min_percent", "phải từ 0 đến 100")
        else:
            _bounded(r, f"{key}[{i}].min_percent", low)
        if name and low is not None:
            written.append((i, Band(name, low)))
    before = len(r.problems)
    names: dict[str, int] = {}
    lows: dict[Decimal, int] = {}
    for i, band in written:
        if band.name in names:
            r.problem(
                f"{key}[{i}].name", f'tên mức xếp loại "{band.name}" bị trùng{r.at(f"{key}[{names[band.name]}].name")}'
            )
        names.setdefault(band.name, i)
        if band.min_percent in lows:
            r.problem(
                f"{key}[{i}].min_percent",
                f"hai mức xếp loại có cùng min_percent = {format_number(band.min_percent)}"
                f"{r.at(f'{key}[{lows[band.min_percent]}].min_percent')}: không rõ đơn vị đạt mức nào",
            )
        lows.setdefault(band.min_percent, i)
    bands = sorted((b for _, b in written), key=lambda b: b.min_percent, reverse=True)
    if len(r.problems) == start and bands and bands[-1].min_percent != 0:
        r.problem(key, "cần một mức có min_percent = 0 (mức thấp nhất, ví dụ Yếu) để mọi đơn vị đều được xếp loại")
    if len(r.problems) == before and [b for _, b in written] != bands:
        order = ", ".join(f"{b.name} từ {format_number(b.min_percent)}%" for b in bands)
        r.note(key, f"các mức xếp loại không ghi theo thứ tự từ cao xuống thấp; đã sắp lại: {order}")
    return tuple(bands)


def _units(r: _Reader, raw: object, key: str) -> tuple[Unit, ...]:
    if not isinstance(raw, list) or not raw:
        r.problem(key, "cần danh sách đơn vị [[tiers.units]] với code và name")
        return ()
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for i, ru in enumerate(raw):
        k = f"{key}[{i}]"
        u = r.table(ru, k, {"code", "name", "contact", "ranked", "unranked_reason", "previous_codes"}, required=True)
        code = r.code(u, f"{k}.code")
        name = r.text(u, f"{k}.name", required=True)
        if code and code in seen:
            r.problem(f"{k}.code", f'mã đơn vị "{code}" bị trùng{r.at(f"{key}[{seen[code]}].code")}')
        seen.setdefault(code, i)
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


def _criterion(
    r: _Reader, raw: object, key: str, unit_codes: set[str], codes: dict[str, str], depth: int = 1
) -> Criterion | None:
    c = r.table(raw, key, {"code", "name", "max", "children", "not_applicable"}, required=True)
    if not c:
        return None
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
        child = _criterion(r, rc, f"{key}.children[{i}]", unit_codes, codes, depth + 1)
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


def _adjustments(r: _Reader, raw: object, key: str, criterion_codes: Mapping[str, str]) -> tuple[Adjustment, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.problem(key, "ghi các dòng điểm cộng/trừ dạng [[tiers.adjustments]]")
        return ()
    out: list[Adjustment] = []
    seen: dict[str, int] = {}
    for i, ra in enumerate(raw):
        k = f"{key}[{i}]"
        a = r.table(ra, k, {"code", "name", "min", "max"}, required=True)
        code = r.code(a, f"{k}.code")
        name = r.text(a, f"{k}.name", required=True)
        low = r.decimal(a, f"{k}.min", default=ZERO)
        high = r.decimal(a, f"{k}.max", default=ZERO)
        _bounded(r, f"{k}.min", low)
        _bounded(r, f"{k}.max", high)
        if code in criterion_codes:
            r.problem(f"{k}.code", f'mã "{code}" đã dùng cho một tiêu chí{r.at(f"{criterion_codes[code]}.code")}')
        elif code and code in seen:
            r.problem(f"{k}.code", f'mã "{code}" đã dùng cho dòng cộng/trừ khác{r.at(f"{key}[{seen[code]}].code")}')
        seen.setdefault(code, i)
        if low is not None and high is not None and low > high:
            r.problem(k, "min phải nhỏ hơn hoặc bằng max")
        if low is not None and high is not None and low == high == ZERO:
            r.problem(k, "cần max > 0 (điểm cộng) hoặc min < 0 (điểm trừ)")
        if code and name and low is not None and high is not None:
            out.append(Adjustment(code=code, name=name, min=low, max=high))
    return tuple(out)


def _unit_code(raw: object) -> str:
    """A unit's code as :meth:`_Reader.code` reads it, or "" (its problems are told there)."""
    code = raw.get("code") if isinstance(raw, dict) else None
    if isinstance(code, bool) or not isinstance(code, str | int):
        return ""
    return clean(code) if isinstance(code, str) else str(code)


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

    def __init__(self, locator: _Locator) -> None:
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
        self.notes.append(str(_located([ConfigProblem(key, message)], self.locator)[0]))

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
