"""The entrustment contract with the portal operator (R51): recorded, scoped, audited, evaluated."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from governance.compliance import organization_compliance
from governance.models import Entrustment
from governance.rulebook import State
from governance.services.entrustment import entrustment_save
from tenants.errors import ApplicationError

pytestmark = pytest.mark.django_db

COMPLETE = {
    "contract_reference": "ENT-2026-01",
    "contract_date": datetime.date(2026, 1, 5),
    "processing_purpose": "Access control at our sites",
    "duration": "Until 31 December 2027",
    "method": "1:1 verification and 1:N identification on the portal",
    "data_types": "Face templates, names, employee numbers",
    "protection_measures": "Encryption at rest, RLS, audit log",
    "termination": "delete",
}


def _pdf(name="contract.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 contract", content_type="application/pdf")


def _r51(org):
    rows = {row.rule.id: row for row in organization_compliance(organization=org)["rules"]}
    return rows["R51"].result


def test_R51_unmet_with_fix_link_until_the_record_is_complete(world, actor):
    result = _r51(world.org)
    assert result.state == State.UNMET
    assert result.fix_url == reverse("panel:entrustment", args=["acme"])
    entrustment_save(organization=world.org, actor=actor, **COMPLETE)
    result = _r51(world.org)
    assert result.state == State.UNMET and "signed contract document" in result.message
    entrustment_save(organization=world.org, actor=actor, upload=_pdf())
    assert _r51(world.org).state == State.MET
    entrustment_save(organization=world.org, actor=actor, termination="")
    result = _r51(world.org)
    assert result.state == State.UNMET and "termination" in result.message


def test_R51_save_is_audited_and_checks_the_document_and_termination(world, actor):
    record = entrustment_save(organization=world.org, actor=actor, upload=_pdf(), **COMPLETE)
    assert len(record.document_sha256) == 64 and not record.missing()
    event = AuditEvent.objects.get(action="entrustment.saved", target_id=str(record.pk))
    assert "processing_purpose" in event.details["fields"]
    with pytest.raises(ApplicationError):
        entrustment_save(
            organization=world.org,
            actor=actor,
            upload=SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        )
    with pytest.raises(ApplicationError):
        entrustment_save(organization=world.org, actor=actor, termination="keep")
    assert Entrustment.objects.count() == 1


def test_R51_api_is_a_scoped_singleton_only_the_owner_edits(world, actor, api_as):
    entrustment_save(
        organization=world.outsider_org, actor=actor, contract_reference="OTHER-SECRET"
    )
    owner = api_as(world.owner, "acme")
    assert owner.get("/api/v1/entrustment/").status_code == 404
    body = {**COMPLETE, "contract_date": "2026-01-05", "document": _pdf()}
    saved = owner.put("/api/v1/entrustment/", body, format="multipart")
    assert saved.status_code == 200, saved.content
    assert saved.json()["complete"] is True
    read = owner.get("/api/v1/entrustment/")
    assert read.json()["contract_reference"] == "ENT-2026-01"
    assert "OTHER-SECRET" not in read.content.decode()
    served = owner.get("/api/v1/entrustment/document/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="entrustment.document_downloaded").exists()
    bad = owner.put("/api/v1/entrustment/", {"termination": "keep"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_termination"
    dpo = api_as(world.dpo, "acme")
    assert dpo.get("/api/v1/entrustment/").status_code == 200
    assert dpo.put("/api/v1/entrustment/", {"duration": "x"}, format="json").status_code == 403
    assert Entrustment.objects.get(organization=world.outsider_org).contract_reference == (
        "OTHER-SECRET"
    )


def test_R51_panel_owner_records_the_contract_others_read(world, panel_as):
    url = reverse("panel:entrustment", args=["acme"])
    owner = panel_as(world.owner)
    response = owner.post(url, {**COMPLETE, "contract_date": "2026-01-05", "upload": _pdf()})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = Entrustment.objects.get(organization=world.org)
    assert not record.missing()
    page = panel_as(world.auditor).get(url)
    assert page.status_code == 200 and "ENT-2026-01" in page.content.decode()
    assert panel_as(world.auditor).post(url, COMPLETE).status_code == 403
    download = panel_as(world.dpo).get(reverse("panel:entrustment_document", args=["acme"]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 contract"
