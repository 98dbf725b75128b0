"""The sealed scans of a filing (R38): stored typed, listed, served audited, in the pack."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from governance.compliance import organization_compliance
from governance.filing_materials import filing_materials
from governance.filing_pack import filing_pack_build
from governance.models import Filing, FilingDocument
from governance.rulebook import State
from governance.services.filing_documents import filing_document_add
from tenants.errors import ApplicationError

pytestmark = pytest.mark.django_db


def _pdf(name="scan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 sealed", content_type="application/pdf")


def _filing(org, **fields):
    today = timezone.localdate()
    return Filing.objects.create(
        organization=org,
        kind=Filing.Kind.INITIAL,
        threshold=100000,
        trigger_date=today,
        deadline=today,
        **fields,
    )


def _attach_all(filing, actor):
    for kind in FilingDocument.REQUIRED_KINDS:
        filing_document_add(filing=filing, actor=actor, kind=kind, upload=_pdf(f"{kind}.pdf"))


def _r38(org):
    rows = {row.rule.id: row for row in organization_compliance(organization=org)["rules"]}
    return rows["R38"].result


def _complete_profile(org):
    from governance.filing import filing_profile_update

    org.unified_social_credit_code = "91310000MA1K000000"
    org.save()
    filing_profile_update(
        organization=org,
        actor=__import__("audit.actors", fromlist=["Actor"]).Actor.system("test"),
        security_measures="Encryption",
        processing_rules="Rules",
        operating_procedures="Procedures",
    )


def test_R38_document_is_stored_typed_and_audited(world, actor):
    filing = _filing(world.org)
    document = filing_document_add(
        filing=filing, actor=actor, kind="commitment_letter", upload=_pdf()
    )
    assert document.organization == world.org and document.kind == "commitment_letter"
    assert len(document.sha256) == 64
    assert AuditEvent.objects.filter(
        action="filing_document.added", target_id=str(document.pk)
    ).exists()
    missing = [kind for kind, _label in filing_materials(filing)["missing"]]
    assert "commitment_letter" not in missing and "handler_id" in missing


def test_R38_unsafe_file_or_unknown_kind_is_refused(world, actor):
    filing = _filing(world.org)
    with pytest.raises(ApplicationError):
        filing_document_add(
            filing=filing,
            actor=actor,
            kind="handler_id",
            upload=SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        )
    with pytest.raises(ApplicationError):
        filing_document_add(filing=filing, actor=actor, kind="passport", upload=_pdf())
    assert not FilingDocument.objects.exists()


def test_R38_compliance_names_missing_materials_until_all_are_attached(world, actor):
    _complete_profile(world.org)
    filing = _filing(world.org)
    result = _r38(world.org)
    assert result.state == State.UNMET
    assert "commitment letter" in result.message.lower()
    assert result.fix_url == reverse("panel:gov_filing_documents", args=["acme", filing.pk])
    _attach_all(filing, actor)
    assert _r38(world.org).state == State.MET


def test_R38_pack_lists_present_and_missing_and_carries_the_scans(world, actor):
    filing = _filing(world.org)
    document = filing_document_add(
        filing=filing, actor=actor, kind="authorisation_letter", upload=_pdf()
    )
    body = filing_pack_build(organization=world.org, actor=actor, filing=filing)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        listing = json.loads(archive.read("filing_documents.json"))
        assert [d["kind"] for d in listing["present"]] == ["authorisation_letter"]
        assert "credit_code_certificate" in [m["kind"] for m in listing["missing"]]
        assert archive.read(listing["present"][0]["file"]) == b"%PDF-1.4 sealed"
        report = archive.read("filing_report.html").decode()
        assert "Authorisation letter (sealed)" in report
        assert "Missing:" in report and "Commitment letter (sealed)" in report
    assert listing["present"][0]["sha256"] == document.sha256


def test_R38_panel_lists_uploads_and_downloads_audited(world, panel_as):
    filing = _filing(world.org)
    dpo = panel_as(world.dpo)
    url = reverse("panel:gov_filing_documents", args=["acme", filing.pk])
    response = dpo.post(url, {"kind": "handler_id", "file": _pdf("id.pdf")})
    assert response.status_code == 302
    document = FilingDocument.objects.get()
    page = dpo.get(url).content.decode()
    download = reverse("panel:gov_filing_document_download", args=["acme", filing.pk, document.pk])
    assert download in page
    served = dpo.get(download)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")
    assert b"".join(served.streaming_content) == b"%PDF-1.4 sealed"
    assert AuditEvent.objects.filter(
        action="filing_document.downloaded", target_id=str(document.pk)
    ).exists()
    auditor = panel_as(world.auditor)
    assert auditor.post(url, {"kind": "other", "file": _pdf()}).status_code == 403


def test_R38_other_tenants_filing_and_documents_are_refused(world, actor, api_as, panel_as):
    mine = _filing(world.org)
    theirs = _filing(world.outsider_org)
    foreign = filing_document_add(filing=theirs, actor=actor, kind="other", upload=_pdf())
    api = api_as(world.owner, "acme")
    assert api.get(f"/api/v1/filing-documents/{foreign.pk}/").status_code == 404
    assert api.get(f"/api/v1/filing-documents/{foreign.pk}/download/").status_code == 404
    refused = api.post(
        "/api/v1/filing-documents/",
        {"filing": theirs.pk, "kind": "other", "file": _pdf()},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_reference"
    assert FilingDocument.objects.filter(filing=theirs).count() == 1
    panel = panel_as(world.owner)
    assert (
        panel.get(reverse("panel:gov_filing_documents", args=["acme", theirs.pk])).status_code
        == 404
    )
    assert (
        panel.get(
            reverse("panel:gov_filing_document_download", args=["acme", mine.pk, foreign.pk])
        ).status_code
        == 404
    )


def test_R38_api_uploads_lists_and_downloads(world, api_as):
    filing = _filing(world.org)
    api = api_as(world.owner, "acme")
    created = api.post(
        "/api/v1/filing-documents/",
        {"filing": filing.pk, "kind": "legal_representative_id", "file": _pdf()},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    listed = api.get(f"/api/v1/filing-documents/?filing={filing.pk}").json()
    rows = listed.get("results", listed)
    assert [r["kind"] for r in rows] == ["legal_representative_id"]
    served = api.get(f"/api/v1/filing-documents/{created.json()['id']}/download/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    bad = api.post(
        "/api/v1/filing-documents/",
        {"filing": filing.pk, "kind": "passport", "file": _pdf()},
        format="multipart",
    )
    assert bad.status_code == 400 and "code" in bad.json()
