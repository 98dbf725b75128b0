"""Panel pages for governance, mounted under /o/<org_slug>/ by portal.panel.urls."""

urlpatterns: list = []
