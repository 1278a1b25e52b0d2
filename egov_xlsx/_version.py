"""The version of egov-xlsx: written here only (``pyproject.toml`` reads it, the package re-exports it)."""

__version__ = "0.1.0"
