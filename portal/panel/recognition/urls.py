"""Panel pages for recognition, mounted under /o/<org_slug>/ by portal.panel.urls."""

urlpatterns: list = []
