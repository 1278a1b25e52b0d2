"""The bytes of ``egov.toml`` to a TOML document: the encodings Notepad saves, and TOML syntax errors told in
Vietnamese with their line (never tomllib's English)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from egov_xlsx.config import tomlpos
from egov_xlsx.config.locate import LocatedProblem
from egov_xlsx.errors import ConfigError

CONFIG_NAME = "egov.toml"


def config_path(campaign: Path) -> Path:
    """The config file of a campaign given as its folder or as the file itself."""
    return campaign if campaign.suffix.lower() == ".toml" else campaign / CONFIG_NAME


_UTF8_ADVICE = "Mở bằng Notepad, chọn Lưu thành (Save As) với mã UTF-8."


def decode(path: Path, raw: bytes) -> str:
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


def parse_toml(path: Path, text: str) -> dict[str, Any]:
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
