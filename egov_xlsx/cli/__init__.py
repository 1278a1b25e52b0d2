"""egov_xlsx.cli."""
