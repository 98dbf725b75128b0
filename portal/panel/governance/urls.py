"""Panel pages for governance, mounted under /o/<org_slug>/ by portal.panel.urls."""

from django.urls import path, re_path

from portal.panel.governance import (
    assessments,
    complaints,
    compliance,
    deployments,
    filing_documents,
    filings,
    incidents,
    notices,
    purposes,
    transfers,
)

d, p, n, a, i, f, c = deployments, purposes, notices, assessments, incidents, filings, compliance

urlpatterns = [
    path("deployments/", d.deployment_list, name="gov_deployments"),
    path("deployments/new/", d.deployment_create_view, name="gov_deployment_create"),
    path("deployments/<int:pk>/", d.deployment_detail, name="gov_deployment_detail"),
    path("deployments/<int:pk>/edit/", d.deployment_edit, name="gov_deployment_edit"),
    path("deployments/<int:pk>/signage/", d.deployment_signage, name="gov_deployment_signage"),
    path("deployments/<int:pk>/devices/", d.deployment_device_add, name="gov_device_add"),
    path(
        "deployments/<int:pk>/devices/<int:device_pk>/remove/",
        d.deployment_device_remove,
        name="gov_device_remove",
    ),
    path("deployments/<int:pk>/purposes/", d.deployment_purpose_attach, name="gov_purpose_attach"),
    path(
        "deployments/<int:pk>/purposes/<int:purpose_pk>/detach/",
        d.deployment_purpose_detach,
        name="gov_purpose_detach",
    ),
    path("deployments/<int:pk>/grants/", d.deployment_grant, name="gov_grant_add"),
    path(
        "deployments/<int:pk>/grants/<int:user_pk>/revoke/",
        d.deployment_revoke,
        name="gov_grant_revoke",
    ),
    re_path(
        r"^deployments/(?P<pk>\d+)/(?P<transition>activate|suspend|retire)/$",
        d.deployment_transition,
        name="gov_deployment_transition",
    ),
    path("recipients/", transfers.recipient_list, name="gov_recipient_list"),
    path(
        "recipients/<int:pk>/contract/",
        transfers.recipient_contract_download,
        name="gov_recipient_contract",
    ),
    path(
        "recipients/<int:pk>/transfer-basis/",
        transfers.transfer_basis_add,
        {"what": "recipient"},
        name="gov_recipient_transfer_basis",
    ),
    path(
        "deployments/<int:pk>/transfer-basis/",
        transfers.transfer_basis_add,
        {"what": "deployment"},
        name="gov_deployment_transfer_basis",
    ),
    path(
        "transfer-bases/<int:pk>/document/",
        transfers.transfer_basis_download,
        name="gov_transfer_basis_download",
    ),
    path("purposes/", p.purpose_list, name="gov_purposes"),
    path("purposes/new/", p.purpose_create_view, name="gov_purpose_create"),
    path("purposes/<int:pk>/", p.purpose_detail, name="gov_purpose_detail"),
    path("purposes/<int:pk>/edit/", p.purpose_edit, name="gov_purpose_edit"),
    path("notices/", n.notice_list, name="gov_notices"),
    path("notices/new/", n.notice_create_view, name="gov_notice_create"),
    path("notices/<int:pk>/", n.notice_detail, name="gov_notice_detail"),
    path("notices/<int:pk>/publish/", n.notice_publish_view, name="gov_notice_publish"),
    path("assessments/", a.assessment_list, name="gov_assessments"),
    path("assessments/new/", a.assessment_create_view, name="gov_assessment_create"),
    path("assessments/<int:pk>/", a.assessment_detail, name="gov_assessment_detail"),
    path("assessments/<int:pk>/sign-off/", a.assessment_sign_off_view, name="gov_assessment_sign"),
    path(
        "assessments/<int:pk>/reassess/",
        a.assessment_reassess_view,
        name="gov_assessment_reassess",
    ),
    path(
        "assessments/<int:pk>/attachments/",
        a.assessment_attachment_add,
        name="gov_attachment_add",
    ),
    path(
        "assessments/<int:pk>/attachments/<int:attachment_pk>/",
        a.assessment_attachment_download,
        name="gov_attachment_download",
    ),
    path("incidents/", i.incident_list, name="gov_incidents"),
    path("incidents/<int:pk>/", i.incident_detail, name="gov_incident_detail"),
    path("incidents/<int:pk>/<slug:what>/", i.incident_action, name="gov_incident_action"),
    path("filings/", f.filing_list, name="gov_filings"),
    path("filings/evaluate/", f.filing_evaluate_view, name="gov_filing_evaluate"),
    path("filings/pack.zip", f.filing_pack_download, name="gov_filing_pack"),
    path("filings/<int:pk>/pack.zip", f.filing_pack_download, name="gov_filing_pack_for"),
    path(
        "filings/<int:pk>/documents/",
        filing_documents.filing_documents,
        name="gov_filing_documents",
    ),
    path(
        "filings/<int:pk>/documents/<int:document_pk>/",
        filing_documents.filing_document_download,
        name="gov_filing_document_download",
    ),
    path("filings/<int:pk>/<slug:what>/", f.filing_action, name="gov_filing_action"),
    path("complaints/", complaints.complaint_list, name="gov_complaints"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="gov_complaint_detail"),
    path("compliance/", c.compliance, name="gov_compliance"),
    path(
        "compliance/export.csv", c.compliance_download, {"kind": "csv"}, name="gov_compliance_csv"
    ),
    path(
        "compliance/export.pdf", c.compliance_download, {"kind": "pdf"}, name="gov_compliance_pdf"
    ),
]
