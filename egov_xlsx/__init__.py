"""egov-xlsx: collect, check, score and rank the yearly e-government self-assessment forms of a province.

Use it as a library::

    import egov_xlsx
    campaign = egov_xlsx.load_campaign("samples/hung-yen-2018")

The command line (``egov-xlsx``) is a thin layer over these functions; importing this package loads
neither typer nor rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from egov_xlsx.config import load_campaign
from egov_xlsx.errors import CampaignNotFound, ConfigError, EgovError, OutputError
from egov_xlsx.model import Campaign, CheckReport, Finding, Results, Severity

if TYPE_CHECKING:
    from egov_xlsx.pipeline import build, check, make_appraisal, make_forms, score

__version__ = "0.1.0"

_PIPELINE = ("build", "check", "make_appraisal", "make_forms", "score")


def __getattr__(name: str) -> Any:
    # The stages load on first use, so `egov-xlsx --help` does not import the readers and writers.
    if name in _PIPELINE:
        from egov_xlsx import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'egov_xlsx' has no attribute {name!r}")


__all__ = [
    "Campaign",
    "CampaignNotFound",
    "CheckReport",
    "ConfigError",
    "EgovError",
    "Finding",
    "OutputError",
    "Results",
    "Severity",
    "__version__",
    "build",
    "check",
    "load_campaign",
    "make_appraisal",
    "make_forms",
    "score",
]
