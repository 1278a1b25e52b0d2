"""Print pip constraints that pin every runtime dependency to the lower bound pyproject.toml declares.

CI installs the project with these constraints into a second environment and runs the test suite there,
so that a declared minimum is one the tool really works with.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
for requirement in pyproject["project"]["dependencies"]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*", requirement)
    if match is None:
        sys.exit(f"minimums: '{requirement}' has no plain '>=' lower bound")
    print(f"{match.group(1)}=={match.group(2)}")
