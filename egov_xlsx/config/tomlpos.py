"""Where each key of a TOML document is written: the line of every key path.

``tomllib`` gives values without positions. :func:`key_lines` scans the same text once more, knowing just
enough TOML to follow it (tables, arrays of tables at any depth, dotted keys, arrays and inline tables over
several lines, basic, literal and multi-line strings, comments), and maps every path it meets to the line
it starts on::

    ("tiers", 0, "units", 1, "code") -> 57

A path is a tuple of keys (``str``) and array indices (``int``), the shape of the document ``tomllib``
returns. :func:`line_of` answers for any path, falling back to the nearest ancestor written in the text (a
missing key is reported at its table's line). The scanner expects text that ``tomllib`` accepted; on
anything else it returns what it found so far (:func:`nesting_line` uses that to locate over-deep nesting).
"""

from __future__ import annotations

import bisect
import json
import re
import tomllib
from collections.abc import Mapping

KeyPath = tuple[str | int, ...]

#: Arrays and inline tables nested deeper than this stop the scan (tomllib itself recurses until Python's
#: recursion limit; :func:`nesting_line` reports where); a key of more parts is placed by its first ones.
MAX_NESTING = 100

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_PATH_PART = re.compile(r'\[(\d+)\]|("(?:[^"\\]|\\.)*")|([^.\[\]"]+)')


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Broken(Exception):
    """The text is not TOML the scanner can follow (only after tomllib refused it, or a scanner bug)."""


def parse_key_path(key: str) -> KeyPath:
    """``'tiers[0].criteria[1].max'`` -> ``("tiers", 0, "criteria", 1, "max")`` (the form config.py builds).

    A key that is not bare is written in double quotes, JSON-escaped (:func:`key_part`).
    """
    path: list[str | int] = []
    for m in _PATH_PART.finditer(key):
        if m.group(1) is not None:
            path.append(int(m.group(1)))
        elif m.group(2) is not None:
            path.append(str(json.loads(m.group(2))))
        else:
            path.append(m.group(3))
    return tuple(path)


def key_part(name: str) -> str:
    """A key as a part of a key path: bare when it can be, else in double quotes (``'"tên đợt"'``)."""
    return name if _BARE.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def key_lines(text: str, *, strict: bool = False) -> dict[KeyPath, int]:
    """The line (1-based) each key path of ``text`` starts on. ``strict``: raise on text it cannot follow."""
    scanner = _Scanner(text)
    try:
        scanner.document()
    except (_Broken, _TooDeep, IndexError):
        if strict:
            raise
    return scanner.lines


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest ancestor written in the text; ``None`` when none is."""
    for end in range(len(path), 0, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return None


def nesting_line(text: str) -> int | None:
    """The line where arrays or inline tables nest deeper than :data:`MAX_NESTING`, if they do."""
    try:
        _Scanner(text).document()
    except _TooDeep as exc:
        return exc.line
    except (_Broken, IndexError):
        return None
    return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines: dict[KeyPath, int] = {}
        #: Concrete path of each array of tables -> number of its elements so far.
        self.arrays: dict[KeyPath, int] = {}
        self.table: KeyPath = ()

    # ------------------------------------------------------------------ positions

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self.newlines, self.i if pos is None else pos) + 1

    def peek(self, n: int = 1) -> str:
        return self.s[self.i : self.i + n]

    def record(self, path: KeyPath, line: int, *, first: bool = False) -> None:
        if first:
            self.lines.setdefault(path, line)
        else:
            self.lines[path] = line

    def expect(self, token: str) -> None:
        if not self.s.startswith(token, self.i):
            raise _Broken(f"expected {token!r} at {self.i}")
        self.i += len(token)

    def skip_blanks(self) -> None:
        while self.peek() in (" ", "\t"):
            self.i += 1

    def skip_comment(self) -> None:
        if self.peek() == "#":
            end = self.s.find("\n", self.i)
            self.i = len(self.s) if end < 0 else end

    def skip_space(self) -> None:
        """Blanks, newlines and comments (inside arrays and inline tables)."""
        while True:
            self.skip_blanks()
            self.skip_comment()
            if self.peek() in ("\n", "\r"):
                self.i += 1
            else:
                return

    # ------------------------------------------------------------------ document

    def document(self) -> None:
        while self.i < len(self.s):
            self.skip_blanks()
            c = self.peek()
            if c in ("\n", "\r"):
                self.i += 1
            elif c == "#":
                self.skip_comment()
            elif c == "":
                return
            elif self.peek(2) == "[[":
                line = self.line()
                self.i += 2
                key = self.key()
                self.expect("]]")
                self.array_header(key, line)
            elif c == "[":
                line = self.line()
                self.i += 1
                key = self.key()
                self.expect("]")
                self.table_header(key, line)
            else:
                self.pair(self.table, 0)

    def resolve(self, key: list[str], line: int) -> KeyPath:
        """The concrete path of a header's parent keys: each array of tables met means its last element."""
        path: KeyPath = ()
        for part in key:
            path += (part,)
            self.record(path, line, first=True)
            if path in self.arrays:
                path += (self.arrays[path] - 1,)
        return path

    def array_header(self, key: list[str], line: int) -> None:
        full = (*self.resolve(key[:-1], line), key[-1])
        self.record(full, line, first=True)
        index = self.arrays.get(full, 0)
        self.arrays[full] = index + 1
        self.table = (*full, index)
        self.record(self.table, line)

    def table_header(self, key: list[str], line: int) -> None:
        self.table = self.resolve(key, line)
        self.record(self.table, line)

    def pair(self, table: KeyPath, depth: int) -> None:
        line = self.line()
        key = self.key()
        self.expect("=")
        self.skip_blanks()
        path = table
        for part in key[:-1]:
            path += (part,)
            self.record(path, line, first=True)
        path += (key[-1],)
        self.record(path, line)
        self.value(path, depth)

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_blanks()
            c = self.peek()
            if c in ('"', "'"):
                start = self.i
                self.string()
                part = _unquote(self.s[start : self.i])
            else:
                m = _BARE.match(self.s, self.i)
                if not m:
                    raise _Broken(f"key expected at {self.i}")
                part = m.group()
                self.i = m.end()
            if len(parts) < MAX_NESTING:  # a key of thousands of parts: its first ones place it (all would cost n²)
                parts.append(part)
            self.skip_blanks()
            if self.peek() != ".":
                return parts
            self.i += 1

    # ------------------------------------------------------------------ values

    def value(self, path: KeyPath, depth: int) -> None:
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.array(path, depth + 1)
        elif c == "{":
            self.inline_table(path, depth + 1)
        else:
            start = self.i
            while self.i < len(self.s) and self.s[self.i] not in ",]}#\r\n":
                self.i += 1
            if self.i == start:
                raise _Broken(f"value expected at {self.i}")

    def array(self, path: KeyPath, depth: int) -> None:
        if depth > MAX_NESTING:
            raise _TooDeep(self.line())
        self.expect("[")
        index = 0
        while True:
            self.skip_space()
            if self.peek() == "]":
                self.i += 1
                return
            self.record((*path, index), self.line())
            self.value((*path, index), depth)
            self.skip_space()
            if self.peek() == ",":
                self.i += 1
                index += 1
            elif self.peek() != "]":
                raise _Broken(f"',' or ']' expected at {self.i}")

    def inline_table(self, path: KeyPath, depth: int) -> None:
        if depth > MAX_NESTING:
            raise _TooDeep(self.line())
        self.expect("{")
        while True:
            self.skip_space()
            if self.peek() == "}":
                self.i += 1
                return
            self.pair(path, depth)
            self.skip_space()
            if self.peek() == ",":
                self.i += 1
            elif self.peek() != "}":
                raise _Broken(f"',' or '}}' expected at {self.i}")

    def string(self) -> None:
        quote = self.peek()
        if self.peek(3) == quote * 3:
            end = self._find_close(self.i + 3, quote * 3, escapes=quote == '"')
            self.i = end + 3
            for _ in range(2):  # up to two quotes right before the closing ones belong to the content
                if self.peek() == quote:
                    self.i += 1
        else:
            end = self._find_close(self.i + 1, quote, escapes=quote == '"')
            if "\n" in self.s[self.i : end]:
                raise _Broken(f"newline in a string at {self.i}")
            self.i = end + 1

    def _find_close(self, pos: int, closing: str, *, escapes: bool) -> int:
        while True:
            if pos >= len(self.s):
                raise _Broken("unterminated string")
            if escapes and self.s[pos] == "\\":
                pos += 2
            elif self.s.startswith(closing, pos):
                return pos
            else:
                pos += 1


def _unquote(quoted: str) -> str:
    """A quoted key's text (tomllib decodes its escapes)."""
    try:
        value = tomllib.loads(f"k = {quoted}")["k"]
    except tomllib.TOMLDecodeError as exc:
        raise _Broken(str(exc)) from exc
    return str(value)
