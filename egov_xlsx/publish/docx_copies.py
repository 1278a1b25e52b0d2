"""Word paragraphs styled by python-docx once per style, then copied: the same XML, several times faster.

python-docx takes 0.4-0.7 ms to style a paragraph (every property setter searches the XML). The result depends
only on the empty paragraph it starts from and on the style, so each such pair is styled once per process and
later paragraphs are copies of that XML with their own text (0.07 ms). Text that python-docx would split (a
tab, a line break) is styled by python-docx itself. ``tests/test_docx_rows.py`` compares the copies with what
python-docx writes, byte for byte; the gain is in ``benchmarks/README.md`` ("Optimisations kept").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree  # type: ignore[import-untyped]  # python-docx depends on lxml; no stubs

#: ``style(paragraph, text)``: the plain python-docx styling of a paragraph, as :mod:`docx_layout` does it.
Styler = Callable[[Any, str], Any]

_PLACEHOLDER = "x"
_SPLIT_CHARS = frozenset("\t\n\r")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RUN_TEXT = f"{qn('w:r')}/{qn('w:t')}"


def styled_paragraph(paragraph: Any, text: str, style: tuple[Any, ...], styler: Styler) -> Any:
    """``paragraph`` styled as ``styler`` would (``style`` names that styling), holding ``text``."""
    if _SPLIT_CHARS.intersection(text):
        return styler(paragraph, text)
    empty = etree.tostring(paragraph._p)
    template = _template(empty, style, bool(text), styler)
    made = parse_xml(template)
    paragraph._p.addnext(made)
    paragraph._p.getparent().remove(paragraph._p)
    paragraph = Paragraph(made, paragraph._parent)
    if text:
        t = made.find(_RUN_TEXT)
        t.text = text
        # What python-docx does: keep leading or trailing white space in Word.
        t.attrib.pop(_XML_SPACE, None)
        if text[0].isspace() or text[-1].isspace():
            t.set(_XML_SPACE, "preserve")
    return paragraph


def _template(empty: bytes, style: tuple[Any, ...], has_text: bool, styler: Styler) -> bytes:
    """The XML python-docx makes of the empty paragraph ``empty`` with this style (text: a placeholder)."""
    key = (empty, style, has_text)
    found = _TEMPLATES.get(key)
    if found is None:
        paragraph = Paragraph(parse_xml(empty), None)  # type: ignore[arg-type]  # styling needs no story part
        styler(paragraph, _PLACEHOLDER if has_text else "")
        if len(_TEMPLATES) >= 256:
            _TEMPLATES.clear()
        found = _TEMPLATES[key] = bytes(etree.tostring(paragraph._p))
    return found


# (the empty paragraph's XML, the style, whether it has text) -> the styled paragraph's XML. Bounded. (The
# styler, a new function object each call, cannot be part of a functools cache's key.)
_TEMPLATES: dict[tuple[bytes, tuple[Any, ...], bool], bytes] = {}
