"""The version of egov-xlsx: written here only (``pyproject.toml`` reads it, the package re-exports it).

Beside it, the program's name: the command as typed, and how the tool signs what it writes.
"""

__version__ = "0.1.0"
#: The program's name: the command, and the author or generator of the files it writes.
PROGRAM = "egov-xlsx"
