"""Shared fixtures: the sample campaign and small campaigns made in code."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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


_OFFICE_TOOLS = (
    "soffice", "LibreOffice", "libreoffice", "pdftotext", "pdftoppm", "pdfinfo", "poppler", "chromium", "chromedriver",
    "selenium",
)  # fmt: skip


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI=true a test skipped for want of LibreOffice or poppler fails: CI installs them."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI", "").lower() != "true" or not report.skipped or call.excinfo is None:
        return
    reason = str(call.excinfo.value)
    if any(tool in reason for tool in _OFFICE_TOOLS):
        report.outcome = "failed"
        report.longrepr = f"CI=true, but this test was skipped: {reason}. .ci/run must install it."
