"""Pages of this app (included by portal.urls at the site root)."""

from django.urls import path

from consent.views import public, self_service

app_name = "consent"

urlpatterns = [
    path(".well-known/consent-keys.json", public.consent_keys, name="keys"),
    path("receipts/verify/", public.verify_page, name="receipt_verify"),
    path(
        "notice/<slug:org_slug>/d/<int:deployment_id>/",
        public.deployment_notices,
        name="deployment",
    ),
    path(
        "notice/<slug:org_slug>/d/<int:deployment_id>/qr.svg",
        public.deployment_qr,
        name="deployment_qr",
    ),
    path("notice/<slug:org_slug>/p/<int:purpose_id>/", public.notice, name="notice"),
    path("me/", self_service.me, name="me"),
    path("me/code/", self_service.me_code, name="me_code"),
    path("me/link/<str:token>/", self_service.me_link, name="me_link"),
    path("me/receipt/", self_service.me_receipt, name="me_receipt"),
    path("me/choose/", self_service.me_choose, name="me_choose"),
    path("me/sign-out/", self_service.me_sign_out, name="me_sign_out"),
    path("me/consents/", self_service.me_consents, name="me_consents"),
    path("me/consents/<uuid:public_id>/withdraw/", self_service.me_withdraw, name="me_withdraw"),
    path(
        "me/receipts/<uuid:receipt_id>.json", self_service.me_receipt_json, name="me_receipt_json"
    ),
    path("me/receipts/<uuid:receipt_id>/", self_service.me_receipt_print, name="me_receipt_print"),
]
