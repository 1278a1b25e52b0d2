"""Headless Chromium driven through selenium, for the tests of the results page (nothing downloaded).

Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); selenium is pointed at
``/usr/bin/chromedriver`` so that its driver manager never fetches one. As root Chromium needs ``--no-sandbox``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def _executable(*names: str) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


@contextmanager
def chromium(*, javascript: bool = True, width: int = 1200, height: int = 1600) -> Iterator[Any]:
    """A headless Chromium session (a selenium WebDriver); skips when chromium or chromedriver is missing."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the test extra)")
    from selenium.webdriver.chrome.service import Service

    browser = _executable("chromium", "chromium-browser", "google-chrome")
    driver_path = _executable("chromedriver")
    if browser is None or driver_path is None:
        pytest.skip("chromium and chromedriver are not installed (Debian: chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(arg)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
