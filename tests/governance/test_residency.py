"""Residency and transfers out of the PRC (R26), the recipient register (R25): declared,
stored with their documents, refused without them, and shown in the compliance view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from governance.compliance import organization_compliance
from governance.models import Recipient, TransferBasis
from governance.residency import TransferRefused, deployment_transfer_allowed
from governance.rulebook import State
from governance.services import deployment_create
from governance.services.transfers import recipient_add, transfer_basis_record
from tenants.errors import ApplicationError, RuleViolation
from tests.factories import DeploymentFactory, RecipientFactory, TransferBasisFactory
from tests.governance.conftest import make_ready

pytestmark = pytest.mark.django_db


def _pdf(name="basis.pdf", body=b"%PDF-1.4 basis"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _row(org, rule):
    rows = {row.rule.id: row for row in organization_compliance(organization=org)["rules"]}
    return rows[rule].result


def _abroad(org, **fields):
    return DeploymentFactory(
        organization=org, name="Gate HK", storage_location="HK", processing_location="HK", **fields
    )


def test_r26_a_new_site_stores_and_processes_where_it_collects(world, actor):
    cn = deployment_create(
        organization=world.org,
        actor=actor,
        name="Shanghai gate",
        address="1 Road",
        province="Shanghai",
        place_type="workplace",
    )
    eu = deployment_create(
        organization=world.org,
        actor=actor,
        name="Paris gate",
        address="1 Rue",
        province="Paris",
        place_type="workplace",
        jurisdiction="EU",
    )
    assert (cn.storage_location, cn.processing_location) == ("CN", "CN")
    assert (eu.storage_location, eu.processing_location) == ("EU", "EU")
    assert not cn.transfers_abroad and not eu.transfers_abroad


def test_r26_compliance_row_not_applicable_when_everything_stays_in_the_prc(world):
    make_ready(world.org)
    RecipientFactory(organization=world.org, location="CN")
    result = _row(world.org, "R26")
    assert result.state == State.NOT_APPLICABLE
    assert "stored and processed in the PRC" in result.message


def test_r26_compliance_row_unmet_with_fix_until_the_transfer_basis_is_recorded(world, actor):
    site = _abroad(world.org)
    unmet = _row(world.org, "R26")
    assert unmet.state == State.UNMET
    assert site.name in unmet.message and "legal basis" in unmet.message
    assert unmet.fix_url == reverse("panel:gov_deployment_detail", args=["acme", site.pk])

    transfer_basis_record(
        organization=world.org,
        actor=actor,
        deployment=site,
        mechanism="security_assessment",
        reference="CAC-SA-2026-17",
        document=_pdf(),
    )
    met = _row(world.org, "R26")
    assert met.state == State.MET and "CAC-SA-2026-17" in met.message


def test_r26_a_lapsed_basis_no_longer_counts(world):
    site = _abroad(world.org)
    TransferBasisFactory(deployment=site, valid_until="2020-01-01")
    assert _row(world.org, "R26").state == State.UNMET


def test_r26_recipient_abroad_without_basis_is_unmet(world):
    RecipientFactory(organization=world.org, name="Overseas Analytics", location="SG")
    result = _row(world.org, "R26")
    assert result.state == State.UNMET and "Overseas Analytics" in result.message


def test_r26_enrollment_gate_refuses_a_site_abroad_without_basis(world):
    site = _abroad(world.org)
    with pytest.raises(TransferRefused, match="R26") as refused:
        deployment_transfer_allowed(deployment=site)
    assert refused.value.status == 422
    assert refused.value.details[0]["rule"] == "R26"
    TransferBasisFactory(deployment=site)
    deployment_transfer_allowed(deployment=site)


def test_r26_basis_needs_a_transfer_a_mechanism_a_reference_and_a_document(world, actor):
    home = DeploymentFactory(organization=world.org)
    with pytest.raises(ApplicationError, match="stays in the PRC"):
        transfer_basis_record(
            organization=world.org,
            actor=actor,
            deployment=home,
            mechanism="standard_contract",
            reference="SC-1",
            document=_pdf(),
        )
    site = _abroad(world.org)
    for kwargs, code in (
        ({"mechanism": "handshake", "reference": "x", "document": _pdf()}, "invalid_mechanism"),
        (
            {"mechanism": "certification", "reference": " ", "document": _pdf()},
            "reference_required",
        ),
        ({"mechanism": "certification", "reference": "C-1", "document": None}, "document_required"),
    ):
        with pytest.raises(ApplicationError) as refused:
            transfer_basis_record(organization=world.org, actor=actor, deployment=site, **kwargs)
        assert refused.value.code == code
    assert not TransferBasis.objects.exists()


def test_r26_transfer_basis_api_stores_the_document_and_serves_it_audited(world, api_as):
    site = _abroad(world.org)
    api = api_as(world.owner, "acme")
    created = api.post(
        "/api/v1/transfer-bases/",
        {
            "deployment": site.pk,
            "mechanism": "standard_contract",
            "reference": "SC-2026-0042",
            "document": _pdf("sc.pdf", b"%PDF-1.4 standard contract"),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["mechanism"] == "standard_contract" and len(body["document_sha256"]) == 64
    served = api.get(f"/api/v1/transfer-bases/{body['id']}/download/")
    assert b"".join(served.streaming_content) == b"%PDF-1.4 standard contract"
    assert AuditEvent.objects.filter(action="transfer_basis.downloaded").exists()
    deployment = api.get(f"/api/v1/deployments/{site.pk}/").json()
    assert deployment["storage_location"] == "HK" and deployment["transfers_abroad"] is True


def test_r26_deployment_api_declares_where_data_is_stored_and_processed(world, api_as):
    api = api_as(world.owner, "acme")
    created = api.post(
        "/api/v1/deployments/",
        {
            "name": "Shenzhen gate",
            "address": "1 Road",
            "province": "Guangdong",
            "place_type": "workplace",
            "storage_location": "CN",
            "processing_location": "SG",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["processing_location"] == "SG"
    assert created.json()["transfers_abroad"] is True
    refused = api.post(
        "/api/v1/deployments/",
        {
            "name": "x",
            "address": "1",
            "province": "p",
            "place_type": "workplace",
            "storage_location": "Mars",
        },
        format="json",
    )
    assert refused.status_code == 400 and set(refused.json()) >= {"code", "message", "details"}


def test_r26_r25_other_organizations_bases_and_recipients_are_not_found(world, api_as):
    theirs = _abroad(world.outsider_org)
    basis = TransferBasisFactory(deployment=theirs)
    recipient = RecipientFactory(organization=world.outsider_org)
    api = api_as(world.owner, "acme")
    assert api.get(f"/api/v1/transfer-bases/{basis.pk}/").status_code == 404
    assert api.get(f"/api/v1/transfer-bases/{basis.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/recipients/{recipient.pk}/contract/").status_code == 404
    assert api.get("/api/v1/recipients/").json()["results"] == []
    refused = api.post(
        "/api/v1/transfer-bases/",
        {
            "deployment": theirs.pk,
            "mechanism": "certification",
            "reference": "C",
            "document": _pdf(),
        },
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_reference"


def test_r25_recipient_without_purpose_location_or_contract_is_refused(world, actor):
    with pytest.raises(RuleViolation, match="R25") as refused:
        recipient_add(
            organization=world.org,
            actor=actor,
            name="Gate Vendor Ltd",
            contact="dpo@vendor.example",
            method="API",
            data_types="Match events",
        )
    missing = refused.value.details[0]["missing"]
    assert "purpose of the provision" in missing and "location" in missing
    assert "contract document" in missing
    assert not Recipient.objects.exists()


def test_r25_recipient_register_api_stores_the_contract(world, api_as):
    api = api_as(world.owner, "acme")
    created = api.post(
        "/api/v1/recipients/",
        {
            "name": "Gate Vendor Ltd",
            "contact": "dpo@vendor.example",
            "purpose": "Maintaining the gates",
            "method": "Encrypted API",
            "data_types": "Match events",
            "location": "CN",
            "contract": _pdf("contract.pdf", b"%PDF-1.4 signed contract"),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["has_contract"] is True
    assert [c["rule"] for c in created.json()["checks"]] == ["R25", "R26"]
    served = api.get(f"/api/v1/recipients/{created.json()['id']}/contract/")
    assert b"".join(served.streaming_content) == b"%PDF-1.4 signed contract"
    refused = api.post(
        "/api/v1/recipients/", {"name": "No Contract Co", "location": "CN"}, format="multipart"
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "recipient_incomplete"
    assert refused.json()["details"][0]["rule"] == "R25"
    auditor = api_as(world.auditor, "acme")
    assert auditor.post("/api/v1/recipients/", {"name": "x"}, format="multipart").status_code == 403


def test_r25_compliance_row_met_without_recipients_unmet_for_one_lacking_its_contract(world):
    assert _row(world.org, "R25").state == State.MET
    RecipientFactory(organization=world.org, name="Legacy Co", contract="")
    unmet = _row(world.org, "R25")
    assert unmet.state == State.UNMET and "Legacy Co" in unmet.message
    assert unmet.fix_url == reverse("panel:gov_recipient_list", args=["acme"])


def test_r25_r26_panel_registers_a_recipient_and_records_its_transfer_basis(world, panel_as):
    dpo = panel_as(world.dpo)
    url = reverse("panel:gov_recipient_list", args=["acme"])
    response = dpo.post(
        url,
        {
            "name": "Overseas Analytics",
            "contact": "privacy@overseas.example",
            "purpose": "Footfall statistics",
            "method": "Monthly export",
            "data_types": "Aggregates",
            "location": "SG",
            "contract": _pdf("contract.pdf"),
        },
    )
    assert response.status_code == 302
    recipient = Recipient.objects.get()
    page = dpo.get(url).content.decode()
    assert "Overseas Analytics" in page and "Singapore" in page
    assert reverse("panel:gov_recipient_contract", args=["acme", recipient.pk]) in page
    add = reverse("panel:gov_recipient_transfer_basis", args=["acme", recipient.pk])
    assert add in page
    dpo.post(
        add,
        {"t-mechanism": "certification", "t-reference": "PIPC-2026-9", "t-document": _pdf()},
    )
    assert TransferBasis.objects.get(recipient=recipient).reference == "PIPC-2026-9"
    refused = dpo.post(url, {"name": "Half Co", "location": "CN"})
    assert refused.status_code == 200 and "Half Co" not in Recipient.objects.values_list(
        "name", flat=True
    )


def test_r26_panel_deployment_form_and_page_show_the_locations(world, panel_as):
    site = _abroad(world.org)
    owner = panel_as(world.owner)
    form = owner.get(reverse("panel:gov_deployment_edit", args=["acme", site.pk])).content.decode()
    assert 'name="storage_location"' in form and 'name="processing_location"' in form
    page = owner.get(reverse("panel:gov_deployment_detail", args=["acme", site.pk])).content
    page = page.decode()
    assert 'id="residency"' in page and "Hong Kong SAR" in page
    assert reverse("panel:gov_deployment_transfer_basis", args=["acme", site.pk]) in page
