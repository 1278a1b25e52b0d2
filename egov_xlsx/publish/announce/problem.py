"""The error of a template that cannot be rendered, and the shipped templates' names."""

from __future__ import annotations

from pathlib import Path

from egov_xlsx.errors import ConfigError, ConfigProblem

TEMPLATE_NAMES = {"txt": "thong-bao.txt.j2", "md": "thong-bao.md.j2"}


class TemplateProblem(ConfigError):
    """A template cannot be rendered (syntax error, undefined variable, bad value, over its budget, a symlink).

    A campaign's templates are part of its configuration: a :class:`~egov_xlsx.errors.ConfigError` (exit 3),
    naming the template file and, where there is one, the line.
    """

    def __init__(self, template: str, line: int | None, reason: str) -> None:
        super().__init__(Path(template), [ConfigProblem(f"dòng {line}" if line else "", reason)])
        self.template = template
        self.line = line
        self.reason = reason
        where = f"{template}, dòng {line}" if line else template
        self.args = (f"Lỗi trong mẫu văn bản {where}: {reason}",)
