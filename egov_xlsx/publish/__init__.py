"""egov_xlsx.publish."""
