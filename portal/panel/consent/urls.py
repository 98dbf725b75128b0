"""Panel pages for consent, mounted under /o/<org_slug>/ by portal.panel.urls."""

from django.urls import path

from portal.panel.consent import pages

urlpatterns = [
    path("subjects/", pages.subjects, name="subjects"),
    path("subjects/<uuid:pseudonym>/", pages.subject_detail, name="subject_detail"),
    path("subjects/<uuid:pseudonym>/consent/", pages.consent_record, name="consent_record"),
    path("consents/", pages.consents, name="consents"),
    path(
        "consents/<uuid:public_id>/withdraw/",
        pages.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("consent/minor-rules/", pages.minor_rules, name="minor_rules"),
]
