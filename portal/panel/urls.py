"""The staff panel: /o/<org_slug>/... Each area's module contributes its pages here."""

from django.urls import include, path

from portal.panel import audit, compreface_keys, entrustment, organization, termination

app_name = "panel"

urlpatterns = [
    path("", organization.home, name="home"),
    path("o/<slug:org_slug>/", organization.dashboard, name="dashboard"),
    path("o/<slug:org_slug>/settings/", organization.organization_settings, name="settings"),
    path("o/<slug:org_slug>/members/", organization.members, name="members"),
    path("o/<slug:org_slug>/members/<int:pk>/role/", organization.member_role, name="member_role"),
    path(
        "o/<slug:org_slug>/members/<int:pk>/remove/",
        organization.member_remove,
        name="member_remove",
    ),
    path(
        "o/<slug:org_slug>/invitations/<int:pk>/revoke/",
        organization.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("o/<slug:org_slug>/api-keys/", organization.api_keys, name="api_keys"),
    path(
        "o/<slug:org_slug>/api-keys/compreface/",
        compreface_keys.compreface_keys,
        name="compreface_keys",
    ),
    path(
        "o/<slug:org_slug>/api-keys/<int:pk>/revoke/",
        organization.api_key_revoke_view,
        name="api_key_revoke",
    ),
    path("o/<slug:org_slug>/entrustment/", entrustment.entrustment, name="entrustment"),
    path(
        "o/<slug:org_slug>/entrustment/document/",
        entrustment.entrustment_document,
        name="entrustment_document",
    ),
    path("o/<slug:org_slug>/entrustment/end/", termination.termination, name="termination"),
    path(
        "o/<slug:org_slug>/entrustment/end/report.json",
        termination.termination_report,
        name="termination_report",
    ),
    path(
        "o/<slug:org_slug>/entrustment/end/package/",
        termination.termination_package,
        name="termination_package",
    ),
    path("o/<slug:org_slug>/audit/", audit.audit_log, name="audit"),
    path("o/<slug:org_slug>/audit/export.csv", audit.audit_export, name="audit_export"),
    path("o/<slug:org_slug>/audit/verify/", audit.audit_verify_view, name="audit_verify"),
    path(
        "o/<slug:org_slug>/audit/checkpoint/", audit.audit_checkpoint_view, name="audit_checkpoint"
    ),
    path(
        "o/<slug:org_slug>/audit/verifier.key",
        audit.audit_verifier_key_view,
        name="audit_verifier_key",
    ),
    path(
        "o/<slug:org_slug>/audit/export.json",
        audit.audit_verifiable_export,
        name="audit_verifiable_export",
    ),
    path("o/<slug:org_slug>/", include("portal.panel.governance.urls")),
    path("o/<slug:org_slug>/", include("portal.panel.consent.urls")),
    path("o/<slug:org_slug>/", include("portal.panel.recognition.urls")),
    path("o/<slug:org_slug>/", include("portal.panel.dsr.urls")),
]
