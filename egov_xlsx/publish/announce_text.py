"""Strings from the config or the forms as announcement templates see them: escaped for Markdown, or plain.

For Markdown every such string is escaped once (:func:`escape_markdown`), so a unit named ``<a href=...>`` or
``[x](javascript:...)`` prints as text; the plain-text context keeps the text as it is. In both, control
characters (line breaks included) become spaces, so a name cannot start a new paragraph, heading or list.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Characters with a meaning anywhere in a Markdown line (CommonMark and GitHub's tables, strikethrough).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
#: What makes a line a heading, a list item or a setext underline when it starts it.
_MD_BLOCK_MARK = re.compile(r"^(\s*)([#+=-])")
_MD_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")


def plain_text(value: str) -> str:
    """A string from the config or the forms, for the plain text: control characters become spaces."""
    return _CONTROL.sub(" ", value)


def escape_markdown(value: str) -> str:
    """A string from the config or the forms, for Markdown: printed as the text it is, never as markup.

    Every character with an inline meaning is backslash-escaped (CommonMark prints an escaped ASCII
    punctuation character as itself): HTML tags, links and images, emphasis, code, table cells, entities,
    strikethrough. A leading ``#``, ``-``, ``+``, ``=`` or ``1.`` is escaped too, for the string may start a
    line (a heading, a list item, a setext underline).
    """
    text = _MD_INLINE.sub(r"\\\1", plain_text(value))
    text = _MD_BLOCK_MARK.sub(r"\1\\\2", text, count=1)
    return _MD_ORDERED.sub(r"\1\\\2", text, count=1)


#: How one context turns a string from the config or the forms into template text
#: (:func:`escape_markdown` or :func:`plain_text`).
Text = Callable[[str], str]
