"""egov-xlsx: collect, check, score and rank the yearly e-government self-assessment forms of a province.

Use it as a library::

    import egov_xlsx
    campaign = egov_xlsx.load_campaign("samples/hung-yen-2018")
    report = egov_xlsx.check(campaign)

Everything in ``__all__`` is the public surface (the README's "Using it as a library" lists it). The command
line (``egov-xlsx``) is a thin layer over these functions; importing this package loads neither typer nor rich,
and the stages and writers load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from egov_xlsx._version import __version__
from egov_xlsx.config import load_campaign
from egov_xlsx.errors import CampaignNotFound, ConfigError, ConfigProblem, EgovError, OutputError
from egov_xlsx.model import Campaign, CheckReport, Finding, Results, Severity

if TYPE_CHECKING:
    from egov_xlsx.atomic import FolderBusy
    from egov_xlsx.pipeline import build, check, make_appraisal, make_appraisals, make_forms, score, write_feedback
    from egov_xlsx.publish.announce import TemplateProblem
    from egov_xlsx.publish.appraisal import AppraisalExists, AppraisalWritten
    from egov_xlsx.publish.imports import ImportOutcome, import_table
    from egov_xlsx.publish.outputs import BuildOutcome
    from egov_xlsx.publish.serialize import check_dict, results_dict
    from egov_xlsx.read.gate import InboxError
    from egov_xlsx.rules.previous import PreviousResultsError, PreviousYear, load_previous

#: Public name -> the module that defines it, imported on first use (`egov-xlsx --help` reads no spreadsheet code).
_LAZY = {
    "build": "egov_xlsx.pipeline",
    "check": "egov_xlsx.pipeline",
    "make_appraisal": "egov_xlsx.pipeline",
    "make_appraisals": "egov_xlsx.pipeline",
    "make_forms": "egov_xlsx.pipeline",
    "score": "egov_xlsx.pipeline",
    "write_feedback": "egov_xlsx.pipeline",
    "BuildOutcome": "egov_xlsx.publish.outputs",
    "AppraisalWritten": "egov_xlsx.publish.appraisal",
    "check_dict": "egov_xlsx.publish.serialize",
    "results_dict": "egov_xlsx.publish.serialize",
    "load_previous": "egov_xlsx.rules.previous",
    "PreviousYear": "egov_xlsx.rules.previous",
    "AppraisalExists": "egov_xlsx.publish.appraisal",
    "FolderBusy": "egov_xlsx.atomic",
    "InboxError": "egov_xlsx.read.gate",
    "PreviousResultsError": "egov_xlsx.rules.previous",
    "TemplateProblem": "egov_xlsx.publish.announce",
    "import_table": "egov_xlsx.publish.imports",
    "ImportOutcome": "egov_xlsx.publish.imports",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'egov_xlsx' has no attribute {name!r}")


__all__ = [
    "AppraisalExists",
    "AppraisalWritten",
    "BuildOutcome",
    "Campaign",
    "CampaignNotFound",
    "CheckReport",
    "ConfigError",
    "ConfigProblem",
    "EgovError",
    "Finding",
    "FolderBusy",
    "ImportOutcome",
    "InboxError",
    "OutputError",
    "PreviousResultsError",
    "PreviousYear",
    "Results",
    "Severity",
    "TemplateProblem",
    "__version__",
    "build",
    "check",
    "check_dict",
    "import_table",
    "load_campaign",
    "load_previous",
    "make_appraisal",
    "make_appraisals",
    "make_forms",
    "results_dict",
    "score",
    "write_feedback",
]
