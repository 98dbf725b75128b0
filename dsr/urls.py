"""The person's own pages about their requests (beside consent's /me/ pages, which link to
``dsr:me_requests`` by name through settings.SELF_SERVICE_PAGES)."""

from django.urls import path

from dsr import transfer_views, views

app_name = "dsr"

urlpatterns = [
    path("me/requests/", views.me_requests, name="me_requests"),
    path("me/portability/", views.me_portability, name="me_portability"),
    path("me/portability/transfer/", transfer_views.me_transfer, name="me_transfer"),
    # The receiver's single-use link (R46): no sign-in, the signed token is the credential.
    path(
        "portability/transfers/<str:token>/",
        transfer_views.transfer_fetch,
        name="transfer_fetch",
    ),
    path("me/requests/<int:pk>/", views.me_request, name="me_request"),
    path("me/requests/<int:pk>/new-link/", views.me_new_link, name="me_new_link"),
    path("me/requests/<int:pk>/package/<str:token>/", views.me_package, name="me_package"),
    path(
        "me/requests/<int:pk>/package/<str:token>/json/",
        views.me_package_json,
        name="me_package_json",
    ),
]
