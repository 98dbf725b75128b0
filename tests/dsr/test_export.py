"""Access and portability: everything held about the person, never templates (R45, R46)."""

import json

import pytest

from audit.actors import Actor
from audit.models import AuditEvent
from dsr.services.completion import dsr_request_complete
from dsr.services.export import (
    LinkExpired,
    dsr_package_download,
    export_link_check,
    export_token,
    package_json,
    subject_package,
)
from tenants.errors import Conflict, NotFound
from tests.dsr.conftest import put_face_data

DPO = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")


def test_package_holds_profile_consents_biometrics_requests_and_audit(dw):
    put_face_data(dw, templates=2)
    dw.file("access")
    package = subject_package(subject=dw.subject)
    assert package["profile"]["display_name"] == "Ann Example"
    assert package["profile"]["pseudonym"] == str(dw.subject.pseudonym)
    (consent,) = package["consents"]
    assert consent["purpose"] == "Office gate" and consent["state"] == "active"
    assert consent["items"]["raw_images"] is True
    (given,) = consent["history"]
    assert given["type"] == "given"
    assert given["receipt"]["receipt"] and given["receipt"]["signature"]
    enrollment = next(e for e in package["biometrics"]["enrollments"] if e["template_stored"])
    assert enrollment["deployment"]["name"] == "HQ gate"
    assert enrollment["purpose"]["name"] == "Office gate"
    assert enrollment["model_version"] == "dlib-r1"
    assert enrollment["retain_until"] and enrollment["requested_at"]
    (result,) = package["biometrics"]["results"]
    assert result["where"] == "HQ gate" and result["for_what"] == "Office gate"
    assert result["by"] == "operator@acme.test" and result["at"]
    assert [r["kind"] for r in package["requests"]] == ["access"]
    actions = [row[1] for row in package["audit_events"]["rows"]]
    assert "consent.given" in actions and "data_request.filed" in actions


def test_package_never_contains_templates_or_keys(dw):
    put_face_data(dw)
    text = package_json(subject_package(subject=dw.subject)).decode()
    for word in ("ciphertext", "wrapped", "embedding", "encoding"):
        assert word not in text
    json.loads(text)


def test_download_needs_completion_and_is_audited(dw):
    request = dw.file("portability")
    with pytest.raises(Conflict, match="completed"):
        dsr_package_download(data_request=request, actor=DPO, fmt="json")
    request = dsr_request_complete(data_request=request, actor=DPO)
    assert request.outcome == "exported" and request.export_expires_at
    token = export_token(request)
    dsr_package_download(data_request=request, actor=DPO, fmt="json", token=token)
    event = AuditEvent.objects.filter(action="data_request.package_downloaded").get()
    assert event.details["format"] == "json"
    assert event.subject_pseudonym == str(dw.subject.pseudonym)


def test_link_expires_and_a_new_link_revokes_the_old(dw, time_machine):
    from dsr.services.export import dsr_export_link_issue

    request = dsr_request_complete(data_request=dw.file("access"), actor=DPO)
    old = export_token(request)
    export_link_check(data_request=request, token=old)
    time_machine.move_to(request.export_expires_at)
    with pytest.raises(LinkExpired, match="expired"):
        export_link_check(data_request=request, token=old)
    new = dsr_export_link_issue(data_request=request, actor=DPO)
    export_link_check(data_request=request, token=new)
    with pytest.raises(LinkExpired):
        export_link_check(data_request=request, token=old)
    with pytest.raises(NotFound):
        export_link_check(data_request=request, token="forged")
