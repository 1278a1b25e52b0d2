"""The appraising bodies' files (``[[appraisers]]``): where they are, what else lies in their folder, each read back.

Each body has its own workbook, ``CAMPAIGN/appraisal/tham-dinh-<code>.xlsx`` (the code is an ASCII identifier,
so the name is safe on every system), laid out as ``appraisal.xlsx`` is and read by the same reader
(:func:`egov_xlsx.read.appraisal.read_entries`); ``--update`` keeps its backups beside it,
``tham-dinh-<code>.<YYYYmmdd-HHMMSS>.xlsx``. Judging and merging the bodies' entries is
:mod:`egov_xlsx.rules.appraisers`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from pathlib import Path

from egov_xlsx.model import Appraiser, Campaign, Finding
from egov_xlsx.read.appraisal import FILE_NAME, Entry, read_entries

FOLDER = "appraisal"
PREFIX = "tham-dinh-"
#: The label of the body in each sheet's title block (read by people; the file's name is what the tool uses).
LABEL_BODY = "Cơ quan thẩm định:"
_BACKUP = re.compile(r"^\.\d{8}-\d{6}(-\d+)?$")


def body_file_name(code: str) -> str:
    return f"{PREFIX}{code}.xlsx"


def body_path(campaign: Campaign, code: str) -> Path:
    return campaign.folder / FOLDER / body_file_name(code)


def shown_name(code: str) -> str:
    """The body's file as findings and messages name it, relative to the campaign folder, with "/" on every system."""
    return f"{FOLDER}/{body_file_name(code)}"


def stray_files(campaign: Campaign) -> list[str]:
    """Files that are no body's workbook nor one of its backups, as findings name them (sorted).

    In ``appraisal/``: any visible file other than a body's ``tham-dinh-<code>.xlsx`` and its backups (an Excel
    lock file ``~$...`` and hidden files are skipped); in the campaign folder, ``appraisal.xlsx``, which is not
    read when the campaign has appraising bodies.
    """
    codes = {a.code for a in campaign.appraisers}
    found: list[str] = []
    if (campaign.folder / FILE_NAME).is_file():
        found.append(FILE_NAME)
    folder = campaign.folder / FOLDER
    names: list[str] = []
    with contextlib.suppress(OSError):
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
    for name in names:
        if name.startswith(("~$", ".")):
            continue
        if name.startswith(PREFIX) and name.endswith(".xlsx"):
            stem = name[len(PREFIX) : -len(".xlsx")]
            code, dot, stamp = stem.partition(".")
            if code in codes and (not dot or _BACKUP.match(dot + stamp)):
                continue
        found.append(f"{FOLDER}/{name}")
    return found


def read_body(campaign: Campaign, body: Appraiser) -> tuple[tuple[Entry, ...], tuple[Finding, ...]]:
    """A body's file read back (see :func:`read_entries`), its findings naming that file."""
    entries, problems = read_entries(body_path(campaign, body.code), campaign)
    return entries, tuple(relocate(f, body.code) for f in problems)


def relocate(f: Finding, code: str) -> Finding:
    """A finding made for ``appraisal.xlsx`` told of the body's own file instead."""
    if f.file != FILE_NAME:
        return f
    name = shown_name(code)
    message = f.message.replace(FILE_NAME, name).replace("tệp thẩm định", f"tệp thẩm định {name}")
    return replace(f, file=name, message=message)


def body_instruction(text: str, body: Appraiser) -> str:
    """The council file's instruction said of one body's file."""
    text = text.replace(
        "Tệp của Hội đồng thẩm định:",
        f"Tệp thẩm định của {body.name}: chỉ gồm các tiêu chí và dòng điểm cộng/trừ do cơ quan này thẩm định;",
    )
    return text.replace("egov-xlsx appraisal --update", f"egov-xlsx appraisal --update --appraiser {body.code}")
