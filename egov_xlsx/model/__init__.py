"""Frozen dataclasses shared by every stage: the campaign, what was read, what was found, what was scored.

Modules: ``campaign``, ``reading`` (and findings), ``results``, ``check``; every name is importable from
``egov_xlsx.model`` itself.

Scores are :class:`~decimal.Decimal` throughout; nothing here compares or adds floats.

"""

from __future__ import annotations

from egov_xlsx.model.campaign import (
    HUNDRED,
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
from egov_xlsx.model.check import CheckReport, UnitState, UnitStatus
from egov_xlsx.model.reading import Appraisal, CellValue, Finding, FormRow, Reading, SourceFile, Submission
from egov_xlsx.model.results import (
    BandCount,
    CriterionFacts,
    PreviousStanding,
    Results,
    ScoreGroup,
    TierResult,
    UnitResult,
)

__all__ = [
    "HUNDRED",
    "ZERO",
    "Adjustment",
    "Appraisal",
    "Band",
    "BandCount",
    "Campaign",
    "CellValue",
    "CheckReport",
    "Criterion",
    "CriterionFacts",
    "Display",
    "DocumentInfo",
    "Finding",
    "FormRow",
    "PreviousStanding",
    "Reading",
    "Results",
    "ScoreGroup",
    "Severity",
    "SourceFile",
    "Submission",
    "Tier",
    "TierResult",
    "Unit",
    "UnitResult",
    "UnitState",
    "UnitStatus",
]
