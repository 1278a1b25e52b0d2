"""egov-xlsx: collect, check, score and rank the yearly e-government self-assessment forms of a province.

Use it as a library::

    import egov_xlsx
    campaign = egov_xlsx.load_campaign("samples/hung-yen-2018")

The command line (``egov-xlsx``) is a thin layer over these functions; importing this package loads
neither typer nor rich.
"""

from __future__ import annotations

from egov_xlsx.config import load_campaign
from egov_xlsx.errors import CampaignNotFound, ConfigError, EgovError, OutputError
from egov_xlsx.model import Campaign, Finding, Results, Severity

__version__ = "0.1.0"

__all__ = [
    "Campaign",
    "CampaignNotFound",
    "ConfigError",
    "EgovError",
    "Finding",
    "OutputError",
    "Results",
    "Severity",
    "__version__",
    "load_campaign",
]
