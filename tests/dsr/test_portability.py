"""R46: a person's data in a standard, versioned format that another portal can import.

The export follows the JSON Schema shipped in dsr/schemas/ (checked here with ``jsonschema``
against the file itself); another organization imports it, and the consents arrive as history
that needs confirmation, never as consents that could be used.
"""

import copy
import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditEvent
from consent.models import Consent, Subject
from consent.services import Evidence, consent_grant
from dsr.models import ImportedConsent, PortabilityImport
from dsr.services.portability import PortabilityFileInvalid, portability_export, portability_import
from recognition import crypto
from recognition.models import FaceTemplate
from recognition.services.galleries import template_aad
from recognition.services.keys import subject_key
from tests.factories import PublishedNoticeFactory, PurposeFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "dsr/schemas/portability-1.schema.json").read_text()
)
STAFF = Actor(kind=Actor.USER, id="2", label="dpo@acme.test")


def _validate(document):
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
        document
    )


def _real_template(dw) -> np.ndarray:
    """A template encrypted as the engine stores it, under the subject's own key."""
    vector = np.linspace(-1, 1, 128).astype(np.float32)
    key = subject_key(subject=dw.subject, create=True)
    template = FaceTemplate.objects.create(
        organization=dw.org,
        deployment=dw.deployment,
        purpose=dw.purpose,
        purpose_version=dw.purpose.current_version,
        subject=dw.subject,
        subject_pseudonym=dw.subject.pseudonym,
        ciphertext=b"",
        model_version="dlib-r1",
        retain_until=timezone.now() + timezone.timedelta(days=30),
    )
    template.ciphertext = crypto.encrypt_template(
        key, vector, aad=template_aad(dw.org.pk, template.public_id, dw.subject.pseudonym)
    )
    template.save(update_fields=["ciphertext"])
    return vector


def _sign_in(client, email="ann@example.test"):
    client.post("/me/", {"email": email})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    return client.post("/me/code/", {"email": email, "code": code})


def test_r46_export_validates_against_the_shipped_schema(dw):
    dw.file("access")
    document = portability_export(subject=dw.subject, actor=STAFF)
    _validate(document)
    assert document["format"] == "faceconsent-portability" and document["schema_version"] == "1.0"
    assert document["subject"]["display_name"] == "Ann Example"
    consent = document["consents"][0]
    assert consent["purpose"]["name"] == "Office gate" and consent["state"] == "active"
    assert consent["history"][0]["to"] == "active"
    assert document["requests"][0]["kind"] == "access"
    # Staff exports never carry face data.
    assert document["templates"] == {"included": False, "items": []}
    assert AuditEvent.objects.filter(action="portability.exported").count() == 1


def test_r46_templates_only_when_the_person_asks(dw):
    vector = _real_template(dw)
    document = portability_export(subject=dw.subject, actor=STAFF, include_templates=True)
    _validate(document)
    items = document["templates"]["items"]
    assert len(items) == 1 and items[0]["model_version"] == "dlib-r1"
    assert np.allclose(items[0]["vector"], vector)
    assert AuditEvent.objects.filter(action="recognition.templates_exported").count() == 1


def test_r46_templates_stay_home_when_the_portal_does_not_allow_them(dw, settings):
    settings.RECOGNITION_PORTABLE_TEMPLATES = False
    _real_template(dw)
    document = portability_export(subject=dw.subject, actor=STAFF, include_templates=True)
    assert document["templates"] == {"included": True, "items": []}


def test_r46_person_downloads_from_me_in_their_language(dw, client):
    _real_template(dw)
    _sign_in(client)
    page = client.get("/me/portability/")
    assert page.status_code == 200 and "Take my data elsewhere" in page.content.decode()
    assert 'href="/me/portability/"' in client.get("/me/requests/").content.decode()
    plain = client.post("/me/portability/", {})
    assert plain["Content-Disposition"].startswith("attachment")
    document = json.loads(plain.content)
    _validate(document)
    assert document["templates"]["items"] == []
    with_face = json.loads(client.post("/me/portability/", {"include_templates": "on"}).content)
    assert len(with_face["templates"]["items"]) == 1
    exported = AuditEvent.objects.filter(action="portability.exported").latest("id")
    assert exported.actor_type == "subject"
    zh = client.get("/me/portability/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 200


def test_r46_import_round_trip_into_a_second_organization(dw, world, api_as):
    document = portability_export(subject=dw.subject, actor=STAFF)
    other = api_as(world.outsider, "other")
    answer = other.post("/api/v1/portability-imports/", document, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["source_controller"] == "Acme Security"
    assert body["consents"][0]["status"] == "needs_confirmation"
    assert body["consents"][0]["state_at_source"] == "active"
    assert body["summary"]["templates_not_imported"] == 0
    created = Subject.objects.get(pseudonym=body["subject_pseudonym"])
    assert created.organization == world.outsider_org and created.display_name == "Ann Example"
    # A new pseudonym here; the exporter's only as the import's provenance.
    assert created.pseudonym != dw.subject.pseudonym
    assert PortabilityImport.objects.get().source_pseudonym == str(dw.subject.pseudonym)
    # Never silently usable: no consent exists for the person in the receiving organization.
    assert not Consent.objects.filter(subject=created).exists()
    assert ImportedConsent.objects.get().history[0]["to"] == "active"
    assert answer["Location"].endswith(f"/api/v1/subjects/{created.pseudonym}/")
    listed = other.get("/api/v1/portability-imports/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    # Confirmed only once the person consents here, through the receiving organization's own
    # purpose and notice.
    purpose = PurposeFactory(organization=world.outsider_org, name="Office gate")
    consent_grant(
        subject=created,
        purpose_version=purpose.current_version,
        notice=PublishedNoticeFactory(purpose_version=purpose.current_version, language="en"),
        actor=STAFF,
        evidence=Evidence(channel="api", consent_ui_version="test-1"),
    )
    listed = other.get("/api/v1/portability-imports/").json()
    assert listed["results"][0]["consents"][0]["status"] == "confirmed"


def test_r46_import_as_multipart_file(dw, world, api_as):
    raw = json.dumps(portability_export(subject=dw.subject, actor=STAFF)).encode()
    upload = SimpleUploadedFile("ann.json", raw, content_type="application/json")
    answer = api_as(world.outsider, "other").post(
        "/api/v1/portability-imports/", {"file": upload}, format="multipart"
    )
    assert answer.status_code == 201, answer.content


def test_r46_tampered_or_invalid_file_is_refused_with_what_is_wrong(dw, world, api_as):
    document = portability_export(subject=dw.subject, actor=STAFF)
    other = api_as(world.outsider, "other")
    tampered = copy.deepcopy(document)
    tampered["consents"][0]["state"] = "active_forever"
    answer = other.post("/api/v1/portability-imports/", tampered, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_portability_file"
    assert answer.json()["details"]["paths"] == ["integrity/digest"]
    broken = copy.deepcopy(document)
    del broken["consents"]
    broken["subject"]["age_bracket"] = "ancient"
    answer = other.post("/api/v1/portability-imports/", broken, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["details"]["paths"]) == {"", "subject/age_bracket"}
    assert any("'consents' is a required property" in e for e in answer.json()["details"]["errors"])
    junk = SimpleUploadedFile("x.json", b"\xff not json", content_type="application/json")
    answer = other.post("/api/v1/portability-imports/", {"file": junk}, format="multipart")
    assert answer.status_code == 400 and answer.json()["message"] == "The file is not JSON."
    assert not Subject.objects.filter(organization=world.outsider_org).exists()
    with pytest.raises(PortabilityFileInvalid):
        portability_import(organization=world.outsider_org, document=[], actor=STAFF)


def test_r46_another_tenant_cannot_read_a_subjects_file(dw, world, api_as):
    url = f"/api/v1/portability-exports/{dw.subject.pseudonym}/"
    assert api_as(world.outsider, "other").get(url).status_code == 404
    assert api_as(world.operator, "acme").get(url).status_code == 403
    answer = api_as(world.dpo, "acme").get(url)
    assert answer.status_code == 200
    _validate(json.loads(answer.content))
    # The other organization's imports are not listed to Acme.
    portability_import(
        organization=world.outsider_org,
        document=portability_export(subject=dw.subject, actor=STAFF),
        actor=STAFF,
    )
    assert api_as(world.dpo, "acme").get("/api/v1/portability-imports/").json()["results"] == []
