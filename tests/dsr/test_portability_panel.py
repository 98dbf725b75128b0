"""R46 in the staff panel: the portability imports list, an import's page, and the upload.

The upload calls the API's service (portability_parse, portability_import); the consents a
file carries arrive "needs confirmation" (PIPL Art. 45(3): the transfer carries the data, not
the permission). Roles as the API's: whoever sees subjects reads, whoever records consents
imports; another organization's import is a 404.
"""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.actors import Actor
from audit.models import AuditEvent
from consent.models import Subject
from consent.services import Evidence, consent_grant
from dsr.models import ImportedConsent, PortabilityImport
from dsr.services.portability import portability_export, portability_import
from tests.conftest import ROLES
from tests.factories import PublishedNoticeFactory, PurposeFactory, SubjectFactory

pytestmark = pytest.mark.django_db

SENDER = Actor.system("test")
LIST = "/o/acme/dsr/imports/"
NEW = "/o/acme/dsr/imports/new/"
# The API's roles (dsr.api.portability): list VIEW_SUBJECTS, create MANAGE_CONSENT.
CAN_READ = {"owner", "dpo", "operator", "auditor"}
CAN_IMPORT = {"owner", "dpo", "operator"}


def _document(world) -> dict:
    """A person Other Corp exported, who consented there to its "Office gate" purpose."""
    purpose = PurposeFactory(organization=world.outsider_org, name="Office gate")
    person = SubjectFactory(organization=world.outsider_org, display_name="Bo Sender")
    consent_grant(
        subject=person,
        purpose_version=purpose.current_version,
        notice=PublishedNoticeFactory(purpose_version=purpose.current_version, language="en"),
        actor=SENDER,
        evidence=Evidence(channel="kiosk", consent_ui_version="test-1"),
    )
    return portability_export(subject=person, actor=SENDER)


def _upload(document, name="bo.json") -> SimpleUploadedFile:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def _imported(dw, world) -> PortabilityImport:
    return portability_import(organization=world.org, document=_document(world), actor=SENDER)


def test_r46_upload_imports_the_file_with_consents_needing_confirmation(dw, world, panel_as):
    client = panel_as(world.dpo)
    document = _document(world)
    answer = client.post(NEW, {"file": _upload(document)})
    record = PortabilityImport.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/o/acme/dsr/imports/{record.pk}/"
    assert record.organization == world.org and record.source_controller == "Other Corp"
    assert record.imported_by_label == "dpo@acme.test"
    subject = Subject.objects.get(organization=world.org, pseudonym=record.subject_pseudonym)
    assert subject.display_name == "Bo Sender"
    # History to confirm, never a consent: nothing here may process the face yet.
    assert not subject.consents.exists()
    assert ImportedConsent.objects.get(source=record).purpose_name == "Office gate"
    page = client.get(answer["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "File imported." in html
    assert "needs confirmation" in html and "Office gate" in html
    assert record.file_sha256 in html
    assert "the data, not the permission" in html and "PIPL Art. 45(3)" in html
    assert f"/o/acme/subjects/{subject.pseudonym}/consent/" in html
    listed = client.get(LIST).content.decode()
    assert "Other Corp" in listed and f"/o/acme/dsr/imports/{record.pk}/" in listed


def test_r46_consent_given_here_confirms_the_imported_consent(dw, world, panel_as):
    record = _imported(dw, world)
    client = panel_as(world.dpo)
    url = f"/o/acme/dsr/imports/{record.pk}/"
    assert client.get(f"{LIST}?confirmation=needed").content.decode().count(url) == 2
    consent_grant(
        subject=record.subject,
        purpose_version=dw.purpose.current_version,
        notice=dw.notice,
        actor=SENDER,
        evidence=Evidence(channel="paper", consent_ui_version="test-1"),
    )
    html = client.get(url).content.decode()
    assert '— <span class="status">confirmed</span>' in html
    assert url not in client.get(f"{LIST}?confirmation=needed").content.decode()
    assert url in client.get(f"{LIST}?confirmation=done").content.decode()


def test_r46_a_bad_file_shows_each_problem_on_the_form_and_stores_nothing(dw, world, panel_as):
    client = panel_as(world.dpo)
    document = _document(world)
    broken = copy.deepcopy(document)
    del broken["consents"]
    broken["subject"]["age_bracket"] = "ancient"
    tampered = copy.deepcopy(document)
    tampered["consents"][0]["state"] = "active_forever"
    cases = [
        (
            broken,
            [
                "The file does not follow the portability schema version 1.",
                "(document): &#x27;consents&#x27; is a required property",
                "subject/age_bracket: &#x27;ancient&#x27; is not one of",
            ],
        ),
        (tampered, ["its integrity digest does not match", "integrity/digest"]),
        (b"\xff not json", ["The file is not JSON."]),
        (b"[]", ["The file is not a portability document (a JSON object)."]),
    ]
    for body, problems in cases:
        answer = client.post(NEW, {"file": _upload(body)})
        html = answer.content.decode()
        assert answer.status_code == 200
        for problem in problems:
            assert problem in html, (problem, html)
    assert client.post(NEW, {}).status_code == 200
    assert not PortabilityImport.objects.exists()
    assert not Subject.objects.filter(organization=world.org, display_name="Bo Sender").exists()


def test_r46_a_file_larger_than_allowed_is_refused_on_the_form(dw, world, panel_as, settings):
    settings.DSR_PORTABILITY_MAX_BYTES = 100
    answer = panel_as(world.dpo).post(NEW, {"file": _upload(_document(world))})
    assert answer.status_code == 200
    assert "The file is larger than the import accepts." in answer.content.decode()
    assert not PortabilityImport.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_r46_import_pages_answer_each_role_as_the_api_does(dw, world, panel_as, role):
    record = _imported(dw, world)
    client = panel_as(world.user(role))
    read = 200 if role in CAN_READ else 403
    assert client.get(LIST).status_code == read
    assert client.get(f"/o/acme/dsr/imports/{record.pk}/").status_code == read
    write = 200 if role in CAN_IMPORT else 403
    assert client.get(NEW).status_code == write
    answer = client.post(NEW, {"file": _upload(b"[]")})
    assert answer.status_code == write
    assert ("Import a portability file" in client.get(LIST).content.decode()) == (
        role in CAN_IMPORT
    )
    assert PortabilityImport.objects.count() == 1


def test_r46_another_organizations_import_is_not_found(dw, world, panel_as):
    theirs = portability_import(
        organization=world.outsider_org,
        document=portability_export(subject=dw.subject, actor=SENDER),
        actor=SENDER,
    )
    mine = _imported(dw, world)
    dpo = panel_as(world.dpo)
    assert dpo.get(f"/o/acme/dsr/imports/{theirs.pk}/").status_code == 404
    listed = dpo.get(LIST).content.decode()
    assert f"/dsr/imports/{mine.pk}/" in listed and f"/dsr/imports/{theirs.pk}/" not in listed
    assert ">Acme Security</a></td>" not in listed  # the other organization's import's source
    outsider = panel_as(world.outsider)
    assert outsider.get(f"/o/other/dsr/imports/{mine.pk}/").status_code == 404
    assert outsider.get(f"/o/acme/dsr/imports/{mine.pk}/").status_code == 404
    assert outsider.get(LIST).status_code == 404
    assert outsider.post(NEW, {"file": _upload(_document(world))}).status_code == 404
    assert PortabilityImport.objects.filter(organization=world.org).count() == 1


def test_r46_list_masks_names_for_operators_and_records_one_event(dw, world, panel_as):
    record = _imported(dw, world)
    pseudonym = str(record.subject_pseudonym)
    before = AuditEvent.objects.filter(action="subject.listed").count()
    operator = panel_as(world.operator).get(LIST).content.decode()
    assert pseudonym in operator and "Bo Sender" not in operator
    assert f"/o/acme/subjects/{pseudonym}/" in operator
    assert "Bo Sender" in panel_as(world.dpo).get(LIST).content.decode()
    events = AuditEvent.objects.filter(action="subject.listed").order_by("pk")[before:]
    assert [e.details["list"] for e in events] == ["portability_imports"] * 2
    assert all(e.details["subjects"] == [pseudonym] for e in events)
    csv = panel_as(world.auditor).get(f"{LIST}?export=csv")
    assert csv["Content-Disposition"].startswith("attachment")
    assert "Other Corp" in csv.content.decode() and "Bo Sender" not in csv.content.decode()


def test_r46_subject_page_and_navigation_lead_to_the_import(dw, world, panel_as):
    record = _imported(dw, world)
    client = panel_as(world.auditor)
    url = f"/o/acme/dsr/imports/{record.pk}/"
    subject_page = client.get(f"/o/acme/subjects/{record.subject_pseudonym}/").content.decode()
    assert url in subject_page
    assert url not in client.get(f"/o/acme/subjects/{dw.subject.pseudonym}/").content.decode()
    assert 'href="/o/acme/dsr/imports/"' in client.get("/o/acme/").content.decode()
    # The auditor reads the import but records no consent.
    record_consent = f"/o/acme/subjects/{record.subject_pseudonym}/consent/"
    assert record_consent not in client.get(url).content.decode()
    assert record_consent in panel_as(world.operator).get(url).content.decode()
