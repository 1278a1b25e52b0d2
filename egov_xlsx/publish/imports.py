"""``egov-xlsx import``: a table of council values judged, then kept in ``CAMPAIGN/imports/`` (atomically).

The source file is only read. Its bytes, as judged, are copied once per criterion it gives, as
``imports/CODE - original name.ext``; importing a criterion again replaces that criterion's copy (the earlier
copy of the code is removed in the same commit, whatever its original name). A table with any error finding
is not kept: nothing in ``imports/`` changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from egov_xlsx import findings
from egov_xlsx.atomic import Inputs, Staging
from egov_xlsx.model import Campaign, CouncilValue, Finding
from egov_xlsx.read.imports import IMPORTS, TableUnreadable, read_table
from egov_xlsx.rules.council import copy_name, kept_copies
from egov_xlsx.rules.import_rules import council_criteria, judge_table
from egov_xlsx.vietnamese import clean


@dataclass(frozen=True)
class ImportOutcome:
    """What an import read and did: the values, the findings, the copies written (none when it has errors)."""

    values: tuple[CouncilValue, ...]
    findings: tuple[Finding, ...]
    criteria: tuple[str, ...]
    written: tuple[Path, ...] = ()

    @property
    def valid(self) -> bool:
        return not any(f.is_error for f in self.findings)


def unknown_criteria(campaign: Campaign, codes: Sequence[str]) -> list[str]:
    """The codes that name no council-scored leaf criterion of any tier."""
    council = council_criteria(campaign)
    return [code for code in codes if code not in council]


def original_name(path: Path) -> str:
    """The source's name as kept in the copy's name: NFC, without characters Windows refuses in a file name."""
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f\x7f]', "-", clean(path.name))
    stem, dot, suffix = name.rpartition(".")
    return (stem[:100] + dot + suffix) if dot else name[:100]


def import_table(campaign: Campaign, path: Path, codes: Sequence[str] = ()) -> ImportOutcome:
    """Judge the table at ``path`` for the council criteria ``codes`` (empty: one column per criterion code) and,
    when it has no error, keep its copy for each criterion in ``imports/``."""
    original = original_name(path)
    try:
        table = read_table(path)
    except TableUnreadable as exc:
        return ImportOutcome((), (findings.make("import-unreadable", file=original, detail=str(exc)),), tuple(codes))
    judged = judge_table(campaign, table, codes, file=original, origin=original, missing=True)
    outcome = ImportOutcome(judged.values, judged.findings, judged.criteria)
    if not outcome.valid or not judged.criteria:
        return outcome
    folder = campaign.folder / IMPORTS
    earlier = kept_copies(campaign)
    with Staging(inputs=Inputs.of([path])) as staging:
        for code in judged.criteria:
            target = folder / copy_name(code, original)
            for old_code, _, old in earlier:
                if old_code == code and old != target:
                    staging.remove(old)
            staging.write(target, lambda tmp: tmp.write_bytes(table.content))
        written = tuple(staging.commit())
    return ImportOutcome(judged.values, judged.findings, judged.criteria, written)
