"""Frozen dataclasses shared by every stage: the campaign, what was read, what was found, what was scored.

Modules: ``campaign``, ``rule`` (a criterion's points rule and the facts it takes), ``reading`` (and findings), ``results``, ``check``; every name is importable from
``egov_xlsx.model`` itself.

Scores are :class:`~decimal.Decimal` throughout; nothing here compares or adds floats.

"""

from __future__ import annotations

from egov_xlsx.model.campaign import (
    HUNDRED,
    ZERO,
    Adjustment,
    Appraiser,
    Band,
    Campaign,
    Criterion,
    Severity,
    Tier,
    Unit,
)
from egov_xlsx.model.check import CheckReport, UnitState, UnitStatus
from egov_xlsx.model.group import Group
from egov_xlsx.model.publication import Display, DocumentInfo
from egov_xlsx.model.reading import (
    Appraisal,
    CellValue,
    CouncilValue,
    Finding,
    FormRow,
    Reading,
    SourceFile,
    Submission,
)
from egov_xlsx.model.results import (
    BandCount,
    CriterionFacts,
    PreviousStanding,
    Results,
    ScoreGroup,
    TierResult,
    UnitResult,
)
from egov_xlsx.model.rule import Facts, Level, Rule, Step

__all__ = [
    "HUNDRED",
    "ZERO",
    "Adjustment",
    "Appraisal",
    "Appraiser",
    "Band",
    "BandCount",
    "Campaign",
    "CellValue",
    "CheckReport",
    "CouncilValue",
    "Criterion",
    "CriterionFacts",
    "Display",
    "DocumentInfo",
    "Facts",
    "Finding",
    "FormRow",
    "Group",
    "Level",
    "PreviousStanding",
    "Reading",
    "Results",
    "Rule",
    "ScoreGroup",
    "Severity",
    "SourceFile",
    "Step",
    "Submission",
    "Tier",
    "TierResult",
    "Unit",
    "UnitResult",
    "UnitState",
    "UnitStatus",
]
