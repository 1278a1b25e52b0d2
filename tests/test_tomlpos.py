"""The key-path-to-line scanner (egov_xlsx.config.tomlpos), property-tested on generated TOML text.

The generator writes TOML itself (no TOML writer is installed) and records, while writing, the line each leaf
value's key (or, for an array element, the element) is on; tomllib must parse the text and the scanner must give
exactly those lines.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_xlsx.config import tomlpos
from egov_xlsx.config.tomlpos import KeyPath

_NASTY = "#[]=.,{}\"' \\ăđêởỹ“"
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")

bare_names = st.text(alphabet="abcxyz019_-", min_size=1, max_size=6)
quoted_names = st.text(alphabet="ab" + _NASTY, min_size=1, max_size=6)
names = st.one_of(bare_names, bare_names, quoted_names)
free_text = st.text(alphabet="ab \t" + _NASTY, max_size=12)


def _key(name: str, draw: st.DrawFn) -> str:
    if _BARE.match(name) and draw(st.booleans()):
        return name
    if "'" not in name and "\n" not in name and draw(st.booleans()):
        return f"'{name}'"
    return json.dumps(name, ensure_ascii=False)


class _Writer:
    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.text = ""
        self.expect: dict[KeyPath, int] = {}

    @property
    def line(self) -> int:
        return self.text.count("\n") + 1

    def write(self, s: str) -> None:
        self.text += s

    def comment(self) -> None:
        if self.draw(st.booleans()):
            self.write(" # " + self.draw(free_text).replace("\n", " ") + ' [x] = "y"')

    def blank_lines(self) -> None:
        for _ in range(self.draw(st.integers(0, 2))):
            self.write(self.draw(st.sampled_from(["\n", "# chú thích [[tiers]] = 1\n", "   \n"])))

    # ---------------------------------------------------------------- values

    def scalar(self, path: KeyPath, line: int) -> None:
        draw = self.draw
        kind = draw(st.sampled_from(["int", "float", "bool", "date", "basic", "literal", "ml-basic", "ml-literal"]))
        self.expect[path] = line
        if kind == "int":
            self.write(str(draw(st.integers(-(10**9), 10**9))))
        elif kind == "float":
            self.write(repr(draw(st.floats(allow_nan=False, allow_infinity=False))))
        elif kind == "bool":
            self.write(draw(st.sampled_from(["true", "false"])))
        elif kind == "date":
            self.write(draw(st.sampled_from(["2019-03-11", "1979-05-27 07:32:00", "1979-05-27T07:32:00Z"])))
        elif kind == "basic":
            self.write(json.dumps(draw(free_text), ensure_ascii=False))
        elif kind == "literal":
            self.write("'" + draw(free_text).replace("'", "") + "'")
        elif kind == "ml-basic":
            body = draw(st.text(alphabet="ab\n" + _NASTY, max_size=20)).replace("\\", "\\\\").replace('"', '\\"')
            self.write('"""' + body + '"' * draw(st.integers(0, 2)) + '"""')
        else:
            body = draw(st.text(alphabet="ab\n" + _NASTY, max_size=20)).replace("'", "")
            self.write("'''" + body + "'" * draw(st.integers(0, 2)) + "'''")

    def value(self, path: KeyPath, depth: int, *, inline: bool) -> None:
        """A value at the current position (``inline``: inside an inline table, so on one line)."""
        kinds = ["scalar", "scalar", "array", "table"] if depth < 3 else ["scalar"]
        kind = self.draw(st.sampled_from(kinds))
        if kind == "scalar":
            self.scalar(path, self.line)
        elif kind == "array":
            self.array(path, depth, multiline=not inline and self.draw(st.booleans()))
        else:
            self.inline_table(path, depth)

    def array(self, path: KeyPath, depth: int, *, multiline: bool) -> None:
        n = self.draw(st.integers(1, 3))
        self.write("[")
        for i in range(n):
            if multiline:
                self.write("\n  ")
            self.value((*path, i), depth + 1, inline=not multiline)
            if i < n - 1 or self.draw(st.booleans()):
                self.write(",")
            if multiline:
                self.comment()
        self.write("\n]" if multiline else "]")

    def inline_table(self, path: KeyPath, depth: int) -> None:
        keys = self.draw(st.lists(names, min_size=1, max_size=3, unique=True))
        self.write("{ ")
        for i, name in enumerate(keys):
            self.write(_key(name, self.draw) + " = ")
            self.value((*path, name), depth + 1, inline=True)
            self.write(", " if i < len(keys) - 1 else " ")
        self.write("}")

    # ---------------------------------------------------------------- tables

    def pairs(self, table: KeyPath, taken: set[str]) -> None:
        keys = self.draw(st.lists(names.filter(lambda k: k not in taken), min_size=1, max_size=4, unique=True))
        for name in keys:
            self.blank_lines()
            if self.draw(st.integers(0, 4)) == 0:  # dotted keys: name.sub = ...
                for sub in self.draw(st.lists(names, min_size=1, max_size=2, unique=True)):
                    self.write(f"{_key(name, self.draw)} . {_key(sub, self.draw)} = ")
                    self.value((*table, name, sub), 1, inline=False)
                    self.comment()
                    self.write("\n")
                continue
            self.write(f"{_key(name, self.draw)} = ")
            self.value((*table, name), 0, inline=False)
            self.comment()
            self.write("\n")

    def array_of_tables(self, header: list[str], path: KeyPath, depth: int) -> None:
        """Blocks ``[[header]]``, each with pairs and (below a depth) nested blocks ``[[header.children]]``."""
        for i in range(self.draw(st.integers(1, 3))):
            self.blank_lines()
            self.write("[[" + " . ".join(header) + "]]")
            self.comment()
            self.write("\n")
            self.pairs((*path, i), {"children", "units"})
            if depth < 3 and self.draw(st.booleans()):
                self.array_of_tables([*header, "children"], (*path, i, "children"), depth + 1)
            if depth == 1 and self.draw(st.booleans()):
                self.array_of_tables([*header, "units"], (*path, i, "units"), 3)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[KeyPath, int]]:
    w = _Writer(draw)
    w.pairs((), {"tbl", "tiers"})
    if draw(st.booleans()):
        w.blank_lines()
        sub = draw(names)
        w.write("[tbl]\n")
        w.pairs(("tbl",), {sub})
        w.write(f"[ tbl . {_key(sub, draw)} ]\n")
        w.pairs(("tbl", sub), set())
    if draw(st.booleans()):
        w.array_of_tables(["tiers"], ("tiers",), 1)
    return w.text, w.expect


def _leaves(value: object, path: KeyPath = ()) -> list[KeyPath]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_every_leaf_is_found_on_its_line(doc: tuple[str, dict[KeyPath, int]]) -> None:
    text, expect = doc
    data: dict[str, Any] = tomllib.loads(text)  # the generated text is TOML
    assert set(_leaves(data)) == set(expect)
    found = tomlpos.key_lines(text, strict=True)
    lines = text.split("\n")
    for path, line in expect.items():
        assert found.get(path) == line, (path, found.get(path), line, text)
        last = path[-1]
        if isinstance(last, str) and _BARE.match(last):
            assert last in lines[line - 1]  # the line holds the key
    windows = text.replace("\n", "\r\n")  # Notepad's line ends: the same lines
    assert tomllib.loads(windows) and tomlpos.key_lines(windows, strict=True) == found


def test_a_spread_out_config() -> None:
    text = """# đầu tệp [[tiers]] = "x"
[campaign]
id = "a#b"  # chú thích [x]
title = '''dòng một
[[tiers]]
id = "giả"
'''

[[tiers]]
id = "so-nganh"
levels = [
  { label = "Tốt = [85]", points = 10 },  # một
  { label = "Khá", points = 2.5 },
]
[[tiers.criteria]]
code = "1"
[[tiers.criteria.children]]
code = "1.1"
[[tiers.criteria.children.children]]
code = "1.1.1"
[[tiers.criteria]]
code = "2"
[[tiers.units]]
code = "STP"
contact.email = "a@b"
[[tiers]]
id = "cap-huyen"
[[tiers.units]]
code = "X"
"""
    tomllib.loads(text)
    found = tomlpos.key_lines(text, strict=True)
    assert found[("campaign", "title")] == 4
    assert found[("tiers", 0)] == 9
    assert found[("tiers", 0, "levels", 1, "points")] == 13
    assert found[("tiers", 0, "criteria", 0, "children", 0, "children", 0, "code")] == 20
    assert found[("tiers", 0, "criteria", 1, "code")] == 22
    assert found[("tiers", 0, "units", 0, "contact", "email")] == 25
    assert found[("tiers", 1, "units", 0, "code")] == 29
    assert tomlpos.line_of(found, ("tiers", 0, "units", 0, "name")) == 23  # missing: its block's line
    assert tomlpos.line_of(found, tomlpos.parse_key_path("tiers[0].levels[0].label")) == 12


def test_nesting_too_deep_is_located() -> None:
    text = 'a = 1\nb = "["\nc = ' + "[" * 5000 + "]" * 5000 + "\n"
    assert tomlpos.nesting_line(text) == 3
    assert tomlpos.nesting_line("a = [[1]]\n") is None
