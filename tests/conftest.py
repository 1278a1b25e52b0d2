"""Shared fixtures: the sample campaign and small campaigns made in code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from egov_xlsx.config import load_campaign
from egov_xlsx.model import Campaign

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "hung-yen-2018"


@pytest.fixture(scope="session")
def sample_campaign() -> Campaign:
    """The Hưng Yên 2018 sample campaign's config (read-only)."""
    return load_campaign(SAMPLE)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample campaign folder (config and inbox)."""
    target = tmp_path / "hung-yen-2018"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("forms", "output"))
    return target
