"""Every write of the requests workflow. Panel, API, self-service pages and tasks call these."""
