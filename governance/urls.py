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
    path(
        "complaint/<slug:org_slug>/d/<int:deployment_id>/",
        views.complaint,
        name="complaint",
    ),
]
