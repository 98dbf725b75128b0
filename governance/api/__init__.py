"""REST API of governance: deployments, purposes, notices, assessments, incidents, filings."""
