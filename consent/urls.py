"""Pages of this app (included by portal.urls)."""

urlpatterns: list = []
