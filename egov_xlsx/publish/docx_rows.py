"""Table rows streamed into a Word document's XML at save time, for tables of thousands of rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # python-docx depends on lxml; no stubs

# --------------------------------------------------------------------------- streamed table rows

# Texts a row template can carry as they are: no tab or line break (python-docx writes those as their own
# elements), no character XML refuses, no space at either end (python-docx marks those xml:space).
_PLAIN = re.compile(r"[^\x00-\x1f\ud800-\udfff\ufffe\uffff]*")
_NS_DECLARATION = re.compile(r' xmlns(?::[A-Za-z0-9_.-]+)?="[^"]*"')
_SLOT = "\ue000{}\ue001"


class StreamedRows:
    """Data rows of a table, written straight into the saved ``word/document.xml``, not built as elements.

    A results annex of 10,000 units is 110,000 cells. Built through python-docx that is half a minute of
    schema-ordered inserts and close to a gigabyte of XML nodes. Here each row's texts are kept; a row is
    built by ``build(table, texts)`` (python-docx, appending a row to ``table``) only once for each
    layout (which of its cells are empty), serialised, and taken out of the table again; every other
    row of that layout is that XML with its texts put in. A row whose texts are not plain (a tab, a line
    break, a space at either end) is built and serialised on its own. Either way its bytes are those
    python-docx writes for the row. :func:`save_reproducible` writes the rows where a marker (an XML
    comment) stands in the table, after the rows already there.
    """

    _count = 0

    def __init__(self, table: Any, build: Callable[[Any, Sequence[str]], Any]) -> None:
        StreamedRows._count += 1
        self.marker = f"egov-xlsx-rows-{StreamedRows._count}"
        self.marker_bytes = f"<!--{self.marker}-->".encode()
        self._table = table
        self._build = build
        self._rows: list[tuple[str, ...]] = []
        self._templates: dict[tuple[bool, ...], list[str] | None] = {}
        table._tbl.append(etree.Comment(self.marker))

    def add(self, texts: Iterable[str]) -> None:
        self._rows.append(tuple(texts))

    def xml_chunks(self, rows_per_chunk: int = 200) -> Iterator[bytes]:
        """The rows' XML, UTF-8, a few hundred rows at a time."""
        batch: list[str] = []
        for texts in self._rows:
            batch.append(self._row_xml(texts))
            if len(batch) >= rows_per_chunk:
                yield "".join(batch).encode("utf-8")
                batch = []
        if batch:
            yield "".join(batch).encode("utf-8")

    def _row_xml(self, texts: tuple[str, ...]) -> str:
        if all(_PLAIN.fullmatch(t) and t == t.strip() for t in texts):
            key = tuple(bool(t) for t in texts)
            if key not in self._templates:
                self._templates[key] = self._template(key)
            parts = self._templates[key]
            if parts is not None:
                out = [parts[0]]
                for text, part in zip((t for t in texts if t), parts[1:], strict=True):
                    out.append(_escape_text(text))
                    out.append(part)
                return "".join(out)
        return self._serialise(texts)

    def _template(self, key: tuple[bool, ...]) -> list[str] | None:
        """The row's XML cut around its texts, built with a unique placeholder in each non-empty cell."""
        slots = [_SLOT.format(i) if filled else "" for i, filled in enumerate(key)]
        xml = self._serialise(slots)
        parts: list[str] = []
        rest = xml
        for slot in (s for s in slots if s):
            before, found, rest = rest.partition(slot)
            if not found or slot in rest:
                return None  # the texts do not land in the XML as they are: build every such row
            parts.append(before)
        parts.append(rest)
        return parts

    def _serialise(self, texts: Sequence[str]) -> str:
        tr = self._build(self._table, texts)._tr
        try:
            xml: str = etree.tostring(tr, encoding="unicode", with_tail=False)
        finally:
            tr.getparent().remove(tr)
        # Serialised on its own, the row declares the document's namespaces; in the document it does not.
        head, close, body = xml.partition(">")
        return _NS_DECLARATION.sub("", head) + close + body


def _escape_text(text: str) -> str:
    """Text content escaped as libxml2 writes it (a carriage return never reaches here: not plain)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
