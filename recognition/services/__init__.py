"""Every write of the recognition app, one module per concept (keys, templates, jobs, ...)."""
