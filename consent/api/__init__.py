"""REST API of the consent app (routes in consent.api_urls)."""
