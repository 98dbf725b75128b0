"""/api/v1/ views of the recognition app."""
