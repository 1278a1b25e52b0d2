"""egov_xlsx.rules."""
