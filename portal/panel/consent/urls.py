"""Panel pages for consent, mounted under /o/<org_slug>/ by portal.panel.urls."""

urlpatterns: list = []
