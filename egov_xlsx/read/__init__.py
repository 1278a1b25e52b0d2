"""egov_xlsx.read."""
