"""Pages of this app (included by portal.urls)."""

from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path(
        "policy/<slug:org_slug>/retention/",
        views.retention_policy,
        name="retention_policy",
    ),
]
