"""/api/v1/ routes of this app (included by portal.api.urls)."""

urlpatterns: list = []
