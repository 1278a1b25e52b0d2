"""``python -m egov_xlsx``: the same as the ``egov-xlsx`` command."""

from egov_xlsx.cli.commands import main

main()
