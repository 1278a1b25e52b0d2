"""What a unit's outputs say about the criteria the council scores (``source = "council"``): where each value
came from ("appraisal.xlsx", an imported table's name) and, in a draft, the ones still missing (left out of
the unit's total and maximum). Pure; empty for a tier without council criteria."""

from __future__ import annotations

from egov_xlsx.model import UnitResult
from egov_xlsx.vietnamese import format_number, join


def council_notes(ur: UnitResult) -> list[str]:
    """One sentence per origin of the unit's council values, then one for the missing ones."""
    by_origin: dict[str, list[str]] = {}
    for code, origin in ur.sources.items():
        by_origin.setdefault(origin, []).append(code)
    notes = [f"Điểm tiêu chí {join(codes)} do Hội đồng chấm, theo {origin}." for origin, codes in by_origin.items()]
    if ur.council_missing:
        notes.append(
            f"Chưa có điểm tiêu chí {join(sorted(ur.council_missing))} do Hội đồng chấm: bản dự thảo chưa tính "
            f"vào tổng điểm và điểm tối đa của đơn vị ({format_number(ur.max)} điểm)."
        )
    return notes
